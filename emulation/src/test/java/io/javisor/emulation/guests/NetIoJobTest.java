package io.javisor.emulation.guests;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The net-io job as the host writes it and reads back what the guest wrote, each field checked once. */
class NetIoJobTest
{
    private final NetIoJob job = new NetIoJob(3, 2, 100, 1514, NetIoJobDescriptor.FLAG_WAIT_INTERRUPT, 1_000_000);

    @Test
    void theHeaderCarriesTheInputsAndRoomForEachRoundTrip()
    {
        final ByteBuffer b = ByteBuffer.wrap(job.encode()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(NetIoJobDescriptor.length(3), b.capacity());
        assertEquals(NetIoJobDescriptor.MAGIC, b.getLong(NetIoJobDescriptor.MAGIC_OFFSET));
        assertEquals(3, b.getInt(NetIoJobDescriptor.PINGS_OFFSET));
        assertEquals(2, b.getInt(NetIoJobDescriptor.WARMUP_OFFSET));
        assertEquals(100, b.getInt(NetIoJobDescriptor.STREAM_FRAMES_OFFSET));
        assertEquals(1514, b.getInt(NetIoJobDescriptor.STREAM_LENGTH_OFFSET));
        assertEquals(1_000_000, b.getLong(NetIoJobDescriptor.TICKS_PER_MS_OFFSET));
        assertEquals(0, b.getLong(NetIoJobDescriptor.DONE_OFFSET), "nothing done yet");
    }

    @Test
    void whatTheGuestWroteIsReadBack()
    {
        final byte[] bytes = job.encode();
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(NetIoJobDescriptor.DONE_OFFSET, NetIoJobDescriptor.DONE_MAGIC)
            .putLong(NetIoJobDescriptor.STREAM_TICKS_OFFSET, 5_000)
            .putInt(NetIoJobDescriptor.STREAM_COUNTED_OFFSET, 97)
            .putInt(NetIoJobDescriptor.RESENT_OFFSET, 1)
            .putInt(NetIoJobDescriptor.RX_INTERRUPTS_OFFSET, 4);
        for (int i = 0; i < 3; i++)
        {
            b.putLong(NetIoJobDescriptor.HEADER_LENGTH + i * 8, 10 + i);
        }
        final NetIoResults r = job.decode(bytes);
        assertArrayEquals(new long[] {10, 11, 12}, r.rttTicks());
        assertEquals(5_000, r.streamTicks());
        assertEquals(97, r.streamCounted());
        assertEquals(1, r.resent());
        assertEquals(4, r.rxInterrupts());
        assertEquals(0, r.failedStep());
    }

    @Test
    void anUnfinishedOrImpossibleResultIsRefused()
    {
        final byte[] bytes = job.encode();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> job.decode(bytes)).getMessage().contains("did not finish"));
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(NetIoJobDescriptor.DONE_OFFSET, NetIoJobDescriptor.DONE_MAGIC);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> job.decode(bytes)).getMessage().contains("no round trip"));
        for (int i = 0; i < 3; i++)
        {
            b.putLong(NetIoJobDescriptor.HEADER_LENGTH + i * 8, 1);
        }
        b.putLong(NetIoJobDescriptor.STREAM_TICKS_OFFSET, 10).putInt(NetIoJobDescriptor.STREAM_COUNTED_OFFSET, 101);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> job.decode(bytes)).getMessage().contains("101 counted"),
            "the peer cannot have counted more frames than were sent");
        assertThrows(IllegalArgumentException.class, () -> job.decode(new byte[10]));
    }

    @Test
    void badJobsAreRefusedWithTheReason()
    {
        assertThrows(IllegalArgumentException.class, () -> new NetIoJob(0, 1, 0, 60, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new NetIoJob(1, 1, 0, 59, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new NetIoJob(1, 1, 0, 1515, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new NetIoJob(1, 1, -1, 60, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new NetIoJob(1, 1, 0, 60, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new NetIoJob(1, 1, 0, 60, 0, 0));
    }
}
