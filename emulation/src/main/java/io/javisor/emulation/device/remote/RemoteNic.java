package io.javisor.emulation.device.remote;

import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.bridge.BridgePort;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stub domain's LAN9118 as its bridge sees it: a port whose frames go to the stub on the events
 * channel, and the way the stub's sent frames enter the bridge. The bridge's forwarding thread never
 * waits on the stub: a frame is queued (up to {@value #QUEUE} of them, then dropped and counted, as a
 * wire would drop them; so is a frame longer than the events channel carries for the NIC's kind) for the sender thread ({@code stub-frames-NAME}) that writes them.
 * <p>
 * Threads: {@link #deliver} on the bridge's forwarding thread; {@link #forward} on the events reader;
 * the sender drains the queue.
 */
final class RemoteNic implements BridgePort
{
    static final int QUEUE = 256;

    private final int device;
    private final long mac;
    private final String name;
    private final Bridge bridge;
    private final BlockingQueue<byte[]> toStub = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    /** The longest frame the events channel carries for this NIC's kind; the bridge's longer ones are dropped. */
    private final int maxFrame;
    private int portNumber;

    RemoteNic(final int device, final long mac, final String name, final Bridge bridge, final int maxFrame)
    {
        this.device = device;
        this.mac = mac;
        this.name = name;
        this.bridge = bridge;
        this.maxFrame = maxFrame;
    }

    int maxFrame()
    {
        return maxFrame;
    }

    void attach()
    {
        portNumber = bridge.attach(this);
    }

    void detach()
    {
        bridge.detach(portNumber);
    }

    int device()
    {
        return device;
    }

    BlockingQueue<byte[]> toStub()
    {
        return toStub;
    }

    /** @return frames dropped because the stub did not take them fast enough */
    long dropped()
    {
        return dropped.get();
    }

    @Override
    public boolean deliver(final DirectBuffer frame, final int offset, final int length)
    {
        if (length > maxFrame)
        {
            dropped.incrementAndGet();
            return false;
        }
        final byte[] copy = new byte[length];
        frame.getBytes(offset, copy);
        if (!toStub.offer(copy))
        {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** A frame the stub's device sent: into the bridge. Events reader thread. */
    void forward(final byte[] frame)
    {
        view.wrap(frame);
        bridge.forward(portNumber, view, 0, frame.length, System.nanoTime());
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public long macAddress()
    {
        return mac;
    }
}
