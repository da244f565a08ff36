package io.javisor.emulation.fdt;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.*;

class VirtBoardFdtTest
{
    private static final long MEMORY = 128L << 20;
    private static final String BOOTARGS = "console=ttyS0 earlycon";

    @Test
    void describesTheVirtBoard()
    {
        final FdtTestReader.Node root = new FdtTestReader(VirtBoardFdt.build(MEMORY, BOOTARGS)).root;

        assertEquals(2, root.u32("#address-cells"));
        assertEquals(2, root.u32("#size-cells"));
        assertEquals("riscv-virtio", root.string("compatible"));
        assertEquals("javisor,virt", root.string("model"));

        final FdtTestReader.Node chosen = root.at("/chosen");
        assertEquals(BOOTARGS, chosen.string("bootargs"));
        assertEquals("/soc/serial@10000000", chosen.string("stdout-path"));

        final FdtTestReader.Node memory = root.at("/memory@80000000");
        assertEquals("memory", memory.string("device_type"));
        assertArrayEquals(new long[]{0x8000_0000L, MEMORY}, memory.u64s("reg"));

        final FdtTestReader.Node cpus = root.at("/cpus");
        assertEquals(10_000_000, cpus.u32("timebase-frequency"));
        final FdtTestReader.Node cpu = cpus.child("cpu@0");
        assertEquals("cpu", cpu.string("device_type"));
        assertEquals(0, cpu.u32("reg"));
        assertEquals("okay", cpu.string("status"));
        assertEquals("riscv", cpu.string("compatible"));
        assertEquals("rv64imac_zicsr_zifencei", cpu.string("riscv,isa"));
        assertEquals("riscv,sv39", cpu.string("mmu-type"));
        final FdtTestReader.Node intc = cpu.child("interrupt-controller");
        assertEquals(1, intc.u32("#interrupt-cells"));
        assertEquals(0, intc.raw("interrupt-controller").length);
        assertEquals("riscv,cpu-intc", intc.string("compatible"));
        final int intcPhandle = intc.u32("phandle");

        final FdtTestReader.Node soc = root.at("/soc");
        assertEquals("simple-bus", soc.string("compatible"));
        assertEquals(0, soc.raw("ranges").length);

        final FdtTestReader.Node clint = soc.child("clint@2000000");
        assertEquals(List.of("sifive,clint0", "riscv,clint0"), clint.strings("compatible"));
        assertArrayEquals(new long[]{0x200_0000L, 0x1_0000L}, clint.u64s("reg"));
        assertArrayEquals(new int[]{intcPhandle, 3, intcPhandle, 7}, clint.u32s("interrupts-extended"));

        final FdtTestReader.Node plic = soc.child("plic@c000000");
        assertEquals(List.of("sifive,plic-1.0.0", "riscv,plic0"), plic.strings("compatible"));
        assertArrayEquals(new long[]{0xC00_0000L, 0x60_0000L}, plic.u64s("reg"));
        assertEquals(1, plic.u32("#interrupt-cells"));
        assertEquals(0, plic.raw("interrupt-controller").length);
        assertEquals(95, plic.u32("riscv,ndev"));
        assertArrayEquals(new int[]{intcPhandle, 11, intcPhandle, 9}, plic.u32s("interrupts-extended"));
        final int plicPhandle = plic.u32("phandle");
        assertNotEquals(intcPhandle, plicPhandle);

        final FdtTestReader.Node serial = soc.child("serial@10000000");
        assertEquals("ns16550a", serial.string("compatible"));
        assertArrayEquals(new long[]{0x1000_0000L, 0x100L}, serial.u64s("reg"));
        assertEquals(3_686_400, serial.u32("clock-frequency"));
        assertEquals(10, serial.u32("interrupts"));
        assertEquals(plicPhandle, serial.u32("interrupt-parent"));

        final FdtTestReader.Node test = soc.child("test@100000");
        assertEquals(List.of("sifive,test1", "sifive,test0", "syscon"), test.strings("compatible"));
        assertArrayEquals(new long[]{0x10_0000L, 0x1000L}, test.u64s("reg"));
    }

