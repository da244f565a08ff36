package io.javisor.emulation.fdt;

import io.javisor.emulation.device.rtc.GoldfishRtcDescriptor;
import io.javisor.emulation.hypercall.HypercallDescriptor;

/**
 * The device tree of javisor's HVM platform, which mirrors QEMU's RISC-V {@code virt} machine with one hart,
 * so that a kernel finds the same devices at the same addresses on both.
 */
public final class VirtBoardFdt
{
    public static final long DRAM_BASE = 0x8000_0000L;
    public static final long TEST_BASE = 0x0010_0000L;
    public static final long TEST_SIZE = 0x1000L;
    public static final long CLINT_BASE = 0x0200_0000L;
    public static final long CLINT_SIZE = 0x1_0000L;
    public static final long PLIC_BASE = 0x0C00_0000L;
    public static final long PLIC_SIZE = 0x60_0000L;
    public static final int PLIC_SOURCES = 95;
    public static final long UART0_BASE = 0x1000_0000L;
    public static final long UART0_SIZE = 0x100L;
    public static final int UART0_IRQ = 10;
    public static final int UART0_CLOCK_HZ = 3_686_400;
    /** The default time base (mtime, the time CSR): QEMU virt's 10 MHz. */
    public static final int TIMEBASE_HZ = 10_000_000;
    public static final String ISA = "rv64imac_zicsr_zifencei";

    /** Phandles are arbitrary non-zero ids, unique within the tree. */
    public static final int CPU0_INTC_PHANDLE = 1;
    public static final int PLIC_PHANDLE = 2;
    /** Bytes of /chosen/rng-seed (QEMU gives 32; Linux takes up to 512). */
    public static final int RNG_SEED_BYTES = 64;

    // Local interrupt numbers on the hart's interrupt controller (mcause/scause codes).
    private static final int IRQ_M_SOFTWARE = 3;
    private static final int IRQ_M_TIMER = 7;
    private static final int IRQ_S_EXTERNAL = 9;
    private static final int IRQ_M_EXTERNAL = 11;

    private static final long PAGE_SIZE = 4096;

    private VirtBoardFdt()
    {
    }

    /**
     * Build the blob.
     *
     * @param memorySize bytes of RAM at {@link #DRAM_BASE}; a positive multiple of 4 KiB.
     * @param bootargs   kernel command line for /chosen, or null for none.
     */
    public static byte[] build(final long memorySize, final String bootargs)
    {
        return build(memorySize, bootargs, NO_VIRTIO_SLOTS, 0, new long[0]);
    }

    /**
     * Build the blob with {@code virtio_mmio} nodes for the given slots of QEMU virt's virtio-mmio
     * bus (slot n at {@link #VIRTIO_BASE} + {@link #VIRTIO_STRIDE}·n, irq {@link #VIRTIO_IRQ} + n).
     */
    public static byte[] build(final long memorySize, final String bootargs, final int[] virtioSlots)
    {
        return build(memorySize, bootargs, virtioSlots, 0, new long[0]);
    }

    /**
     * Build the blob with the emulated devices a machine has.
     *
     * @param ataDisks     how many ATA channels (one disk each) at {@link #ataBase}, at most {@link #MAX_ATA}.
     * @param lan9118Macs  the MAC of each LAN9118 at {@link #lan9118Base}, at most {@link #MAX_LAN9118}.
     */
    public static byte[] build(final long memorySize, final String bootargs, final int ataDisks, final long[] lan9118Macs)
    {
        return build(memorySize, bootargs, NO_VIRTIO_SLOTS, ataDisks, lan9118Macs);
    }

    /**
     * What a domain that may make hypercalls finds in its device tree: a {@code /hypervisor} node
     * naming javisor's SBI extension and ABI version, whose interrupt is the supervisor external one
     * (the event upcall), and the top of RAM that holds the hypervisor's pages for the domain under
     * {@code /reserved-memory} (none when {@code reservedSize} is 0).
     */
    public record Hypervisor(int eid, int abiVersion, long reservedBase, long reservedSize)
    {
    }

