package io.javisor.core;

import io.javisor.emulation.loader.RiscvKernelImage;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import io.javisor.emulation.machine.VirtMachine;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.Vif;
import io.javisor.netback.spec.MacAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Linux as the real client of the HVM devices: a Linux 6.1 kernel built from Debian's source with
 * {@code emulation/guests/linux/javisor.config} boots on javisor with an ATA disk, a LAN9118, a
 * virtio-blk disk and a virtio-net NIC, and its own drivers ({@code pata_of_platform} with {@code sd},
 * {@code smsc911x}, {@code virtio_mmio} with {@code virtio_blk} and {@code virtio_net}) probe them. Its
 * init ({@code init.c} there) reads the pattern this test wrote into each disk image, writes its own
 * and reads it back through the block device, and has a Java PV guest on the same bridge echo frames
 * of 60..1514 bytes on each NIC; the test checks what reached the images and the echo guest, and the
 * guest's result and probe lines. Skipped only when the toolchain or the kernel source is not
 * installed ({@code .ci/run} installs them).
 */
@Seeded
class LinuxGuestTest
{
    private static final int DISK_BYTES = 8 << 20;
    private static final int REGION = 64 << 10;
    /** init.c's pattern tags: 16 * disk + region, sda 1 and vda 2; region 0 is the host's, 1 the guest's. */
    private static final int SDA = 1;
    private static final int VDA = 2;
    private static final int ECHOES = 16;
    private static final long FRAME_TAG = 0x100;
    private static final int ETHERTYPE = 0x88B5;
    private static final int MAGIC = 'J' << 24 | 'V' << 16 | 'L' << 8 | 'X';
    private static final int KIND_REQUEST = 1;
    private static final int KIND_REPLY = 2;
    private static final long RUN_TIMEOUT_SECONDS = 300;
    private static final Pattern STARTED = Pattern.compile("init: started (\\d+) ms after boot, wall clock (\\d+) s since 1970");

