package io.javisor.core.stubdom;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.DomainState;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.core.ProcessCensus;
import io.javisor.emulation.guests.DiskIoJob;
import io.javisor.emulation.guests.DiskIoJobDescriptor;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HVM guests with one ATA disk for the stub domain tests, on a hypervisor of theirs. */
final class StubGuests
{
    /**
     * What stub domains could leave in this process: children, threads but those of shared pools that grow
     * and shrink on their own (the JDK's common pool, where the start watchdog runs; process reapers, kept a
     * while when idle; the guest code JIT's compiler, started by the first hot guest), files, stub directories.
     * Taken after a first round has started the JDK's and the hypervisor's lazily started threads.
     */
    static final ProcessCensus.Scope CENSUS = new ProcessCensus.Scope(
        name -> !name.startsWith("ForkJoinPool.commonPool-worker-") && !name.equals("process reaper") &&
            !name.equals("javisor-jit-compiler"),
        StubDomain.DIRECTORY_PREFIX);

    static final int DOMAIN_MIB = 16;

    /** A guest started, with its console. */
    record Started(Domain domain, HvmGuest guest, RecordingConsole console)
    {
        /** Waits (at most a minute) until the console shows {@code line}. */
        void awaitLine(final String line) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (!console.text().contains(line) && guest.exit() == null && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            if (!console.text().contains(line))
            {
                throw new AssertionError("no line '" + line + "' from " + domain.name() + ": " + guest.exit() + "\n" + console.text());
            }
        }
    }

    private StubGuests()
    {
    }