    /**
     * Build the blob with every device a machine has: virtio-mmio slots, ATA channels and LAN9118s.
     */
    public static byte[] build(
        final long memorySize, final String bootargs, final int[] virtioSlots, final int ataDisks, final long[] lan9118Macs)
    {
        return build(memorySize, bootargs, virtioSlots, ataDisks, lan9118Macs, TIMEBASE_HZ, null);
    }

    /** {@link #build(long, String, int[], int, long[], long, Hypervisor)} without a hypervisor node. */
    public static byte[] build(final long memorySize, final String bootargs, final int[] virtioSlots, final int ataDisks,
        final long[] lan9118Macs, final long timebaseHz)
    {
        return build(memorySize, bootargs, virtioSlots, ataDisks, lan9118Macs, timebaseHz, null);
    }

    /**
     * The device tree of a PV domain's board: RAM, the hart, the {@code /hypervisor} node and the
     * reserved pages; no device at all.
     */
    public static byte[] buildPv(final long memorySize, final String bootargs, final long timebaseHz,
        final Hypervisor hypervisor)
    {
        checkMemory(memorySize);
        final FdtWriter fdt = new FdtWriter();
        fdt.beginNode("")
            .propertyU32("#address-cells", 2)
            .propertyU32("#size-cells", 2)
            .propertyString("compatible", "javisor,pv")
            .propertyString("model", "javisor,pv");
        writeChosen(fdt, bootargs, null);
        writeMemory(fdt, memorySize);
        writeCpus(fdt, checkTimebase(timebaseHz));
        writeHypervisor(fdt, hypervisor);
        return fdt.endNode().finish();
    }

    private static int checkTimebase(final long timebaseHz)
    {
        if (timebaseHz <= 0 || timebaseHz > 0xFFFF_FFFFL)
        {
            throw new IllegalArgumentException("timebase-frequency " + timebaseHz + " Hz does not fit the property's 32 bits");
        }
        return (int)timebaseHz;
    }

    /**
     * Build the blob with every device a machine has, {@code timebaseHz} as /cpus/timebase-frequency (the
     * rate of mtime and of the time CSR, which a guest converts its clock readings with), and the
     * {@code /hypervisor} node when {@code hypervisor} is not null (an HVM domain that may use PV front ends).
     */
    public static byte[] build(
        final long memorySize, final String bootargs, final int[] virtioSlots, final int ataDisks, final long[] lan9118Macs,
        final long timebaseHz, final Hypervisor hypervisor)
    {
        final int timebase = checkTimebase(timebaseHz);
        if (ataDisks < 0 || ataDisks > MAX_ATA || lan9118Macs.length > MAX_LAN9118)
        {
            throw new IllegalArgumentException("at most " + MAX_ATA + " ATA disks and " + MAX_LAN9118 +
                " LAN9118 NICs, got " + ataDisks + " and " + lan9118Macs.length);
        }
        checkMemory(memorySize);

        final FdtWriter fdt = new FdtWriter();
        fdt.beginNode("")
            .propertyU32("#address-cells", 2)
            .propertyU32("#size-cells", 2)
            .propertyString("compatible", "riscv-virtio")
            .propertyString("model", "javisor,virt");

        writeChosen(fdt, bootargs, "/soc/" + unitName("serial", UART0_BASE));
        writeMemory(fdt, memorySize);
        writeCpus(fdt, timebase);
        writeSoc(fdt, virtioSlots, ataDisks, lan9118Macs);
        if (hypervisor != null)
        {
            writeHypervisor(fdt, hypervisor);
        }
        return fdt.endNode().finish();
    }

