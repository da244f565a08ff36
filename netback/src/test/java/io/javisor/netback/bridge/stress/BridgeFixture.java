package io.javisor.netback.bridge.stress;

import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.bridge.BridgePort;
import io.javisor.netback.spec.MacAddress;
import io.javisor.netback.wire.EthernetDescriptor;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * A bridge with ports attached and port B's address learned, the role free, as the jcstress
 * actors find it. Built on the thread that creates the jcstress state; published to the actors by
 * jcstress.
 * <p>
 * One clock reading serves the whole sample: the fixture, the actors and the queue drains all
 * switch at {@link #now}, and the ageing time (300 s) outlasts the run, so a frame to B is
 * forwarded to B alone, never flooded after an ageing sweep.
 */
final class BridgeFixture
{
    static final int FRAME_LENGTH = 60;
    static final long MAC_A = 0x02_00_00_00_00_0AL;
    static final long MAC_B = 0x02_00_00_00_00_0BL;
    static final long MAC_C = 0x02_00_00_00_00_0CL;
    /** Small: each jcstress sample builds a bridge of its own. */
    private static final int MAC_TABLE_CAPACITY = 16;

    final long now = System.nanoTime();
    final Bridge bridge = new Bridge("xenbr-stress", Bridge.DEFAULT_AGEING_NANOS, MAC_TABLE_CAPACITY);
    final CountingPort a = new CountingPort("a");
    final CountingPort b = new CountingPort("b");
    final int aNo;
    final int bNo;

    BridgeFixture()
    {
        aNo = bridge.attach(a);
        bNo = bridge.attach(b);
        // B speaks first: the bridge learns MAC_B behind port B (the frame floods to A).
        bridge.forward(bNo, frame(MAC_A, MAC_B), 0, FRAME_LENGTH, now);
        require(bridge.portCount() == 2 && !bridge.hasPendingWork() && !bridge.isForwardingThread(), "fixture");
    }

    /** A unicast Ethernet frame from {@code source} to {@code destination}. */
    static DirectBuffer frame(final long destination, final long source)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[FRAME_LENGTH]);
        MacAddress.write(destination, buffer, 0);
        MacAddress.write(source, buffer, EthernetDescriptor.ADDRESS_LENGTH);
        buffer.putShort(2 * EthernetDescriptor.ADDRESS_LENGTH, (short)0x0800, ByteOrder.BIG_ENDIAN);
        return buffer;
    }

    /**
     * Whether the role is free once the actors are done: the arbiter can take it. (It keeps the
     * role afterwards; the sample is over.)
     */
    boolean roleIsFree()
    {
        bridge.serve(now);
        return bridge.isForwardingThread();
    }

    static void require(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new IllegalStateException(what);
        }
    }

    /**
     * Counts the frames delivered to it and remembers the thread of the last delivery. Plain
     * fields: deliveries run on the forwarding thread, one at a time, and each hand-over of the
     * role orders them; the arbiter reads them after the actors.
     */
    static final class CountingPort implements BridgePort
    {
        private final String name;
        int delivered;
        Thread deliveredOn;

        CountingPort(final String name)
        {
            this.name = name;
        }

        @Override
        public boolean deliver(final DirectBuffer frame, final int offset, final int length)
        {
            delivered++;
            deliveredOn = Thread.currentThread();
            return true;
        }

        @Override
        public String name()
        {
            return name;
        }
    }
}