    static Path image(final Path dir, final String name) throws IOException
    {
        final Path image = dir.resolve(name);
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(1 << 20);
        }
        return image;
    }

    /** The ata-disk guest (our own driver's write, flush, read back, polled and with interrupts) on {@code image}. */
    static Started ataDisk(final Hypervisor hypervisor, final String name, final Path image, final boolean stub)
    {
        return start(hypervisor, name, image, "hda", stub, GuestImages.load("ata-disk"), new MachineConfig());
    }

    /**
     * The virtio-blk guest (eight 4 KiB writes, a flush and the reads compared, polled and then with
     * interrupts; get-id; a read past the end) on {@code image} as vda.
     */
    static Started virtioBlk(final Hypervisor hypervisor, final String name, final Path image, final boolean stub)
    {
        return start(hypervisor, name, image, "vda", stub, GuestImages.load("virtio-blk"), new MachineConfig());
    }

    /**
     * A hypervisor whose machine memory is a file ({@code memory}), as the javisor daemon keeps it: a stub
     * domain can map its guests' RAM.
     */
    static Hypervisor fileBacked(final Path memory)
    {
        return new Hypervisor(io.javisor.core.HypervisorConfig.defaults().withMachineMemoryMiB(128).withMachineMemoryFile(memory));
    }

    /** Checks the blocks the virtio-blk guest wrote (src/virtio-blk.c's round trips from sectors 0 and 64) are on {@code image}. */
    static void assertVirtioBlkPattern(final Path image) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "r"))
        {
            for (int sector = 0; sector < 128; sector += 8)
            {
                final int salt = sector < 64 ? 0 : 3;
                final byte[] expected = new byte[4096];
                for (int i = 0; i < expected.length; i++)
                {
                    expected[i] = (byte)(i * 7 + (i >> 8) + salt);
                }
                expected[0] = (byte)sector;
                final byte[] block = new byte[4096];
                file.seek(sector * 512L);
                file.readFully(block);
                org.junit.jupiter.api.Assertions.assertArrayEquals(expected, block, "the block at sector " + sector +
                    " the guest wrote");
            }
        }
    }

    /**
     * The disk-io guest reading {@code requests} 4 KiB blocks one after another, polled: through a stub
     * domain, long enough to be running whenever a test acts on it.
     */
    static Started diskReader(final Hypervisor hypervisor, final String name, final Path image, final boolean stub,
        final int requests)
    {
        return diskReader(hypervisor, name, image, "hda", stub, requests);
    }

    /** As {@link #diskReader} with the disk-io guest of the disk {@code vdev} names: hdX (ATA) or vdX (virtio-blk). */
    static Started diskReader(final Hypervisor hypervisor, final String name, final Path image, final String vdev,
        final boolean stub, final int requests)
    {
        final ElfImage kernel = GuestImages.load(vdev.startsWith("vd") ? "disk-io-virtio" : "disk-io-ata");
        final int[] ops = new int[requests];
        final long[] sectors = new long[requests];
        for (int i = 0; i < requests; i++)
        {
            sectors[i] = (i % 200) * 8L;
        }
        final long at = kernel.symbol(DiskIoJobDescriptor.SYMBOL).orElseThrow();
        final MachineConfig machine = new MachineConfig().preload(at, new DiskIoJob(ops, sectors, new long[requests], 0, 0).encode());
        return start(hypervisor, name, image, vdev, stub, kernel, machine);
    }

    /**
     * The disk-io guest of the disk {@code vdev} names reading {@code requests} 4 KiB blocks in an open
     * loop, paced evenly over {@code spanMillis} of guest time: its IO runs that long however fast the
     * machine serves it (each request no earlier than its due time), so that a test acting on it finds
     * it mid-run.
     */
    static Started pacedDiskReader(final Hypervisor hypervisor, final String name, final Path image, final String vdev,
        final int requests, final long spanMillis)
    {
        final ElfImage kernel = GuestImages.load(vdev.startsWith("vd") ? "disk-io-virtio" : "disk-io-ata");
        final int[] ops = new int[requests];
        final long[] sectors = new long[requests];
        final long[] due = new long[requests];
        final long ticksPerMilli = io.javisor.emulation.fdt.VirtBoardFdt.TIMEBASE_HZ / 1000;
        for (int i = 0; i < requests; i++)
        {
            sectors[i] = (i % 200) * 8L;
            due[i] = spanMillis * ticksPerMilli * i / requests;
        }
        final long at = kernel.symbol(DiskIoJobDescriptor.SYMBOL).orElseThrow();
        final MachineConfig machine = new MachineConfig().preload(at,
            new DiskIoJob(ops, sectors, due, 0, DiskIoJobDescriptor.FLAG_OPEN_LOOP).encode());
        return start(hypervisor, name, image, vdev, true, kernel, machine);
    }

    private static Started start(final Hypervisor hypervisor, final String name, final Path image, final String vdev,
        final boolean stub, final ElfImage kernel, final MachineConfig machine)
    {
        final Domain domain = hypervisor.createDomain(DomainConfig.hvm(name, DOMAIN_MIB));
        hypervisor.backends().attachHvmDisk(domain, "format=raw, vdev=" + vdev + ", access=rw, target=" + image);
        final RecordingConsole console = new RecordingConsole();
        final HvmGuest guest = hypervisor.startHvm(domain, machine.kernel(kernel).bootMode(BootMode.BARE).console(console)
            .deviceModelStubDomain(stub));
        return new Started(domain, guest, console);
    }

    /** The stub domain processes this process runs now. */
    static java.util.List<ProcessHandle> stubProcesses()
    {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
            .filter(p -> p.info().commandLine().orElse("").contains("StubDomainMain") ||
                p.info().commandLine().orElse("").contains("StubMain"))
            .toList();
    }

    /** The guest ended by its finisher with exit code 0 within two minutes. */
    static void assertFinished(final HvmGuest guest, final RecordingConsole console) throws InterruptedException
    {
        final MachineExit exit = guest.awaitExit(120, TimeUnit.SECONDS);
        assertNotNull(exit, "the guest ended; so far:\n" + console.text());
        assertEquals(MachineExit.Kind.FINISHER, exit.kind(), exit + "\n" + console.text());
        assertEquals(0, exit.exitCode(), console.text());
    }

    /** A console's text without the lines that carry timings (they differ from run to run). */
    static String withoutTiming(final String text)
    {
        return text.lines().filter(l -> !l.contains(": timing ")).map(l -> l + "\n").collect(Collectors.joining());
    }

    /** The victim whose stub domain was killed with SIGKILL crashed, with that reason recorded; it is printed. */
    static void assertCrashedByItsStubsKill(final Started victim) throws InterruptedException
    {
        final MachineExit crashed = victim.guest().awaitExit(30, TimeUnit.SECONDS);
        assertNotNull(crashed, "the victim's vCPU noticed");
        assertEquals(MachineExit.Kind.CRASHED, crashed.kind(), crashed.toString());
        assertEquals(DomainState.CRASHED, victim.domain().state());
        final String reason = victim.domain().crashReason();
        System.out.println("victim's crash reason: " + reason);
        assertTrue(reason.contains("stub domain of victim") && reason.contains("was killed by signal 9 (SIGKILL)"), reason);
    }
}
