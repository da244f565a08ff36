package io.javisor.core.driver;

import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.bridge.BridgePort;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dom0 end of a bridge shared between dom0 and a driver domain: a port of dom0's bridge behind
 * which lives the driver domain's bridge of the same name. A frame dom0's bridge delivers to it is
 * copied into a bounded queue, which the serving process's channel forwarder sends on as
 * {@link DriverProtocol#FRAME}; a frame the process sends up ({@link DriverProtocol#UPLINK_FRAME})
 * enters dom0's bridge through {@link #fromDriverDomain} on this port, so dom0's bridge learns the
 * driver domain's MACs behind it.
 * <p>
 * Threads: {@link #deliver} runs on dom0's bridge's forwarding thread and never blocks (a full queue
 * drops the frame and counts it, as a switch drops); {@link #drain} on the serving session's
 * forwarder; {@link #fromDriverDomain} on the session's reader.
 */
final class DriverBridgeUplink implements BridgePort
{
    /** Frames waiting for the channel, at most this many bytes (with the queue's record headers). */
    static final int QUEUE_BYTES = 1 << 20;

    private final String driverName;
    private final Bridge bridge;
    private final ManyToOneRingBuffer queue =
        new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(QUEUE_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
    private final AtomicLong dropped = new AtomicLong();
    private volatile Runnable wakeForwarder;
    private volatile int port = -1;

    DriverBridgeUplink(final String driverName, final Bridge bridge)
    {
        this.driverName = driverName;
        this.bridge = bridge;
    }

    String bridgeName()
    {
        return bridge.name();
    }

    /**
     * Joins dom0's bridge (waits for its forwarding thread, at most its command timeout).
     */
    void attach()
    {
        port = bridge.attach(this);
    }

    void detach()
    {
        if (port >= 0)
        {
            bridge.detach(port);
            port = -1;
        }
    }

    /**
     * Who to wake when a frame is queued: the serving process's forwarder, or null between processes.
     */
    void wakeWith(final Runnable wake)
    {
        wakeForwarder = wake;
    }

    @Override
    public boolean deliver(final DirectBuffer frame, final int offset, final int length)
    {
        if (!queue.write(1, frame, offset, length))
        {
            dropped.incrementAndGet();
            return false;
        }
        final Runnable wake = wakeForwarder;
        if (wake != null)
        {
            wake.run();
        }
        return true;
    }

    boolean hasFrames()
    {
        return queue.size() > 0;
    }

    /**
     * Hands every queued frame to {@code sender} (the serving session's forwarder thread).
     */
    int drain(final MessageHandler sender)
    {
        return queue.read(sender);
    }

    /**
     * Switches a frame the driver domain sent up, as arriving on this port of dom0's bridge.
     */
    void fromDriverDomain(final DirectBuffer frame, final int length)
    {
        bridge.forward(port, frame, 0, length, System.nanoTime());
    }

    /**
     * Frames dropped because the channel did not keep up.
     */
    long dropped()
    {
        return dropped.get();
    }

    @Override
    public String name()
    {
        return driverName + "-uplink";
    }
}
