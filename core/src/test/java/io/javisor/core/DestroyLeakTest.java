package io.javisor.core;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.Vbd;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.Vif;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.RandomAccessFile;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Destroy releases everything a guest's devices held, in every threading mode: after N cycles of
 * create, attach, connect a Java front end, do IO, destroy, every count of {@link LeakCensus} (frames,
 * dom0's pages and event channel ports and grant mappings, xenstore's nodes and watches, bridge ports,
 * open files, threads, direct buffers, RAM-disk mappings) is back where it started, and no destroyed
 * domain, device or front end is still reachable. {@link GuestCodeDestroyLeakTest} does the same for
 * domains that run guest code and for every emulated and virtio device. {@code -Djavisor.leak.cycles=N}
 * runs N cycles (a soak).
 */
class DestroyLeakTest
{
    private static final int CYCLES = Integer.getInteger("javisor.leak.cycles", 12);

    enum DeviceKind
    {
        RAM_DISK, FILE_DISK, VIF
    }

    @TempDir
    Path dir;
    private Hypervisor hypervisor;
    /** Every domain, device and front end of a destroyed cycle; all must be collectable. */
    private final List<WeakReference<Object>> destroyed = new ArrayList<>();

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
        final LeakCensus before = LeakCensus.settled(hypervisor, destroyed);
        for (int i = 1; i <= CYCLES; i++)
        {
            cycle(kind, image, i);
        }
        final LeakCensus after = LeakCensus.settled(hypervisor, destroyed, before);
        final long reachable = LeakCensus.stillReachable(destroyed);
        assertEquals(List.of(), before.differencesTo(after), threading + " " + kind + " after " + CYCLES + " cycles, " +
            reachable + " destroyed objects reachable: " + after);
        assertEquals(0, reachable, "destroyed domains, devices or front ends reachable");
    }

    private void cycle(final DeviceKind kind, final Path image, final int round) throws Exception
    {
        final Domain guest = hypervisor.createDomain(DomainConfig.pv("leak-" + round, 8));
        guest.unpause();
        destroyed.add(new WeakReference<>(guest));
        AutoCloseable front;
        switch (kind)
        {
            case RAM_DISK, FILE_DISK ->
            {
                final Vbd vbd = kind == DeviceKind.RAM_DISK ?
                    hypervisor.backends().attachDisk(guest, "format=ram, vdev=xvda, access=rw, target=1M") :
                    hypervisor.backends().attachDisk(guest, "format=raw, vdev=xvda, access=rw, target=" + image);
                final BlkFront disk = BlkFront.attach(guest.resources(), 0, vbd.deviceId(), BlkFrontConfig.defaults());
                destroyed.add(new WeakReference<>(vbd));
                destroyed.add(new WeakReference<>(disk));
                final UnsafeBuffer block = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
                block.setMemory(0, 4096, (byte)round);
                assertEquals(0, disk.writeBlocking(8L * round, 8, block, 0));
                assertEquals(0, disk.flushBlocking());
                front = disk;
            }
            case VIF ->
            {
                final Vif vif = hypervisor.backends().attachVif(guest, "bridge=xenbr0");
                final NetFront nic = NetFront.attach(guest.resources(), 0, vif.handle(), NetFrontConfig.defaults());
                destroyed.add(new WeakReference<>(vif));
                destroyed.add(new WeakReference<>(nic));
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
}
