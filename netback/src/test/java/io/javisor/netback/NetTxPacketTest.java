package io.javisor.netback;

import io.javisor.ringio.ring.BackRing;
import io.javisor.ringio.ring.FrontRing;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.javisor.netback.wire.NetifDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How every network back end takes a transmitted packet apart: its slots up to the last without
 * NETTXF_more_data, extra-info slots marked, framing errors named, sizes checked before any byte moves.
 */
class NetTxPacketTest
{
    private final UnsafeBuffer page = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final FrontRing front = new FrontRing(page, TX_SLOT_LENGTH).initialise();
    private final BackRing back = new BackRing(page, TX_SLOT_LENGTH).attach();
    private final NetTxPacket packet = new NetTxPacket();

    @Test
    void aPacketOfThreeSlotsIsTakenWholeAndItsFirstSlotCarriesTheRest()
    {
        slot(1, 10, 0, 9000, NETTXF_MORE_DATA);
        slot(2, 11, 0, 4096, NETTXF_MORE_DATA);
        slot(3, 12, 0, 808, 0);
        assertEquals(3, take());
        assertEquals(NETIF_RSP_OKAY, packet.check());
        assertEquals(9000, packet.size());
        assertEquals(4096, packet.length(0), "the first slot's share: the size less what the others carry");
        assertEquals(808, packet.length(2));
        assertEquals(12, packet.ref(2));
        assertEquals(3, packet.id(2));
    }

    @Test
    void anExtraInfoSlotIsSkippedAndTheRestOfAPacketNotYetPublishedIsWaitedFor()
    {
        slot(1, 10, 0, 100, NETTXF_EXTRA_INFO | NETTXF_MORE_DATA);
        slot(2, 0, 0, 0, 0); // the extra-info slot: no further one follows
        assertEquals(0, take(), "the data slot after it is not published yet");
        slot(3, 11, 0, 40, 0);
        assertEquals(3, take());
        assertTrue(packet.isExtra(1));
        assertFalse(packet.isExtra(2));
        assertEquals(NETIF_RSP_OKAY, packet.check());
        assertEquals(60, packet.length(0));
    }

    @Test
    void aPacketOfMoreThanEighteenSlotsIsAFramingError()
    {
        for (int i = 0; i <= NetTxPacket.MAX_SLOTS; i++)
        {
            slot(i, 10, 0, 60, NETTXF_MORE_DATA);
        }
        assertEquals(-1, take());
        assertEquals("packet uses more than 18 slots", packet.protocolError());
    }

    @Test
    void aSlotCrossingItsPageIsAFramingError()
    {
        slot(1, 10, 0, 200, NETTXF_MORE_DATA);
        slot(2, 11, 4000, 100, 0);
        assertEquals(-1, take());
        assertEquals("tx slot crosses its page (offset 4000, size 100)", packet.protocolError());
    }

    @Test
    void sizesThatDisagreeOrNoEthernetHeaderAreErrors()
    {
        slot(1, 10, 0, 10, 0);
        assertEquals(1, take());
        assertEquals(NETIF_RSP_ERROR, packet.check(), "shorter than an Ethernet header");
        back.skipRequests(1);
        slot(2, 10, 0, 100, NETTXF_MORE_DATA);
        slot(3, 11, 0, 200, 0);
        assertEquals(2, take());
        assertEquals(NETIF_RSP_ERROR, packet.check(), "the first slot's size smaller than the next slot's");
        back.skipRequests(2);
        slot(4, 10, 4000, 1000, 0);
        assertEquals(1, take());
        assertEquals(NETIF_RSP_ERROR, packet.check(), "the first slot's data past its page");
    }

    private int take()
    {
        return packet.take(back, back.unconsumedRequests());
    }

    private void slot(final int id, final int ref, final int offset, final int size, final int flags)
    {
        final int at = front.claimRequest();
        page.putInt(at + TX_REQ_GREF_OFFSET, ref);
        page.putShort(at + TX_REQ_OFFSET_OFFSET, (short)offset);
        page.putShort(at + TX_REQ_FLAGS_OFFSET, (short)flags);
        page.putShort(at + TX_REQ_ID_OFFSET, (short)id);
        page.putShort(at + TX_REQ_SIZE_OFFSET, (short)size);
        front.pushRequests();
    }
}