    private static void checkMemory(final long memorySize)
    {
        // Whole pages only; a positive long cannot reach past 2^64 from DRAM_BASE, so no overflow check is needed.
        if (memorySize <= 0 || memorySize % PAGE_SIZE != 0)
        {
            throw new IllegalArgumentException("memory size 0x" + Long.toHexString(memorySize)
                + " is not a positive multiple of 4 KiB");
        }
    }

    private static void writeChosen(final FdtWriter fdt, final String bootargs, final String stdoutPath)
    {
        fdt.beginNode("chosen");
        if (null != bootargs)
        {
            fdt.propertyString("bootargs", bootargs);
        }
        if (null != stdoutPath)
        {
            fdt.propertyString("stdout-path", stdoutPath);
        }
        // Entropy for the guest kernel's RNG from its first instruction, as QEMU gives it (Linux reads
        // and then wipes /chosen/rng-seed).
        final byte[] seed = new byte[RNG_SEED_BYTES];
        new java.security.SecureRandom().nextBytes(seed);
        fdt.property("rng-seed", seed)
            .endNode();
    }

    private static void writeMemory(final FdtWriter fdt, final long memorySize)
    {
        fdt.beginNode(unitName("memory", DRAM_BASE))
            .propertyString("device_type", "memory")
            .propertyU64("reg", DRAM_BASE, memorySize)
            .endNode();
    }

    private static void writeHypervisor(final FdtWriter fdt, final Hypervisor hypervisor)
    {
        fdt.beginNode(HypercallDescriptor.DT_NODE)
            .propertyString("compatible", HypercallDescriptor.DT_COMPATIBLE)
            .propertyU32(HypercallDescriptor.DT_EID_PROPERTY, hypervisor.eid())
            .propertyU32(HypercallDescriptor.DT_VERSION_PROPERTY, hypervisor.abiVersion())
            .propertyU32("interrupts-extended", CPU0_INTC_PHANDLE, IRQ_S_EXTERNAL)
            .endNode();
        if (hypervisor.reservedSize() > 0)
        {
            fdt.beginNode("reserved-memory")
                .propertyU32("#address-cells", 2)
                .propertyU32("#size-cells", 2)
                .propertyEmpty("ranges");
            fdt.beginNode(unitName("hypervisor", hypervisor.reservedBase()))
                .propertyU64("reg", hypervisor.reservedBase(), hypervisor.reservedSize())
                .propertyEmpty("no-map")
                .endNode();
            fdt.endNode();
        }
    }

    private static void writeCpus(final FdtWriter fdt, final int timebaseHz)
    {
        fdt.beginNode("cpus")
            .propertyU32("#address-cells", 1)
            .propertyU32("#size-cells", 0)
            .propertyU32("timebase-frequency", timebaseHz);

        fdt.beginNode("cpu@0")
            .propertyString("device_type", "cpu")
            .propertyU32("reg", 0)
            .propertyString("status", "okay")
            .propertyString("compatible", "riscv")
            .propertyString("riscv,isa", ISA)
            // The newer split form, preferred by Linux 6.4 and later; both describe the same ISA.
            .propertyString("riscv,isa-base", "rv64i")
            .propertyStrings("riscv,isa-extensions", "i", "m", "a", "c", "zicsr", "zifencei")
            .propertyString("mmu-type", "riscv,sv39");

        fdt.beginNode("interrupt-controller")
            .propertyU32("#address-cells", 0)
            .propertyU32("#interrupt-cells", 1)
            .propertyEmpty("interrupt-controller")
            .propertyString("compatible", "riscv,cpu-intc")
            .propertyU32("phandle", CPU0_INTC_PHANDLE)
            .endNode();

        fdt.endNode().endNode();
    }

