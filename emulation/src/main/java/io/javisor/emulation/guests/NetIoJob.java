package io.javisor.emulation.guests;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.javisor.emulation.guests.NetIoJobDescriptor.*;

/**
 * One job for a net-io guest: {@code warmup} untimed and {@code pings} timed 60-byte round trips to
 * the peer, then a stream of {@code streamFrames} frames of {@code streamLength} bytes; encoded for
 * the guest's RAM and decoded, validated once, from it afterwards. Immutable.
 */
public record NetIoJob(int pings, int warmup, int streamFrames, int streamLength, int flags, long ticksPerMs)
{
    /**
     * @throws IllegalArgumentException naming the first bad input
     */
    public NetIoJob
    {
        if (pings < 1 || warmup < 1)
        {
            throw new IllegalArgumentException("a net job needs a warm-up ping and a timed one, got " + warmup + " and " + pings);
        }
        if (streamFrames < 0)
        {
            throw new IllegalArgumentException("stream frames must not be negative, got " + streamFrames);
        }
        if (streamLength < PING_LENGTH || streamLength > MAX_FRAME_LENGTH)
        {
            throw new IllegalArgumentException("stream frames are " + PING_LENGTH + ".." + MAX_FRAME_LENGTH + " bytes, got " +
                streamLength);
        }
        if ((flags & ~FLAG_WAIT_INTERRUPT) != 0)
        {
            throw new IllegalArgumentException("unknown net job flags 0x" + Integer.toHexString(flags));
        }
        if (ticksPerMs < 1)
        {
            throw new IllegalArgumentException("the time base must tick at least once per ms, got " + ticksPerMs);
        }
    }

    /** The bytes to place at the guest's {@link NetIoJobDescriptor#SYMBOL}: the header, results zero. */
    public byte[] encode()
    {
        final ByteBuffer b = ByteBuffer.allocate((int)length(pings)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC_OFFSET, MAGIC)
            .putInt(VERSION_OFFSET, VERSION)
            .putInt(PINGS_OFFSET, pings)
            .putInt(WARMUP_OFFSET, warmup)
            .putInt(STREAM_FRAMES_OFFSET, streamFrames)
            .putInt(STREAM_LENGTH_OFFSET, streamLength)
            .putInt(FLAGS_OFFSET, flags)
            .putLong(TICKS_PER_MS_OFFSET, ticksPerMs);
        return b.array();
    }

    /**
     * What the guest recorded: validated once (it must have finished, every field within bounds).
     *
     * @throws IllegalArgumentException when the guest did not finish or wrote something impossible
     */
    public NetIoResults decode(final byte[] bytes)
    {
        if (bytes.length < length(pings))
        {
            throw new IllegalArgumentException("a job of " + pings + " pings needs " + length(pings) + " bytes, got " + bytes.length);
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getLong(DONE_OFFSET) != DONE_MAGIC)
        {
            throw new IllegalArgumentException("the guest did not finish the job");
        }
        final int failed = b.getInt(FAILED_OFFSET);
        final long[] rtt = new long[pings];
        for (int i = 0; i < pings && failed == 0; i++)
        {
            rtt[i] = b.getLong(HEADER_LENGTH + i * RECORD_LENGTH);
            if (rtt[i] <= 0)
            {
                throw new IllegalArgumentException("timed ping " + i + " has no round trip (" + rtt[i] + " ticks)");
            }
        }
        final long streamTicks = b.getLong(STREAM_TICKS_OFFSET);
        final long counted = Integer.toUnsignedLong(b.getInt(STREAM_COUNTED_OFFSET));
        if (failed == 0 && streamFrames > 0 && (streamTicks <= 0 || counted > streamFrames))
        {
            throw new IllegalArgumentException("stream of " + streamFrames + " frames: " + streamTicks + " ticks, " + counted +
                " counted by the peer");
        }
        return new NetIoResults(this, rtt, streamTicks, counted, Integer.toUnsignedLong(b.getInt(RESENT_OFFSET)), failed,
            Integer.toUnsignedLong(b.getInt(RX_INTERRUPTS_OFFSET)));
    }
}
