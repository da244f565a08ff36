package io.javisor.perf.net;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.netback.FrameHandler;
import io.javisor.netback.NetBackend;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.Vif;
import io.javisor.netback.VifStatistics;
import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.ratelimit.RateLimiter;
import io.javisor.netback.spec.MacAddress;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Two Java guests on one bridge, as the network benchmark and its JMH benchmark use them: a
 * hypervisor with dom0 and guests A and B, a {@link Bridge} {@code xenbr0}, one {@link NetBackend}
 * in dom0 ({@link NetBackend.Mode#LATENCY}: its agent busy-spins on a thread of its own) serving
 * vif A.0 and vif B.0, and each guest's {@link NetFront} attached over the xenbus handshake. Each
 * guest has sent the other one frame, so the bridge knows both addresses.
 * <p>
 * The back end cannot be paused without closing it ({@link NetBackend#close()} detaches its vifs),
 * so a rig lives for one stretch of measuring and is closed before anything else that spins (the
 * Agrona anchor) runs: closing it ends the agent's thread. The bridge, the back end and its vifs
 * are built on a short-lived thread of their own, so that the objects the agent writes per frame
 * (vif and bridge counters, the back end's copies) sit in another allocation buffer than the
 * front ends' and share no cache line with them. The front ends belong to the thread that built
 * the rig.
 */
public final class NetRig implements AutoCloseable
{
    public static final long MAC_A = MacAddress.parse("00:16:3e:6a:00:0a");
    public static final long MAC_B = MacAddress.parse("00:16:3e:6a:00:0b");
    /** Offset of the sequence number the benchmarks put in a frame's payload, after the Ethernet header. */
    public static final int SEQ_OFFSET = 14;
    /** Local experimental EtherType (IEEE 802 "local experimental 1"). */
    public static final short ETHER_TYPE = (short)0x88B5;
    /** Smallest frame the benchmarks send: header and sequence number. */
    public static final int MIN_FRAME = SEQ_OFFSET + Long.BYTES;
    public static final int MAX_FRAME = 4096;
    private static final int GUEST_MEMORY_MIB = 32;
    private static final int DOM0_MEMORY_MIB = 16;
    private static final int MACHINE_MEMORY_MIB = 128;

    private final Hypervisor hypervisor;
    private final Domain guestA;
    private final Domain guestB;
    private final Bridge bridge;
    private final NetBackend backend;
    private final Vif vifA;
    private final Vif vifB;
    private final NetFront frontA;
    private final NetFront frontB;
    private final NetFrontConfig frontConfig;
    private boolean closed;

    public NetRig(final String name, final NetFrontConfig frontConfig)
    {
        this.frontConfig = frontConfig;
        hypervisor = new Hypervisor(HypervisorConfig.defaults()
            .withMachineMemoryMiB(MACHINE_MEMORY_MIB).withDom0MemoryMiB(DOM0_MEMORY_MIB));
        Object[] back = null;
        NetFront a = null;
        NetFront b = null;
        try
        {
            final Domain domA = hypervisor.createDomain(DomainConfig.pv(name + "-a", GUEST_MEMORY_MIB));
            final Domain domB = hypervisor.createDomain(DomainConfig.pv(name + "-b", GUEST_MEMORY_MIB));
            domA.unpause();
            domB.unpause();
            final Domain dom0 = hypervisor.dom0();
            back = onOwnThread(name, () ->
            {
                final Bridge br = new Bridge("xenbr0");
                final NetBackend nb = new NetBackend(hypervisor.backends().backendResources(), NetBackend.Mode.LATENCY, name).start();
                try
                {
                    final Vif va = nb.attach(domA.id(), 0, MAC_A, br, RateLimiter.unlimited());
                    final Vif vb = nb.attach(domB.id(), 0, MAC_B, br, RateLimiter.unlimited());
                    return new Object[]{ br, nb, va, vb };
                }
                catch (final RuntimeException ex)
                {
                    nb.close();
                    throw ex;
                }
            });
            a = NetFront.attach(domA.resources(), Hypervisor.DOM0, 0, frontConfig);
            b = NetFront.attach(domB.resources(), Hypervisor.DOM0, 0, frontConfig);
            introduce(b, a, NetRig.MAC_A, NetRig.MAC_B);
            introduce(a, b, NetRig.MAC_B, NetRig.MAC_A);
            guestA = domA;
            guestB = domB;
        }
        catch (final RuntimeException | Error ex)
        {
            closeQuietly(a);
            closeQuietly(b);
            if (back != null)
            {
                ((NetBackend)back[1]).close();
            }
            hypervisor.close();
            throw ex;
        }
        bridge = (Bridge)back[0];
        backend = (NetBackend)back[1];
        vifA = (Vif)back[2];
        vifB = (Vif)back[3];
        frontA = a;
        frontB = b;
    }

    private static Object[] onOwnThread(final String name, final Supplier<Object[]> task)
    {
        final Object[][] result = new Object[1][];
        final Throwable[] failure = new Throwable[1];
        final Thread thread = new Thread(() ->
        {
            try
            {
                result[0] = task.get();
            }
            catch (final RuntimeException | Error ex)
            {
                failure[0] = ex;
            }
        }, "javisor-bench-" + name + "-setup");
        thread.start();
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up the network back end", ex);
        }
        if (failure[0] instanceof RuntimeException ex)
        {
            throw ex;
        }
        if (failure[0] instanceof Error error)
        {
            throw error;
        }
        return result[0];
    }

    /**
     * One frame from {@code from} to {@code to}, waited for, so that the bridge has learned the
     * sender's address and the benchmarks' frames are switched as known unicast, not flooded.
     */
    private static void introduce(final NetFront from, final NetFront to, final long toMac, final long fromMac)
    {
        final UnsafeBuffer hello = frame(toMac, fromMac, MIN_FRAME);
        if (!from.send(hello, 0, MIN_FRAME))
        {
            throw new IllegalStateException("a fresh front end cannot send");
        }
        from.flush();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        final FrameHandler ignore = (buffer, offset, length) -> { };
        while (to.poll(ignore) == 0)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("the first frame between the guests did not arrive");
            }
            Thread.onSpinWait();
        }
        from.poll(ignore);
    }

    private static void closeQuietly(final NetFront front)
    {
        if (front != null)
        {
            try
            {
                front.close();
            }
            catch (final RuntimeException ignore)
            {
                // Tearing down after a failure: the hypervisor's close releases the rest.
            }
        }
    }

    /**
     * A frame of {@code length} bytes from {@code src} to {@code dst} in a private, cache-line
     * aligned off-heap buffer: Ethernet header, sequence number 0, then a byte pattern.
     */
    public static UnsafeBuffer frame(final long dst, final long src, final int length)
    {
        if (length < MIN_FRAME || length > MAX_FRAME)
        {
            throw new IllegalArgumentException("frame size must be " + MIN_FRAME + ".." + MAX_FRAME + " bytes: " + length);
        }
        final int lines = BitUtil.align(length, BitUtil.CACHE_LINE_LENGTH);
        final UnsafeBuffer frame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(lines, BitUtil.CACHE_LINE_LENGTH), 0, length);
        MacAddress.write(dst, frame, 0);
        MacAddress.write(src, frame, 6);
        frame.putShort(12, Short.reverseBytes(ETHER_TYPE)); // network byte order
        for (int i = MIN_FRAME; i < length; i++)
        {
            frame.putByte(i, (byte)i);
        }
        return frame;
    }

    public NetFront frontA()
    {
        return frontA;
    }

    public NetFront frontB()
    {
        return frontB;
    }

    /** Transmit pages of each front end. */
    public int txBuffers()
    {
        return frontConfig.txBuffers();
    }

    /** Receive pages each front end keeps posted. */
    public int rxBuffers()
    {
        return frontConfig.rxBuffers();
    }

    public Vif vifA()
    {
        return vifA;
    }

    public Vif vifB()
    {
        return vifB;
    }

    public Bridge bridge()
    {
        return bridge;
    }

    public NetBackend backend()
    {
        return backend;
    }

    public Domain guestA()
    {
        return guestA;
    }

    public Domain guestB()
    {
        return guestB;
    }

    /**
     * Frames lost on their way from A to B or back, as the vifs count them (read racily while the
     * agent runs): frames A or B sent that the back end answered with an error, and frames for A
     * or B dropped because no receive buffer was posted, the hand-over queue was full or they were
     * too big.
     */
    public long drops()
    {
        return drops(vifA.statistics()) + drops(vifB.statistics());
    }

    private static long drops(final VifStatistics s)
    {
        return s.txErrors() + s.rxDroppedNoBuffer() + s.rxDroppedQueueFull() + s.rxDroppedTooBig();
    }

    /**
     * Why the path stopped, when it did: a vif the back end disabled, or null.
     */
    public String fault()
    {
        for (final Vif vif : new Vif[]{ vifA, vifB })
        {
            final String reason = vif.disableReason();
            if (reason != null)
            {
                return vif.name() + " disabled: " + reason;
            }
            if (!vif.isConnected())
            {
                return vif.name() + " not connected (" + vif.backendState() + ")";
            }
        }
        return null;
    }

    /**
     * Closes both front ends (Closing → Closed, answered by the running back end), stops the back
     * end's thread and destroys the hypervisor and its guests.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            closeQuietly(frontA);
            closeQuietly(frontB);
        }
        finally
        {
            try
            {
                backend.close();
            }
            finally
            {
                hypervisor.close();
            }
        }
    }
}