    @Test
    void statesTheTimeBaseItIsGiven()
    {
        for (final long hz : new long[] {VirtBoardFdt.TIMEBASE_HZ, 1_000_000_000L, 0xFFFF_FFFFL})
        {
            final FdtTestReader.Node cpus = new FdtTestReader(
                VirtBoardFdt.build(MEMORY, null, new int[0], 0, new long[0], hz)).root.at("/cpus");
            assertEquals(hz, Integer.toUnsignedLong(cpus.u32("timebase-frequency")));
        }
        assertThrows(IllegalArgumentException.class, () -> VirtBoardFdt.build(MEMORY, null, new int[0], 0, new long[0], 0));
        assertThrows(IllegalArgumentException.class, () -> VirtBoardFdt.build(MEMORY, null, new int[0], 0, new long[0], 1L << 32));
    }

    @Test
    void omitsBootargsWhenNull()
    {
        final FdtTestReader.Node chosen = new FdtTestReader(VirtBoardFdt.build(MEMORY, null)).root.at("/chosen");
        assertFalse(chosen.properties().containsKey("bootargs"));
        assertEquals("/soc/serial@10000000", chosen.string("stdout-path"));
    }

    @Test
    void rejectsBadMemorySize()
    {
        assertThrows(IllegalArgumentException.class, () -> VirtBoardFdt.build(0, null));
        assertThrows(IllegalArgumentException.class, () -> VirtBoardFdt.build(-4096, null));
        assertThrows(IllegalArgumentException.class, () -> VirtBoardFdt.build(4097, null));
    }

    @Test
    void decompilesWithDtc(@TempDir final Path dir) throws IOException, InterruptedException
    {
        final String dtc = findOnPath("dtc");
        Assumptions.assumeTrue(null != dtc,
            "dtc not found on PATH: install Debian's device-tree-compiler package to run this test");

        final Path dtb = dir.resolve("virt.dtb");
        final Path stderr = dir.resolve("dtc.err");
        Files.write(dtb, VirtBoardFdt.build(MEMORY, BOOTARGS));
        final Process process = new ProcessBuilder(dtc, "-I", "dtb", "-O", "dts", dtb.toString())
            .redirectError(stderr.toFile())
            .start();
        final String dts = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "dtc finished");
        final String errors = Files.readString(stderr);