    private static void writeSoc(final FdtWriter fdt, final int[] virtioSlots, final int ataDisks, final long[] lan9118Macs)
    {
        fdt.beginNode("soc")
            .propertyU32("#address-cells", 2)
            .propertyU32("#size-cells", 2)
            .propertyString("compatible", "simple-bus")
            // Empty ranges: bus addresses are CPU physical addresses.
            .propertyEmpty("ranges");

        fdt.beginNode(unitName("test", TEST_BASE))
            .propertyStrings("compatible", "sifive,test1", "sifive,test0", "syscon")
            .propertyU64("reg", TEST_BASE, TEST_SIZE)
            .endNode();

        fdt.beginNode(unitName("serial", UART0_BASE))
            .propertyString("compatible", "ns16550a")
            .propertyU64("reg", UART0_BASE, UART0_SIZE)
            .propertyU32("clock-frequency", UART0_CLOCK_HZ)
            .propertyU32("interrupts", UART0_IRQ)
            .propertyU32("interrupt-parent", PLIC_PHANDLE)
            .endNode();

        fdt.beginNode(unitName("plic", PLIC_BASE))
            .propertyStrings("compatible", "sifive,plic-1.0.0", "riscv,plic0")
            .propertyU64("reg", PLIC_BASE, PLIC_SIZE)
            .propertyU32("#address-cells", 0)
            .propertyU32("#interrupt-cells", 1)
            .propertyEmpty("interrupt-controller")
            .propertyU32("riscv,ndev", PLIC_SOURCES)
            // PLIC context 0 is hart 0 M-mode, context 1 is hart 0 S-mode.
            .propertyU32("interrupts-extended",
                CPU0_INTC_PHANDLE, IRQ_M_EXTERNAL, CPU0_INTC_PHANDLE, IRQ_S_EXTERNAL)
            .propertyU32("phandle", PLIC_PHANDLE)
            .endNode();

        fdt.beginNode(unitName("clint", CLINT_BASE))
            .propertyStrings("compatible", "sifive,clint0", "riscv,clint0")
            .propertyU64("reg", CLINT_BASE, CLINT_SIZE)
            .propertyU32("interrupts-extended",
                CPU0_INTC_PHANDLE, IRQ_M_SOFTWARE, CPU0_INTC_PHANDLE, IRQ_M_TIMER)
            .endNode();

        fdt.beginNode(unitName("rtc", GoldfishRtcDescriptor.BASE))
            .propertyString("compatible", GoldfishRtcDescriptor.COMPATIBLE)
            .propertyU64("reg", GoldfishRtcDescriptor.BASE, GoldfishRtcDescriptor.SIZE)
            .propertyU32("interrupts", GoldfishRtcDescriptor.IRQ)
            .propertyU32("interrupt-parent", PLIC_PHANDLE)
            .endNode();
        writeVirtioMmio(fdt, virtioSlots);
        writeEmulatedDevices(fdt, ataDisks, lan9118Macs);
        fdt.endNode();
    }

    // ---- virtio-mmio (QEMU virt: 8 slots of 4 KiB from 0x1000_1000, irqs 1..8) ----

    public static final long VIRTIO_BASE = 0x1000_1000L;
    public static final long VIRTIO_STRIDE = 0x1000L;
    public static final long VIRTIO_SIZE = 0x1000L;
    public static final int VIRTIO_IRQ = 1;
    public static final int VIRTIO_SLOTS = 8;
    private static final int[] NO_VIRTIO_SLOTS = {};

