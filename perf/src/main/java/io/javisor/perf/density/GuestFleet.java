package io.javisor.perf.density;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.Vbd;
import io.javisor.blkback.wire.BlkifDescriptor;
import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.Hypervisor;
import io.javisor.netback.FrameHandler;
import io.javisor.netback.NetFront;
import io.javisor.netback.Vif;
import io.javisor.netback.spec.MacAddress;
import io.javisor.netback.wire.EthernetDescriptor;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The guests of one density run and the three things done to them: create them one by one (each
 * step timed), drive a closed-loop IO workload on all of them at once, destroy them one by one
 * (timed). Guests sit on bridges of at most {@link #GUESTS_PER_BRIDGE} vifs (a Linux bridge takes
 * 1023 ports), and each sends its frames to a partner on its own bridge.
 * <p>
 * Single-threaded: the calling thread plays every guest, so it owns every front end; dom0's
 * shared back ends serve them on their own threads.
 */
final class GuestFleet
{
    /** Vifs per bridge. Even, so that partners (2k, 2k+1) share one. */
    static final int GUESTS_PER_BRIDGE = 1000;
    /** A light guest's memory. */
    static final int GUEST_MEMORY_MIB = 1;
    /** A light guest's grant table (512 references) and event channels. */
    static final int GUEST_GRANT_FRAMES = 1;
    static final int GUEST_EVENT_CHANNELS = 64;
    /** Each guest's RAM disk. */
    static final String DISK_TARGET = "1M";
    static final int BLOCK_SIZE = 4096;
    static final int BLOCKS = 256;
    static final int FRAME_LENGTH = 64;
    /** Transmit pages, and receive pages kept posted, of each guest's NetFront. */
    static final int NIC_BUFFERS = 4;
    private static final long MAC_BASE = MacAddress.XEN_OUI << 24;
    private static final long WORKLOAD_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** How long the IO phase waits for a frame that is neither delivered nor dropped. */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long HISTOGRAM_MAX_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Hypervisor hypervisor;
    private final int count;
    private final LightGuest[] guests;
    private final UnsafeBuffer block = new UnsafeBuffer(ByteBuffer.allocateDirect(BLOCK_SIZE));
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(FRAME_LENGTH));
    private int created;

    /** Each step of a create, then the whole; and destroy. In nanoseconds. */
    final Histogram createDomain = histogram();
    final Histogram attachDisk = histogram();
    final Histogram attachVif = histogram();
    final Histogram connectDisk = histogram();
    final Histogram connectNic = histogram();
    final Histogram create = histogram();
    final Histogram destroy = histogram();

    GuestFleet(final Hypervisor hypervisor, final int count)
    {
        if (count < 2)
        {
            throw new IllegalArgumentException("a fleet needs at least 2 guests: " + count);
        }
        this.hypervisor = hypervisor;
        this.count = count;
        this.guests = new LightGuest[count];
    }

    int count()
    {
        return count;
    }

    int created()
    {
        return created;
    }

    LightGuest guest(final int index)
    {
        return guests[index];
    }

    static long macOf(final int index)
    {
        return MAC_BASE | (index + 1);
    }

    /** The bridge of guest {@code index}: groups of {@link #GUESTS_PER_BRIDGE}, no group of one. */
    int bridgeOf(final int index)
    {
        return Math.min(index / GUESTS_PER_BRIDGE, (count - 2) / GUESTS_PER_BRIDGE);
    }

    /** Where guest {@code index}'s frames go: its pair partner, or for an odd last guest the one before. */
    int partnerOf(final int index)
    {
        final int pair = index ^ 1;
        return pair < count ? pair : index - 1;
    }

    static DomainConfig lightDomain(final String name)
    {
        return DomainConfig.pv(name, GUEST_MEMORY_MIB).withGrantFrames(GUEST_GRANT_FRAMES).withMaxEventChannels(GUEST_EVENT_CHANNELS);
    }

    /**
     * Creates the next guest: domain, RAM disk, vif, both front ends connected. Each step is timed.
     */
    LightGuest createNext()
    {
        final int index = created;
        final long t0 = System.nanoTime();
        final Domain domain = hypervisor.createDomain(lightDomain("density-" + index));
        domain.unpause();
        final long t1 = System.nanoTime();
        final Vbd vbd = hypervisor.backends().attachDisk(domain, "format=ram, vdev=xvda, access=rw, target=" + DISK_TARGET);
        final long t2 = System.nanoTime();
        final long mac = macOf(index);
        final Vif vif = hypervisor.backends().attachVif(domain, "mac=" + MacAddress.toString(mac) + ", bridge=xenbr" + bridgeOf(index));
        final long t3 = System.nanoTime();
        final BlkFront disk = BlkFront.attach(domain.resources(), Hypervisor.DOM0, vbd.deviceId(), LightGuest.diskConfig());
        final long t4 = System.nanoTime();
        final NetFront nic = NetFront.attach(domain.resources(), Hypervisor.DOM0, vif.handle(), LightGuest.nicConfig(NIC_BUFFERS));
        final long t5 = System.nanoTime();
        createDomain.recordValue(t1 - t0);
        attachDisk.recordValue(t2 - t1);
        attachVif.recordValue(t3 - t2);
        connectDisk.recordValue(t4 - t3);
        connectNic.recordValue(t5 - t4);
        create.recordValue(t5 - t0);
        final LightGuest guest = new LightGuest(domain, mac, macOf(partnerOf(index)), vbd, vif, disk, nic);
        guests[index] = guest;
        created++;
        return guest;
    }

    /**
     * Every guest keeps one 4 KiB read of a random block in flight until it has done
     * {@code readsPerGuest}.
     *
     * @return the outcome: reads completed, errors, elapsed time.
     */
    Throughput readAll(final int readsPerGuest, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int[] errors = new int[1];
        final int[] completed = new int[1];
        final BlkCompletionCounter counter = new BlkCompletionCounter(completed, errors);
        final long expected = (long)readsPerGuest * created;
        final long start = System.nanoTime();
        for (int i = 0; i < created; i++)
        {
            guests[i].readsLeft(readsPerGuest);
            issueRead(guests[i], random);
        }
        final long deadline = start + WORKLOAD_TIMEOUT_NANOS;
        while (completed[0] < expected)
        {
            for (int i = 0; i < created; i++)
            {
                final LightGuest guest = guests[i];
                if (guest.disk().poll(counter) > 0 && guest.readsLeft() > 0)
                {
                    issueRead(guest, random);
                }
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("reads did not complete within 60 s: " + completed[0] + " of " + expected);
            }
        }
        return new Throughput(completed[0], errors[0], System.nanoTime() - start);
    }

    private void issueRead(final LightGuest guest, final SplittableRandom random)
    {
        final long sector = (long)random.nextInt(BLOCKS) * (BLOCK_SIZE / BlkifDescriptor.SECTOR_SIZE);
        if (!guest.disk().read(sector, BLOCK_SIZE / BlkifDescriptor.SECTOR_SIZE, block, 0, 0))
        {
            throw new IllegalStateException("a light guest's disk queue is full with nothing in flight");
        }
        guest.disk().submit();
        guest.readIssued();
    }

    /**
     * Teaches each bridge every guest's address (a frame to itself, which the bridge learns from and
     * filters), then every guest sends {@code framesPerGuest} frames of {@link #FRAME_LENGTH} bytes to
     * its partner, keeping at most its transmit buffers in flight, until every frame has arrived or
     * been dropped by the back end (its vif counters say so).
     *
     * @return frames received, frames dropped, elapsed time.
     * @throws IllegalStateException when frames are neither delivered nor dropped for
     *                               {@link #STALL_NANOS}: one was lost, which is a bug.
     */
    Throughput sendAll(final int framesPerGuest)
    {
        for (int i = 0; i < created; i++)
        {
            send(guests[i], guests[i].mac());
        }
        settleTransmits();
        final long dropsBefore = drops();
        final long expected = (long)framesPerGuest * created;
        final FrameCounter counter = new FrameCounter();
        final long start = System.nanoTime();
        for (int i = 0; i < created; i++)
        {
            guests[i].framesLeft(framesPerGuest);
        }
        long lastProgress = start;
        long received = 0;
        long dropped = 0;
        while (received + dropped + counter.strangers < expected)
        {
            boolean progress = false;
            for (int i = 0; i < created; i++)
            {
                final LightGuest guest = guests[i];
                counter.receiver = guest;
                final int frames = guest.nic().poll(counter);
                received += counter.take();
                progress |= frames > 0;
                if (guest.framesLeft() > 0 && send(guest, guest.partnerMac()))
                {
                    guest.frameSent();
                    progress = true;
                }
            }
            final long now = System.nanoTime();
            if (progress)
            {
                lastProgress = now;
            }
            else
            {
                dropped = drops() - dropsBefore;
                if (now - lastProgress > STALL_NANOS)
                {
                    throw new IllegalStateException("frames neither delivered nor dropped for " + STALL_NANOS / 1_000_000_000
                        + " s: " + received + " received, " + dropped + " dropped, " + counter.strangers + " misdelivered of "
                        + expected);
                }
            }
        }
        return new Throughput(received, dropped + counter.strangers, System.nanoTime() - start);
    }

    private long drops()
    {
        long drops = 0;
        for (int i = 0; i < created; i++)
        {
            drops += guests[i].drops();
        }
        return drops;
    }

    private boolean send(final LightGuest guest, final long destination)
    {
        MacAddress.write(destination, frame, 0);
        MacAddress.write(guest.mac(), frame, EthernetDescriptor.ADDRESS_LENGTH);
        frame.putShort(2 * EthernetDescriptor.ADDRESS_LENGTH, (short)0xB588); // 0x88B5 local experimental, network order
        if (!guest.nic().send(frame, 0, FRAME_LENGTH))
        {
            return false;
        }
        guest.nic().flush();
        return true;
    }

    /** Polls every guest until each has its transmit buffers back (the learning frames are answered). */
    private void settleTransmits()
    {
        final FrameHandler ignore = (buffer, offset, length) -> { };
        final long deadline = System.nanoTime() + WORKLOAD_TIMEOUT_NANOS;
        for (int i = 0; i < created; i++)
        {
            final NetFront nic = guests[i].nic();
            while (nic.txBuffersFree() < NIC_BUFFERS)
            {
                nic.poll(ignore);
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("the learning frames were not answered within 60 s");
                }
            }
        }
    }

    /**
     * Destroys every guest, in creation order, each timed.
     */
    void destroyAll()
    {
        for (int i = 0; i < created; i++)
        {
            final long t0 = System.nanoTime();
            guests[i].destroy(hypervisor);
            destroy.recordValue(System.nanoTime() - t0);
        }
    }

    /**
     * Guests whose domain is not gone yet, after waiting at most {@code timeoutNanos} for them.
     */
    int awaitGone(final long timeoutNanos) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        int left;
        do
        {
            left = 0;
            for (int i = 0; i < created; i++)
            {
                if (guests[i].domain().state() != io.javisor.core.DomainState.GONE)
                {
                    left++;
                }
            }
            if (left > 0)
            {
                Thread.sleep(1);
            }
        }
        while (left > 0 && System.nanoTime() < deadline);
        return left;
    }

    private static Histogram histogram()
    {
        return new Histogram(1, HISTOGRAM_MAX_NANOS, 3);
    }

    /**
     * Operations done, failed ones, and the time they took.
     */
    record Throughput(long operations, long errors, long elapsedNanos)
    {
        double perSecond()
        {
            return elapsedNanos == 0 ? 0 : operations * 1e9 / elapsedNanos;
        }
    }

    private static final class BlkCompletionCounter implements io.javisor.blkback.BlkCompletionHandler
    {
        private final int[] completed;
        private final int[] errors;

        BlkCompletionCounter(final int[] completed, final int[] errors)
        {
            this.completed = completed;
            this.errors = errors;
        }

        @Override
        public void onComplete(final long tag, final int status)
        {
            completed[0]++;
            if (status != BlkifDescriptor.STATUS_OKAY)
            {
                errors[0]++;
            }
        }
    }

    /** Counts frames addressed to the receiving guest from its partner; others are strangers. */
    private static final class FrameCounter implements FrameHandler
    {
        LightGuest receiver;
        long strangers;
        private long received;

        @Override
        public void onFrame(final DirectBuffer buffer, final int offset, final int length)
        {
            final long destination = MacAddress.read(buffer, offset);
            if (destination == receiver.mac() && length == FRAME_LENGTH)
            {
                received++;
                receiver.frameReceived();
            }
            else
            {
                strangers++;
            }
        }

        long take()
        {
            final long frames = received;
            received = 0;
            return frames;
        }
    }
}