        assertEquals(0, process.exitValue(), "dtc failed: " + errors);
        assertFalse(errors.contains("ERROR"), errors);
        assertTrue(errors.isBlank(), "dtc warnings: " + errors);
        assertTrue(dts.contains("compatible = \"ns16550a\";"), dts);
        assertTrue(dts.contains("bootargs = \"" + BOOTARGS + "\";"), dts);
        assertTrue(dts.contains("memory@80000000 {"), dts);
        assertTrue(dts.contains("riscv,isa = \"rv64imac_zicsr_zifencei\";"), dts);
    }

    @Test
    void virtioMmioNodesForTheGivenSlots(@TempDir final Path dir) throws IOException, InterruptedException
    {
        final byte[] blob = VirtBoardFdt.build(MEMORY, null, new int[] {7, 6});
        final FdtTestReader.Node root = new FdtTestReader(blob).root;
        final FdtTestReader.Node blk = root.at("/soc/virtio_mmio@10008000");
        assertEquals("virtio,mmio", blk.string("compatible"));
        assertArrayEquals(new long[] {0x1000_8000L, 0x1000L}, blk.u64s("reg"));
        assertEquals(8, blk.u32("interrupts"));
        assertEquals(VirtBoardFdt.PLIC_PHANDLE, blk.u32("interrupt-parent"));
        assertEquals(7, root.at("/soc/virtio_mmio@10007000").u32("interrupts"));
        assertEquals(blob.length, VirtBoardFdt.build(MEMORY, null, new int[] {7, 6}).length);
        assertThrows(IllegalArgumentException.class, () -> VirtBoardFdt.build(MEMORY, null, new int[] {8}));

        final String dts = decompileWithoutWarnings(blob, dir);
        assertTrue(dts.contains("virtio_mmio@10008000 {"), dts);
    }

    /**
     * A machine with all four HVM devices: dtc accepts the blob without a warning, and each node has
     * the properties its Linux driver reads: virtio_mmio (compatible, reg, interrupts), pata_of_platform
     * (ata-generic, command and control blocks as two reg entries, reg-shift, pio-mode, interrupts) and
     * smsc911x (smsc,lan9115 compatible, reg-io-width 4, phy-mode, IRQ polarity/type, local-mac-address).
     */
    @Test
    void allFourDeviceKindsPassDtcWithWhatLinuxReads(@TempDir final Path dir) throws IOException, InterruptedException
    {
        final long mac = 0x00_16_3e_12_34_56L;
        final byte[] blob = VirtBoardFdt.build(MEMORY, null, new int[] {7, 6}, 1, new long[] {mac});
        final FdtTestReader.Node soc = new FdtTestReader(blob).root.at("/soc");

        final FdtTestReader.Node ata = soc.child("ata@4000000");
        assertTrue(ata.strings("compatible").contains("ata-generic"), ata.strings("compatible").toString());
        assertArrayEquals(new long[] {0x0400_0000L, 8L << 2, 0x0400_0100L, 1L << 2}, ata.u64s("reg"));
        assertEquals(2, ata.u32("reg-shift"));
        assertEquals(4, ata.u32("pio-mode"));
        assertEquals(VirtBoardFdt.ataIrq(0), ata.u32("interrupts"));
        assertEquals(VirtBoardFdt.PLIC_PHANDLE, ata.u32("interrupt-parent"));

        final FdtTestReader.Node nic = soc.child("ethernet@4010000");
        assertEquals(List.of("smsc,lan9118", "smsc,lan9115"), nic.strings("compatible"));
        assertEquals(4, nic.u32("reg-io-width"));
        assertEquals("mii", nic.string("phy-mode"));
        assertEquals(0, nic.raw("smsc,irq-active-high").length);
        assertEquals(0, nic.raw("smsc,irq-push-pull").length);
        assertArrayEquals(new byte[] {0x00, 0x16, 0x3e, 0x12, 0x34, 0x56}, nic.raw("local-mac-address"));
        assertEquals(VirtBoardFdt.lan9118Irq(0), nic.u32("interrupts"));

        assertEquals("virtio,mmio", soc.child("virtio_mmio@10008000").string("compatible"));
        assertEquals("virtio,mmio", soc.child("virtio_mmio@10007000").string("compatible"));
        // Every PLIC source is used once: UART 10, RTC 11 (as QEMU's), virtio 7 and 8, ATA 12, LAN9118 13.
        assertEquals(List.of(8, 7, 12, 13), List.of(soc.child("virtio_mmio@10008000").u32("interrupts"),
            soc.child("virtio_mmio@10007000").u32("interrupts"), ata.u32("interrupts"), nic.u32("interrupts")));

        final String dts = decompileWithoutWarnings(blob, dir);
        assertTrue(dts.contains("ata@4000000 {") && dts.contains("ethernet@4010000 {"), dts);
        assertTrue(dts.contains("compatible = \"google,goldfish-rtc\";"), dts);
    }

    @Test
    void theBoardHasQemusRtcAndAnRngSeed()
    {
        final FdtTestReader.Node root = new FdtTestReader(VirtBoardFdt.build(MEMORY, null)).root;
        final FdtTestReader.Node rtc = root.at("/soc/rtc@101000");
        assertEquals("google,goldfish-rtc", rtc.string("compatible"));
        assertArrayEquals(new long[] {0x10_1000L, 0x1000L}, rtc.u64s("reg"));
        assertEquals(11, rtc.u32("interrupts"));
        final byte[] seed = root.at("/chosen").raw("rng-seed");
        assertEquals(VirtBoardFdt.RNG_SEED_BYTES, seed.length);
        assertFalse(java.util.Arrays.equals(seed, root.at("/chosen").raw("rng-seed").clone()) &&
            java.util.Arrays.equals(seed, new FdtTestReader(VirtBoardFdt.build(MEMORY, null)).root.at("/chosen").raw("rng-seed")),
            "a fresh seed per board");
    }

    /** The blob as dtc decompiles it, after checking that dtc took it without an error or warning. */
    private static String decompileWithoutWarnings(final byte[] blob, final Path dir) throws IOException, InterruptedException
    {
        final String dtc = findOnPath("dtc");
        Assumptions.assumeTrue(null != dtc, "dtc not found on PATH");
        final Path dtb = Files.write(dir.resolve("board.dtb"), blob);
        final Path stderr = dir.resolve("dtc.err");
        final Process process = new ProcessBuilder(dtc, "-I", "dtb", "-O", "dts", dtb.toString())
            .redirectError(stderr.toFile()).start();
        final String dts = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "dtc finished");
        assertEquals(0, process.exitValue(), Files.readString(stderr));
        assertTrue(Files.readString(stderr).isBlank(), "dtc warnings: " + Files.readString(stderr));
        return dts;
    }

    private static String findOnPath(final String program)
    {
        final String path = System.getenv("PATH");
        if (null == path)
        {
            return null;
        }
        for (final String directory : path.split(File.pathSeparator))
        {
            final Path candidate = Path.of(directory, program);
            if (Files.isExecutable(candidate))
            {
                return candidate.toString();
            }
        }
        return null;
    }

    @Test
    void aDomainThatMayMakeHypercallsFindsTheHypervisorNodeAndItsReservedPages()
    {
        final VirtBoardFdt.Hypervisor hypervisor = new VirtBoardFdt.Hypervisor(
            io.javisor.emulation.hypercall.HypercallDescriptor.EID, io.javisor.emulation.hypercall.HypercallDescriptor.ABI_VERSION,
            0x8000_0000L + MEMORY - 8192, 8192);
        for (final byte[] blob : List.of(VirtBoardFdt.build(MEMORY, null, new int[0], 0, new long[0], VirtBoardFdt.TIMEBASE_HZ, hypervisor),
            VirtBoardFdt.buildPv(MEMORY, null, VirtBoardFdt.TIMEBASE_HZ, hypervisor)))
        {
            final FdtTestReader.Node root = new FdtTestReader(blob).root;
            final FdtTestReader.Node node = root.at("/hypervisor");
            assertEquals("javisor,hypervisor", node.string("compatible"));
            assertEquals(0x0A4A_5600, node.u32("javisor,sbi-extension"), "in the SBI firmware-specific range");
            assertEquals(0x0001_0000, node.u32("javisor,abi-version"));
            final int intc = root.at("/cpus/cpu@0/interrupt-controller").u32("phandle");
            assertArrayEquals(new int[]{intc, 9}, node.u32s("interrupts-extended"), "the upcall is S external");
            final FdtTestReader.Node reserved = root.at("/reserved-memory").child("hypervisor@" + Long.toHexString(0x8000_0000L + MEMORY - 8192));
            assertArrayEquals(new long[]{0x8000_0000L + MEMORY - 8192, 8192}, reserved.u64s("reg"));
            assertEquals(0, reserved.raw("no-map").length);
        }
        assertTrue(new FdtTestReader(VirtBoardFdt.build(MEMORY, null)).root.children().stream()
            .noneMatch(n -> n.name().equals("hypervisor")), "no hypervisor node unless asked for");
    }

    @Test
    void thePvBoardHasRamAndAHartAndNoDevice()
    {
        final FdtTestReader.Node root = new FdtTestReader(VirtBoardFdt.buildPv(MEMORY, BOOTARGS, VirtBoardFdt.TIMEBASE_HZ,
            new VirtBoardFdt.Hypervisor(0x0A4A_5600, 0x1_0000, 0, 0))).root;
        assertEquals("javisor,pv", root.string("compatible"));
        assertEquals(BOOTARGS, root.at("/chosen").string("bootargs"));
        assertFalse(root.at("/chosen").properties().containsKey("stdout-path"), "no serial port to point at");
        assertArrayEquals(new long[]{0x8000_0000L, MEMORY}, root.at("/memory@80000000").u64s("reg"));
        assertEquals(10_000_000, root.at("/cpus").u32("timebase-frequency"));
        assertEquals(List.of("chosen", "memory@80000000", "cpus", "hypervisor"),
            root.children().stream().map(FdtTestReader.Node::name).toList(), "no soc, no reserved pages when none");
    }
}