    /** The nodes Linux's {@code virtio_mmio} binds to: compatible, reg, interrupts, interrupt-parent. */
    private static void writeVirtioMmio(final FdtWriter fdt, final int[] slots)
    {
        for (final int slot : slots)
        {
            if (slot < 0 || slot >= VIRTIO_SLOTS)
            {
                throw new IllegalArgumentException("virtio-mmio slot " + slot + " is not in 0.." + (VIRTIO_SLOTS - 1));
            }
            final long base = VIRTIO_BASE + VIRTIO_STRIDE * slot;
            fdt.beginNode(unitName("virtio_mmio", base))
                .propertyString("compatible", "virtio,mmio")
                .propertyU64("reg", base, VIRTIO_SIZE)
                .propertyU32("interrupts", VIRTIO_IRQ + slot)
                .propertyU32("interrupt-parent", PLIC_PHANDLE)
                .endNode();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Emulated devices on the platform bus (ATA, LAN9118).
    // ---------------------------------------------------------------------------------------------

    /** The platform bus for fully emulated devices. */
    public static final long PLATFORM_BUS_BASE = 0x0400_0000L;
    public static final int MAX_ATA = 4;
    public static final int MAX_LAN9118 = 4;
    /** Each ATA channel: command block at its base, control block 0x100 above; channels 4 KiB apart. */
    public static final long ATA_STRIDE = 0x1000L;
    public static final long ATA_CONTROL_OFFSET = 0x100L;
    public static final int ATA_REG_SHIFT = 2;
    public static final int ATA_PIO_MODE = 4;
    public static final long LAN9118_BASE = PLATFORM_BUS_BASE + 0x1_0000L;
    public static final long LAN9118_STRIDE = 0x1000L;
    public static final long LAN9118_SIZE = 0x100L;

    /** Command block base of ATA channel {@code i}. */
    public static long ataBase(final int i)
    {
        return PLATFORM_BUS_BASE + ATA_STRIDE * i;
    }

    /** PLIC source of ATA channel {@code i}: 12, 14, 16, 18 (clear of virtio 1..8, the UART's 10, the RTC's 11). */
    public static int ataIrq(final int i)
    {
        return 12 + 2 * i;
    }

    public static long lan9118Base(final int i)
    {
        return LAN9118_BASE + LAN9118_STRIDE * i;
    }

    /** PLIC source of LAN9118 {@code i}: 13, 15, 17, 19. */
    public static int lan9118Irq(final int i)
    {
        return 13 + 2 * i;
    }

    /**
     * The nodes Linux's {@code pata_of_platform} and {@code smsc911x} read: ATA with a board string
     * before {@code ata-generic} (as the binding's schema wants), command and control blocks as two
     * {@code reg} entries, {@code reg-shift} and {@code pio-mode}; the LAN9118 with 32-bit registers,
     * an MII PHY, an active-high push-pull interrupt (the PLIC's sources are active high) and its MAC.
     */
    private static void writeEmulatedDevices(final FdtWriter fdt, final int ataDisks, final long[] lan9118Macs)
    {
        for (int i = 0; i < ataDisks; i++)
        {
            final long base = ataBase(i);
            fdt.beginNode(unitName("ata", base))
                .propertyStrings("compatible", "javisor,pata", "ata-generic")
                .propertyU64("reg", base, 8L << ATA_REG_SHIFT, base + ATA_CONTROL_OFFSET, 1L << ATA_REG_SHIFT)
                .propertyU32("reg-shift", ATA_REG_SHIFT)
                .propertyU32("pio-mode", ATA_PIO_MODE)
                .propertyU32("interrupts", ataIrq(i))
                .propertyU32("interrupt-parent", PLIC_PHANDLE)
                .endNode();
        }
        for (int i = 0; i < lan9118Macs.length; i++)
        {
            final long base = lan9118Base(i);
            final byte[] mac = new byte[6];
            for (int b = 0; b < 6; b++)
            {
                mac[b] = (byte)(lan9118Macs[i] >>> (40 - 8 * b));
            }
            fdt.beginNode(unitName("ethernet", base))
                .propertyStrings("compatible", "smsc,lan9118", "smsc,lan9115")
                .propertyU64("reg", base, LAN9118_SIZE)
                .propertyU32("interrupts", lan9118Irq(i))
                .propertyU32("interrupt-parent", PLIC_PHANDLE)
                .propertyU32("reg-io-width", 4)
                .propertyString("phy-mode", "mii")
                .propertyEmpty("smsc,irq-active-high")
                .propertyEmpty("smsc,irq-push-pull")
                .property("local-mac-address", mac)
                .endNode();
        }
    }

    private static String unitName(final String name, final long address)
    {
        return name + "@" + Long.toHexString(address);
    }
}
