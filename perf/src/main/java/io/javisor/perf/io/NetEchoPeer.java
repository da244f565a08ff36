package io.javisor.perf.io;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.Hypervisor;
import io.javisor.emulation.guests.NetIoJobDescriptor;
import io.javisor.netback.FrameHandler;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.Vif;
import io.javisor.netback.spec.MacAddress;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.javisor.emulation.guests.NetIoJobDescriptor.*;

/**
 * The peer every net variant of {@code bench io} talks to: a Java guest with a PV vif on the bench's
 * bridge that answers round-trip requests, goodbyes and stream counts as {@code lib/jping.h} says
 * (the reply carries the request's sequence number and stamp back) and counts stream frames from a
 * job's first round trip (sequence number 0) on. Its
 * {@link NetFront} belongs to the peer's own thread from {@link #start()} to {@link #stop()}; that
 * thread polls the front end, spinning for a while after each frame and otherwise parking on its
 * event channel for at most 1 ms. The stream count is written by the peer thread and read by others.
 */
final class NetEchoPeer implements FrameHandler, AutoCloseable
{
    static final String MAC = "00:16:3e:10:00:01";
    /** Polls without frames before the peer parks: a few microseconds of spinning after traffic. */
    private static final int SPINS_BEFORE_PARK = 20_000;

    private final Hypervisor hypervisor;
    private final Domain domain;
    private final Vif vif;
    private final NetFront front;
    private final long mac;
    private final UnsafeBuffer reply = new UnsafeBuffer(new byte[PING_LENGTH]);
    private final AtomicLong streamFrames = new AtomicLong();
    private volatile boolean running;
    private Thread thread;

    NetEchoPeer(final Hypervisor hypervisor, final String bridge)
    {
        this.hypervisor = hypervisor;
        this.domain = hypervisor.createDomain(DomainConfig.pv("io-net-peer", 16));
        this.vif = hypervisor.backends().attachVif(domain, "mac=" + MAC + ", bridge=" + bridge);
        this.front = NetFront.attach(domain.resources(), 0, vif.handle(), NetFrontConfig.defaults());
        this.mac = MacAddress.parse(MAC);
    }

    long mac()
    {
        return mac;
    }

    /** Starts answering on a thread of its own; the stream count starts at zero. */
    void start()
    {
        streamFrames.set(0);
        running = true;
        thread = Thread.ofPlatform().name("io-net-peer").daemon().start(this::run);
    }

    /** Stops answering and waits for the peer's thread. */
    void stop()
    {
        running = false;
        if (thread != null)
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    private void run()
    {
        int idle = 0;
        while (running)
        {
            if (front.poll(this) > 0)
            {
                front.flush();
                idle = 0;
            }
            else if (++idle > SPINS_BEFORE_PARK)
            {
                front.awaitActivity(TimeUnit.MILLISECONDS.toNanos(1));
                idle = 0;
            }
        }
    }

    @Override
    public void onFrame(final DirectBuffer frame, final int offset, final int length)
    {
        if (length < PING_LENGTH || (frame.getShort(offset + 12, ByteOrder.BIG_ENDIAN) & 0xFFFF) != ETHER_TYPE ||
            frame.getByte(offset + 14) != 'J' || frame.getByte(offset + 15) != 'P')
        {
            return;
        }
        final int kind = frame.getByte(offset + KIND_OFFSET);
        final int answer;
        int seq = frame.getInt(offset + SEQ_OFFSET, ByteOrder.LITTLE_ENDIAN);
        switch (kind)
        {
            case KIND_STREAM ->
            {
                streamFrames.lazySet(streamFrames.get() + 1); // the peer thread is the only writer
                return;
            }
            case KIND_REQUEST ->
            {
                answer = KIND_REPLY;
                if (seq == 0)
                {
                    streamFrames.lazySet(0); // a job's first round trip: its stream is counted from here
                }
            }
            case KIND_BYE -> answer = KIND_BYE_ACK;
            case KIND_COUNT ->
            {
                answer = KIND_COUNT_ACK;
                seq = (int)streamFrames.get();
            }
            default ->
            {
                return;
            }
        }
        reply.setMemory(0, PING_LENGTH, (byte)0);
        reply.putBytes(0, frame, offset + 6, 6); // to the sender
        MacAddress.write(mac, reply, 6);
        reply.putBytes(12, frame, offset + 12, 4); // EtherType and magic
        reply.putByte(KIND_OFFSET, (byte)answer);
        reply.putInt(SEQ_OFFSET, seq, ByteOrder.LITTLE_ENDIAN);
        reply.putLong(STAMP_OFFSET, frame.getLong(offset + STAMP_OFFSET, ByteOrder.LITTLE_ENDIAN), ByteOrder.LITTLE_ENDIAN);
        front.send(reply, 0, PING_LENGTH); // no room: the sender's retry after 50 ms gets its answer
    }

    @Override
    public void close()
    {
        stop();
        front.close();
        hypervisor.destroyDomain(domain.id());
    }
}