    @TempDir
    Path dir;
    private final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @Test
    void linuxDriversProbeAllFourDevicesAndMoveDataThroughEach(final Seed seed) throws Exception
    {
        final long testStart = System.nanoTime();
        final LinuxGuestKernel kernel = LinuxGuestKernel.buildOrTakeCached(dir);
        final SplittableRandom random = seed.splittableRandom();
        final long patternSeed = random.nextLong();
        final long lanMac = MacAddress.randomXen(random);
        final long virtioMac = MacAddress.randomXen(random);
        final Path sdaImage = diskWithHostPattern("sda.img", patternSeed, SDA);
        final Path vdaImage = diskWithHostPattern("vda.img", patternSeed, VDA);

        final EchoGuest echo = new EchoGuest(hypervisor, "br0", patternSeed);
        final Domain linux = hypervisor.createDomain(DomainConfig.hvm("linux", 128));
        hypervisor.backends().attachHvmDisk(linux, "format=raw, vdev=hda, target=" + sdaImage);
        hypervisor.backends().attachHvmDisk(linux, "format=raw, vdev=vda, target=" + vdaImage);
        hypervisor.backends().attachHvmVif(linux, "model=lan9118, bridge=br0, mac=" + MacAddress.toString(lanMac));
        hypervisor.backends().attachHvmVif(linux, "model=virtio, bridge=br0, mac=" + MacAddress.toString(virtioMac));
        final RecordingConsole console = new RecordingConsole();
        final String bootargs = "console=ttyS0 seed=" + Long.toUnsignedString(patternSeed) + " peer=" +
            MacAddress.toString(echo.vif.macAddress());
        final long bootStart = System.nanoTime();
        final long bootEpochSecond = System.currentTimeMillis() / 1000;
        final MachineConfig machine = new MachineConfig().bootMode(BootMode.BUILTIN)
            .kernel(RiscvKernelImage.toElf(Files.readAllBytes(kernel.image()), VirtMachine.KERNEL_BASE))
            .bootargs(bootargs).console(console);
        final HvmGuest guest = hypervisor.startHvm(linux, machine);
        final long initSeenNanos = echo.echoUntilExit(guest, console, bootStart);
        final MachineExit exit = guest.awaitExit(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        final String text = console.text().replace("\r", "");
        assertNotNull(exit, "Linux did not power off in " + RUN_TIMEOUT_SECONDS + " s; so far:\n" + text);
        hypervisor.destroyDomain(linux.id());

        assertEquals(MachineExit.Kind.SHUTDOWN, exit.kind(), exit + "\n" + text);
        assertEquals(0, exit.exitCode(), text);
        assertTrue(text.contains("reboot: Power down"), text);
        final long sectors = DISK_BYTES / 512;
        // The kernel's own drivers found each device where the device tree put it.
        assertLine(text, "scsi host\\d+: pata_of_platform");
        assertLine(text, "ata\\d+\\.00: " + sectors + " sectors, multi \\d+: LBA48 ?");
        assertLine(text, "sd \\d+:0:0:0: \\[sda\\] " + sectors + " 512-byte logical blocks: .*");
        assertLine(text, "virtio_blk virtio\\d+: \\[vda\\] " + sectors + " 512-byte logical blocks .*");
        assertLine(text, "smsc911x [0-9a-f]+\\.ethernet eth\\d: MAC Address: " + MacAddress.toString(lanMac));
        assertLine(text, "smsc911x [0-9a-f]+\\.ethernet eth\\d: SMSC911x/921x identified at .*");
        assertLine(text, "goldfish_rtc [0-9a-f]+\\.rtc: registered as rtc0");
        // Its init's verdict on each device: no FAIL, one ok line each.
        assertTrue(text.lines().noneMatch(l -> l.contains("FAIL")), text);
        assertLine(text, "result disk sda: ok .*");
        assertLine(text, "result disk vda: ok .*");
        assertLine(text, "result net eth\\d smsc911x " + MacAddress.toString(lanMac) + ": ok " + ECHOES + " frames .*");
        assertLine(text, "result net eth\\d virtio_net " + MacAddress.toString(virtioMac) + ": ok " + ECHOES + " frames .*");
        // What the guest wrote reached the images; what the host wrote is still there.
        assertImage(sdaImage, patternSeed, SDA);
        assertImage(vdaImage, patternSeed, VDA);
        // The echo guest got every request from each NIC, whole.
        assertEquals(0, echo.malformed, "requests that were not what init.c sends");
        assertEquals(Map.of(lanMac, ECHOES, virtioMac, ECHOES), echo.requestsByMac(), "distinct requests per NIC");
        // The RTC started the guest's wall clock at the host's.
        final Matcher started = STARTED.matcher(text);
        assertTrue(started.find(), text);
        assertTrue(Math.abs(Long.parseLong(started.group(2)) - bootEpochSecond) < 60,
            "guest wall clock " + started.group(2) + " s, host " + bootEpochSecond + " s at boot");

        System.out.printf("linux guest: kernel %s in %.1f s; init %s ms after boot (guest clock), seen %.2f s after start " +
                "(host); %,d instructions in %.2f s (%.1f MIPS, %s tier); test %.1f s%n",
            kernel.compiled() ? "built" : "taken from the cache", kernel.seconds(), started.group(1),
            initSeenNanos / 1e9, exit.instructions(), exit.nanos() / 1e9, exit.mips(),
            machine.cpuTier(), (System.nanoTime() - testStart) / 1e9);
        text.lines().filter(l -> l.startsWith("result ")).forEach(l -> System.out.println("linux guest: " + l));
    }

    private Path diskWithHostPattern(final String name, final long patternSeed, final int disk) throws Exception
    {
        final byte[] bytes = new byte[DISK_BYTES];
        System.arraycopy(pattern(patternSeed, 16L * disk, REGION), 0, bytes, 0, REGION);
        final Path image = dir.resolve(name);
        Files.write(image, bytes);
        return image;
    }

    private static void assertImage(final Path image, final long patternSeed, final int disk) throws Exception
    {
        final byte[] bytes = Files.readAllBytes(image);
        assertArrayEquals(pattern(patternSeed, 16L * disk, REGION), Arrays.copyOfRange(bytes, 0, REGION),
            image + ": the host's region");
        assertArrayEquals(pattern(patternSeed, 16L * disk + 1, REGION), Arrays.copyOfRange(bytes, REGION, 2 * REGION),
            image + ": the guest's region");
        final byte[] zeros = new byte[DISK_BYTES - 2 * REGION];
        assertArrayEquals(zeros, Arrays.copyOfRange(bytes, 2 * REGION, DISK_BYTES), image + ": the rest, untouched");
    }

    private static void assertLine(final String text, final String regex)
    {
        final Pattern pattern = Pattern.compile("^(\\[ *\\d+\\.\\d+\\] )?" + regex + "$", Pattern.MULTILINE);
        assertTrue(pattern.matcher(text).find(), "no line matches " + regex + " in:\n" + text);
    }

    /** init.c's {@code fill_pattern}: splitmix64 words, little-endian, seeded with seed ^ tag * golden. */
    static byte[] pattern(final long seed, final long tag, final int length)
    {
        final ByteBuffer out = ByteBuffer.allocate((length + 7) & ~7).order(ByteOrder.LITTLE_ENDIAN);
        long state = seed ^ tag * 0x9E3779B97F4A7C15L;
        while (out.hasRemaining())
        {
            long z = state += 0x9E3779B97F4A7C15L;
            z = (z ^ z >>> 30) * 0xBF58476D1CE4E5B9L;
            z = (z ^ z >>> 27) * 0x94D049BB133111EBL;
            out.putLong(z ^ z >>> 31);
        }
        return Arrays.copyOf(out.array(), length);
    }

    /** init.c's {@code frame_length}: 60, then lengths spread over 61..1514. */
    static int frameLength(final int seq)
    {
        return seq == 0 ? 60 : 61 + seq * 389 % 1454;
    }

    /**
     * A Java PV guest on the bridge that answers each request init.c sends with the same frame, its
     * addresses swapped and its kind turned into a reply, after checking it is exactly what init.c
     * builds for that sequence number. Runs on the test thread.
     */
    private static final class EchoGuest
    {
        final Vif vif;
        final NetFront front;
        final long patternSeed;
        final Map<Long, boolean[]> seen = new HashMap<>();
        int malformed;

        EchoGuest(final Hypervisor hypervisor, final String bridge, final long patternSeed)
        {
            final Domain domain = hypervisor.createDomain(DomainConfig.pv("java-echo", 16));
            this.vif = hypervisor.backends().attachVif(domain, "bridge=" + bridge);
            this.front = NetFront.attach(domain.resources(), 0, vif.handle(), NetFrontConfig.defaults());
            this.patternSeed = patternSeed;
        }

        /** @return nanoseconds from {@code bootStart} until init's first line was on the console, or -1 */
        long echoUntilExit(final HvmGuest guest, final RecordingConsole console, final long bootStart)
        {
            final List<byte[]> received = new java.util.ArrayList<>();
            final UnsafeBuffer reply = new UnsafeBuffer(new byte[1514]);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_SECONDS);
            long initSeen = -1;
            try (front)
            {
                while (guest.exit() == null && System.nanoTime() < deadline)
                {
                    if (initSeen < 0 && console.text().contains("init: started"))
                    {
                        initSeen = System.nanoTime() - bootStart;
                    }
                    front.poll((buffer, offset, length) ->
                    {
                        final byte[] copy = new byte[length];
                        buffer.getBytes(offset, copy);
                        received.add(copy);
                    });
                    for (final byte[] frame : received)
                    {
                        final int length = frame.length;
                        final UnsafeBuffer in = new UnsafeBuffer(frame);
                        if (length < 20 || (in.getShort(12, ByteOrder.BIG_ENDIAN) & 0xFFFF) != ETHERTYPE ||
                            in.getInt(14, ByteOrder.BIG_ENDIAN) != MAGIC || in.getByte(18) != KIND_REQUEST)
                        {
                            continue;
                        }
                        final int seq = frame[19] & 0xFF;
                        if (seq >= ECHOES || length != frameLength(seq) || !Arrays.equals(frame, 20, length,
                            pattern(patternSeed, FRAME_TAG + seq, length), 20, length))
                        {
                            malformed++;
                            continue;
                        }
                        seen.computeIfAbsent(MacAddress.read(in, 6), mac -> new boolean[ECHOES])[seq] = true;
                        reply.putBytes(0, frame, 6, 6);
                        reply.putBytes(6, frame, 0, 6);
                        reply.putBytes(12, frame, 12, length - 12);
                        reply.putByte(18, (byte)KIND_REPLY);
                        assertTrue(front.send(reply, 0, length));
                        front.flush();
                    }
                    received.clear();
                    front.awaitActivity(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            return initSeen;
        }

        Map<Long, Integer> requestsByMac()
        {
            final Map<Long, Integer> counts = new HashMap<>();
            seen.forEach((mac, seqs) ->
            {
                int n = 0;
                for (final boolean s : seqs)
                {
                    n += s ? 1 : 0;
                }
                counts.put(mac, n);
            });
            return counts;
        }
    }
}
