package io.javisor.netback;

import io.javisor.netback.wire.EthernetDescriptor;
import io.javisor.ringio.ring.BackRing;
import org.agrona.concurrent.UnsafeBuffer;

import static io.javisor.memory.PageDescriptor.PAGE_SIZE;
import static io.javisor.netback.wire.NetifDescriptor.*;

/**
 * The slots of one packet a front end put on its tx ring, copied out of the ring once and checked,
 * for every network back end (dom0's agents and a driver domain's network agent take packets apart
 * with this same code): a first slot carrying the packet's size, the extra-info slots that may follow
 * it, and the data slots chained by {@code NETTXF_more_data}, at most {@link #MAX_SLOTS} in all.
 * <p>
 * Two kinds of fault: a protocol error — more slots than {@link #MAX_SLOTS}, a slot crossing its page
 * — which the back end answers by disabling the vif ({@link #take} returns −1 and says why in
 * {@link #protocolError()}); and a bad packet — a size under an Ethernet header or over
 * {@link #MAX_FRAME}, data slots whose sizes disagree with the first slot's — which is dropped with an
 * error response per slot ({@link #check()}). Every value is read from the private copy, so a guest
 * rewriting its ring meanwhile changes nothing once checked.
 * <p>
 * Single-threaded and reused: one per serving thread; taking a packet apart allocates nothing.
 */
public final class NetTxPacket
{
    /** The most slots a packet may use (XEN_NETIF_NR_SLOTS_MIN, as Linux's netback). */
    public static final int MAX_SLOTS = XEN_NETIF_NR_SLOTS_MIN;
    /** The largest frame a back end takes. */
    public static final int MAX_FRAME = MAX_PACKET_SIZE;

    private final UnsafeBuffer slots = new UnsafeBuffer(new byte[MAX_SLOTS * TX_SLOT_LENGTH]);
    private int slotCount;
    private int extraMask;
    private int firstLength;
    private String protocolError;

    /**
     * Copies the next packet's slots out of {@code ring} without consuming them, and checks its framing.
     *
     * @param available the requests the ring holds ({@link BackRing#unconsumedRequests()}).
     * @return the packet's slot count; 0 when the rest of the packet is not published yet; −1 on a
     * protocol error.
     */
    public int take(final BackRing ring, final int available)
    {
        extraMask = 0;
        slotCount = 0;
        protocolError = null;
        boolean more = true;
        boolean extraFollows = false;
        while (more || extraFollows)
        {
            if (slotCount == MAX_SLOTS)
            {
                protocolError = "packet uses more than " + MAX_SLOTS + " slots";
                return -1;
            }
            if (slotCount == available)
            {
                return 0;
            }
            final int at = slotCount * TX_SLOT_LENGTH;
            ring.copyRequestAhead(slotCount, slots, at);
            if (extraFollows)
            {
                // An extra-info slot (netif_extra_info): its own flags say whether another follows.
                extraMask |= 1 << slotCount;
                extraFollows = (slots.getByte(at + 1) & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
                slotCount++;
                continue;
            }
            final int flags = slots.getShort(at + TX_REQ_FLAGS_OFFSET) & 0xFFFF;
            final int offset = slots.getShort(at + TX_REQ_OFFSET_OFFSET) & 0xFFFF;
            final int size = slots.getShort(at + TX_REQ_SIZE_OFFSET) & 0xFFFF;
            if (slotCount > 0 && offset + size > PAGE_SIZE || slotCount == 0 && offset >= PAGE_SIZE)
            {
                protocolError = "tx slot crosses its page (offset " + offset + ", size " + size + ")";
                return -1;
            }
            more = (flags & NETTXF_MORE_DATA) != 0;
            extraFollows = slotCount == 0 && (flags & NETTXF_EXTRA_INFO) != 0;
            slotCount++;
        }
        return slotCount;
    }

    /**
     * Why the last {@link #take} returned −1.
     */
    public String protocolError()
    {
        return protocolError;
    }

    /**
     * Checks the sizes of the packet last taken.
     *
     * @return {@code NETIF_RSP_OKAY} when the packet is to be carried, else {@code NETIF_RSP_ERROR}
     * (it is dropped, each data slot answered with the error).
     */
    public int check()
    {
        final int size = size();
        if (size < EthernetDescriptor.HEADER_LENGTH || size > MAX_FRAME)
        {
            return NETIF_RSP_ERROR;
        }
        int rest = 0;
        for (int i = 1; i < slotCount; i++)
        {
            if (!isExtra(i))
            {
                rest += slots.getShort(i * TX_SLOT_LENGTH + TX_REQ_SIZE_OFFSET) & 0xFFFF;
            }
        }
        firstLength = size - rest;
        if (firstLength <= 0 || offset(0) + firstLength > PAGE_SIZE)
        {
            return NETIF_RSP_ERROR; // the sizes disagree
        }
        return NETIF_RSP_OKAY;
    }

    /**
     * The slots of the packet last taken, extra-info ones included.
     */
    public int slots()
    {
        return slotCount;
    }

    /**
     * The packet's size in bytes, as its first slot gives it.
     */
    public int size()
    {
        return slots.getShort(TX_REQ_SIZE_OFFSET) & 0xFFFF;
    }

    /**
     * Whether slot {@code index} is an extra-info slot (answered NETIF_RSP_NULL, carrying no data).
     */
    public boolean isExtra(final int index)
    {
        return (extraMask & (1 << index)) != 0;
    }

    /**
     * The request id of slot {@code index}, to answer it with.
     */
    public int id(final int index)
    {
        return slots.getShort(index * TX_SLOT_LENGTH + TX_REQ_ID_OFFSET) & 0xFFFF;
    }

    /**
     * The grant reference of data slot {@code index}.
     */
    public int ref(final int index)
    {
        return slots.getInt(index * TX_SLOT_LENGTH + TX_REQ_GREF_OFFSET);
    }

    /**
     * Where data slot {@code index}'s bytes start in its page.
     */
    public int offset(final int index)
    {
        return slots.getShort(index * TX_SLOT_LENGTH + TX_REQ_OFFSET_OFFSET) & 0xFFFF;
    }

    /**
     * The bytes data slot {@code index} carries (after {@link #check()} said OKAY): the first slot's
     * share of the size, or the slot's own size.
     */
    public int length(final int index)
    {
        return index == 0 ? firstLength : slots.getShort(index * TX_SLOT_LENGTH + TX_REQ_SIZE_OFFSET) & 0xFFFF;
    }
}
