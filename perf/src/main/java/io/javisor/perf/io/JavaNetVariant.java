package io.javisor.perf.io;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.Hypervisor;
import io.javisor.netback.FrameHandler;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.Vif;
import io.javisor.netback.spec.MacAddress;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import static io.javisor.emulation.guests.NetIoJobDescriptor.*;

/**
 * Variant 1 on the network side: a Java guest's {@link NetFront} on the bench's bridge doing what
 * the net-io guest does (round trips to {@link NetEchoPeer}, then a stream and its count), timed
 * with {@link System#nanoTime()}; it polls for replies without parking. A Java guest has no vCPU,
 * so it takes no exits. Its front end belongs to the bench's thread.
 */
final class JavaNetVariant implements NetVariant, FrameHandler
{
    static final String MAC = "00:16:3e:10:00:02";
    private static final long RETRY_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int TRIES = 40;

    private final Hypervisor hypervisor;
    private final Domain domain;
    private final NetFront front;
    private final long mac;
    private final long peer;
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_FRAME_LENGTH));
    /** What the last matching answer carried; set by the poll handler, on this thread. */
    private int expectKind;
    private int expectSeq;
    private long expectStamp;
    private boolean answered;
    private int answerSeq;

    JavaNetVariant(final Hypervisor hypervisor, final String bridge, final long peer)
    {
        this.hypervisor = hypervisor;
        this.domain = hypervisor.createDomain(DomainConfig.pv("io-net-java", 16));
        final Vif vif = hypervisor.backends().attachVif(domain, "mac=" + MAC + ", bridge=" + bridge);
        this.front = NetFront.attach(domain.resources(), 0, vif.handle(), NetFrontConfig.defaults());
        this.mac = MacAddress.parse(MAC);
        this.peer = peer;
    }

    @Override
    public String key()
    {
        return JavaPvVariant.KEY;
    }

    @Override
    public String label()
    {
        return "1 Java guest -> PV (NetFront, netif rings, NetBackend)";
    }

    @Override
    public String unavailable()
    {
        return null;
    }

    @Override
    public NetRun run(final int warmup, final int pings, final int streamFrames, final int streamLength)
    {
        long resent = 0;
        for (int i = 0; i < warmup; i++)
        {
            resent += exchange(KIND_REQUEST, i, KIND_REPLY) - 1;
        }
        final long[] rtt = new long[pings];
        for (int i = 0; i < pings; i++)
        {
            final long start = System.nanoTime();
            resent += exchange(KIND_REQUEST, warmup + i, KIND_REPLY) - 1;
            rtt[i] = System.nanoTime() - start;
        }
        long counted = 0;
        long streamNs = 0;
        if (streamFrames > 0)
        {
            fill(KIND_STREAM, 0, 0, streamLength);
            final long start = System.nanoTime();
            for (int i = 0; i < streamFrames; i++)
            {
                frame.putInt(SEQ_OFFSET, i, ByteOrder.LITTLE_ENDIAN);
                while (!front.send(frame, 0, streamLength))
                {
                    front.poll(this); // reclaims sent pages
                }
                front.flush();
            }
            resent += exchange(KIND_COUNT, streamFrames, KIND_COUNT_ACK) - 1;
            streamNs = System.nanoTime() - start;
            counted = Integer.toUnsignedLong(answerSeq);
        }
        exchange(KIND_BYE, 0, KIND_BYE_ACK);
        return new NetRun(rtt, streamFrames, counted, streamNs, 0, resent);
    }

    /** Sends until answered; the sends it took. */
    private int exchange(final int kind, final int seq, final int answer)
    {
        for (int t = 1; t <= TRIES; t++)
        {
            final long stamp = System.nanoTime();
            fill(kind, seq, stamp, PING_LENGTH);
            expectKind = answer;
            expectSeq = seq;
            expectStamp = stamp;
            answered = false;
            while (!front.send(frame, 0, PING_LENGTH))
            {
                front.poll(this);
            }
            front.flush();
            while (!answered && System.nanoTime() - stamp < RETRY_NS)
            {
                front.poll(this);
            }
            if (answered)
            {
                return t;
            }
        }
        throw new IllegalStateException("the echo peer did not answer kind " + kind + " seq " + seq + " in " + TRIES + " tries");
    }

    private void fill(final int kind, final int seq, final long stamp, final int length)
    {
        frame.setMemory(0, length, (byte)0);
        MacAddress.write(peer, frame, 0);
        MacAddress.write(mac, frame, 6);
        frame.putShort(12, (short)ETHER_TYPE, ByteOrder.BIG_ENDIAN);
        frame.putByte(14, (byte)'J');
        frame.putByte(15, (byte)'P');
        frame.putByte(KIND_OFFSET, (byte)kind);
        frame.putInt(SEQ_OFFSET, seq, ByteOrder.LITTLE_ENDIAN);
        frame.putLong(STAMP_OFFSET, stamp, ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void onFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < PING_LENGTH || buffer.getByte(offset + KIND_OFFSET) != expectKind ||
            buffer.getLong(offset + STAMP_OFFSET, ByteOrder.LITTLE_ENDIAN) != expectStamp)
        {
            return;
        }
        final int seq = buffer.getInt(offset + SEQ_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (expectKind == KIND_COUNT_ACK || seq == expectSeq)
        {
            answered = true;
            answerSeq = seq;
        }
    }

    @Override
    public void close()
    {
        front.close();
        hypervisor.destroyDomain(domain.id());
    }
}
