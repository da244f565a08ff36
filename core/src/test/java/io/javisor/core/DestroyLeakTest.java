package io.javisor.core;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.Vbd;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.Vif;
import io.javisor.netback.bridge.Bridge;
import io.javisor.ringio.xenstore.XenStore;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Destroy releases everything a guest's devices held, in every threading mode: after N cycles of
 * create, attach, connect a Java front end, do IO, destroy, the machine's free frames, dom0's free
 * pages, the process's open files and threads, the bridge's ports and xenstore's nodes are all back
 * where they started.
 */
class DestroyLeakTest
{
    private static final int CYCLES = 12;

    enum DeviceKind
    {
        RAM_DISK, FILE_DISK, VIF
    }

    @TempDir
    Path dir;
    private Hypervisor hypervisor;

    @AfterEach
    void close()
    {
        if (hypervisor != null)
        {
            hypervisor.close();
        }
    }

    @ParameterizedTest(name = "{0} shared")
    @EnumSource(DeviceKind.class)
    void sharedThreading(final DeviceKind kind) throws Exception
    {
        cycles(BackendThreading.SHARED, kind);
    }

    @ParameterizedTest(name = "{0} dedicated")
    @EnumSource(DeviceKind.class)
    void dedicatedThreading(final DeviceKind kind) throws Exception
    {
        cycles(BackendThreading.DEDICATED, kind);
    }

    private void cycles(final BackendThreading threading, final DeviceKind kind) throws Exception
    {
        hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256).withBackendThreading(threading));
        final Path image = dir.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(1 << 20);
        }
        cycle(kind, image, 0); // the first cycle makes what lives on by design: bridge xenbr0
        final Counts before = Counts.of(hypervisor);
        for (int i = 1; i <= CYCLES; i++)
        {
            cycle(kind, image, i);
        }
        final Counts after = Counts.of(hypervisor);
        assertEquals(before, after, threading + " " + kind + " after " + CYCLES + " cycles");
    }

    private void cycle(final DeviceKind kind, final Path image, final int round) throws Exception
    {
        final Domain guest = hypervisor.createDomain(DomainConfig.pv("leak-" + round, 8));
        guest.unpause();
        AutoCloseable front;
        switch (kind)
        {
            case RAM_DISK, FILE_DISK ->
            {
                final Vbd vbd = kind == DeviceKind.RAM_DISK ?
                    hypervisor.attachDisk(guest, "format=ram, vdev=xvda, access=rw, target=1M") :
                    hypervisor.attachDisk(guest, "format=raw, vdev=xvda, access=rw, target=" + image);
                final BlkFront disk = BlkFront.attach(guest.resources(), 0, vbd.deviceId(), BlkFrontConfig.defaults());
                final UnsafeBuffer block = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
                block.setMemory(0, 4096, (byte)round);
                assertEquals(0, disk.writeBlocking(8L * round, 8, block, 0));
                assertEquals(0, disk.flushBlocking());
                front = disk;
            }
            case VIF ->
            {
                final Vif vif = hypervisor.attachVif(guest, "bridge=xenbr0");
                final NetFront nic = NetFront.attach(guest.resources(), 0, vif.handle(), NetFrontConfig.defaults());
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
                frame.setMemory(0, 6, (byte)0xFF); // broadcast
                nic.send(frame, 0, frame.capacity());
                nic.flush();
                front = nic;
            }
            default -> throw new IllegalArgumentException(kind.name());
        }
        hypervisor.destroyDomain(guest.id());
        front.close(); // the guest's side goes after its domain, as when a guest process is killed
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (guest.state() != DomainState.GONE && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertEquals(DomainState.GONE, guest.state(), "round " + round);
    }

    /**
     * What a destroyed guest's devices could leak.
     */
    record Counts(long machineFreeFrames, int dom0FreePages, long openFiles, long threads, int bridgePorts,
        int xenstoreNodes, int dom0OwnedNodes, int disks, int vifs)
    {
        static Counts of(final Hypervisor hypervisor) throws IOException, InterruptedException
        {
            final Bridge bridge = hypervisor.bridges().get("xenbr0");
            return new Counts(
                hypervisor.freeFrames(),
                hypervisor.dom0().resources().pages().freeFrames(),
                countOpenFiles(),
                settledThreadCount(),
                bridge == null ? 0 : bridge.portCount(),
                nodes(hypervisor.xenStore(), "/"),
                hypervisor.xenStore().ownedNodeCount(0),
                hypervisor.domains().stream().mapToInt(d -> hypervisor.disks(d).size()).sum(),
                hypervisor.domains().stream().mapToInt(d -> hypervisor.vifs(d).size()).sum());
        }

        private static long countOpenFiles() throws IOException
        {
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
            {
                return fds.count();
            }
        }

        /** Live threads, once threads that are exiting have had a moment to go. */
        private static long settledThreadCount() throws InterruptedException
        {
            long count = Thread.getAllStackTraces().size();
            for (int i = 0; i < 50; i++)
            {
                Thread.sleep(10);
                final long now = Thread.getAllStackTraces().size();
                if (now == count)
                {
                    return now;
                }
                count = now;
            }
            return count;
        }

        private static int nodes(final XenStore store, final String path)
        {
            int count = 1;
            final List<String> children = store.directory(0, path);
            for (final String child : children)
            {
                count += nodes(store, ("/".equals(path) ? "" : path) + "/" + child);
            }
            return count;
        }
    }
}
