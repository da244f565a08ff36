package io.javisor.netback.wire;

import io.javisor.memory.PageDescriptor;
import io.javisor.ringio.ring.SharedRingDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static io.javisor.netback.wire.NetifDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

class NetifWireTest
{
    private static final int BASE = 24;
    private static final byte GARBAGE = (byte)0xA5;

    private final byte[] bytes = new byte[BASE + TX_SLOT_LENGTH + 16];
    private final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
    private final ByteBuffer raw = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);

    @Test
    void theLayoutMatchesNetifH()
    {
        assertEquals(TX_SLOT_LENGTH, Math.max(TX_REQUEST_LENGTH, TX_RESPONSE_LENGTH));
        assertEquals(RX_SLOT_LENGTH, Math.max(RX_REQUEST_LENGTH, RX_RESPONSE_LENGTH));
        assertEquals(TX_REQUEST_LENGTH, TX_REQ_SIZE_OFFSET + 2);
        assertEquals(TX_RESPONSE_LENGTH, TX_RSP_STATUS_OFFSET + 2);
        assertEquals(RX_REQUEST_LENGTH, RX_REQ_GREF_OFFSET + 4);
        assertEquals(RX_RESPONSE_LENGTH, RX_RSP_STATUS_OFFSET + 2);
        assertEquals(TX_RING_SIZE, SharedRingDescriptor.entryCount(PageDescriptor.PAGE_SIZE, TX_SLOT_LENGTH));
        assertEquals(RX_RING_SIZE, SharedRingDescriptor.entryCount(PageDescriptor.PAGE_SIZE, RX_SLOT_LENGTH));
        assertTrue(EXTRA_INFO_LENGTH <= RX_SLOT_LENGTH && EXTRA_INFO_LENGTH <= TX_SLOT_LENGTH, "an extra fits either slot");
        assertEquals(EXTRA_INFO_LENGTH, EXTRA_GSO_FEATURES_OFFSET + 2);
        assertEquals(EXTRA_INFO_LENGTH, EXTRA_MCAST_ADDR_OFFSET + 6);
        assertEquals(EXTRA_INFO_LENGTH, EXTRA_HASH_VALUE_OFFSET + 4);
        assertEquals(65535, MAX_PACKET_SIZE);
        assertEquals(18, XEN_NETIF_NR_SLOTS_MIN);
        assertEquals(0b1111, NETTXF_CSUM_BLANK | NETTXF_DATA_VALIDATED | NETTXF_MORE_DATA | NETTXF_EXTRA_INFO);
        assertEquals(0b11111, NETRXF_DATA_VALIDATED | NETRXF_CSUM_BLANK | NETRXF_MORE_DATA | NETRXF_EXTRA_INFO |
            NETRXF_GSO_PREFIX);
        assertTrue(fitsInPage(4096 - 60, 60));
        assertFalse(fitsInPage(4096 - 59, 60));
        assertFalse(fitsInPage(-1, 1));
        assertTrue(isKnownExtraType(XEN_NETIF_EXTRA_TYPE_GSO));
        assertTrue(isKnownExtraType(XEN_NETIF_EXTRA_TYPE_XDP));
        assertFalse(isKnownExtraType(XEN_NETIF_EXTRA_TYPE_NONE));
        assertFalse(isKnownExtraType(XEN_NETIF_EXTRA_TYPE_MAX));
    }

    @Test
    void aTxRequestLandsAtTheWireOffsets()
    {
        Arrays.fill(bytes, GARBAGE);
        final NetifTxRequest request = new NetifTxRequest().wrap(buffer, BASE)
            .set(0x8765_4321, 0x0FFE, NETTXF_MORE_DATA | NETTXF_CSUM_BLANK, 0xBEEF, 0xFFFF);

        assertEquals(0x8765_4321, raw.getInt(BASE));
        assertEquals((short)0x0FFE, raw.getShort(BASE + 4));
        assertEquals((short)(NETTXF_MORE_DATA | NETTXF_CSUM_BLANK), raw.getShort(BASE + 6));
        assertEquals((short)0xBEEF, raw.getShort(BASE + 8));
        assertEquals((short)0xFFFF, raw.getShort(BASE + 10));
        assertEquals(GARBAGE, bytes[BASE - 1]);
        assertEquals(GARBAGE, bytes[BASE + TX_REQUEST_LENGTH]);

        assertEquals(0x8765_4321, request.gref());
        assertEquals(0x0FFE, request.pageOffset());
        assertEquals(0xBEEF, request.id());
        assertEquals(0xFFFF, request.size(), "u16 fields read unsigned");
        assertTrue(request.hasMoreData());
        assertFalse(request.hasExtraInfo());

        request.gref(7).pageOffset(100).flags(NETTXF_EXTRA_INFO).id(3).size(1514);
        assertEquals(7, raw.getInt(BASE));
        assertEquals(100, raw.getShort(BASE + 4));
        assertEquals(NETTXF_EXTRA_INFO, raw.getShort(BASE + 6));
        assertEquals(3, raw.getShort(BASE + 8));
        assertEquals(1514, raw.getShort(BASE + 10));
        assertTrue(request.hasExtraInfo());
        assertSame(buffer, request.buffer());
        assertEquals(BASE, request.offset());
    }

    @Test
    void aTxResponseOverwritesTheWholeSlotAndNothingElse()
    {
        Arrays.fill(bytes, GARBAGE);
        final NetifTxResponse response = new NetifTxResponse().wrap(buffer, BASE).write(0xFFFE, NETIF_RSP_DROPPED);

        assertEquals((short)0xFFFE, raw.getShort(BASE));
        assertEquals((short)-2, raw.getShort(BASE + 2));
        for (int i = TX_RESPONSE_LENGTH; i < TX_SLOT_LENGTH; i++)
        {
            assertEquals(0, bytes[BASE + i], "slot byte " + i + " zeroed");
        }
        assertEquals(GARBAGE, bytes[BASE - 1]);
        assertEquals(GARBAGE, bytes[BASE + TX_SLOT_LENGTH]);
        assertEquals(0xFFFE, response.id());
        assertEquals(NETIF_RSP_DROPPED, response.status());

        response.write(1, NETIF_RSP_NULL);
        assertEquals(NETIF_RSP_NULL, response.status());
        response.write(2, NETIF_RSP_ERROR);
        assertEquals(NETIF_RSP_ERROR, response.status());
    }

    @Test
    void anRxRequestZeroesItsPad()
    {
        Arrays.fill(bytes, GARBAGE);
        final NetifRxRequest request = new NetifRxRequest().wrap(buffer, BASE).set(0x1234, 0xCAFE_F00D);

        assertEquals(0x1234, raw.getShort(BASE));
        assertEquals(0, raw.getShort(BASE + RX_REQ_PAD_OFFSET));
        assertEquals(0xCAFE_F00D, raw.getInt(BASE + 4));
        assertEquals(GARBAGE, bytes[BASE + RX_SLOT_LENGTH]);
        assertEquals(0x1234, request.id());
        assertEquals(0xCAFE_F00D, request.gref());
    }

    @Test
    void anRxResponseOverwritesTheWholeSlotAndNothingElse()
    {
        Arrays.fill(bytes, GARBAGE);
        final NetifRxResponse response = new NetifRxResponse().wrap(buffer, BASE)
            .write(0x00FF, 0x0ABC, NETRXF_DATA_VALIDATED | NETRXF_MORE_DATA, 1514);

        assertEquals(0x00FF, raw.getShort(BASE));
        assertEquals(0x0ABC, raw.getShort(BASE + 2));
        assertEquals(NETRXF_DATA_VALIDATED | NETRXF_MORE_DATA, raw.getShort(BASE + 4));
        assertEquals(1514, raw.getShort(BASE + 6));
        assertEquals(GARBAGE, bytes[BASE - 1]);
        assertEquals(GARBAGE, bytes[BASE + RX_SLOT_LENGTH]);
        assertEquals(0x00FF, response.id());
        assertEquals(0x0ABC, response.pageOffset());
        assertEquals(NETRXF_DATA_VALIDATED | NETRXF_MORE_DATA, response.flags());
        assertEquals(1514, response.status());

        response.write(0xFFFF, 0, 0, NETIF_RSP_ERROR);
        assertEquals(0xFFFF, response.id());
        assertEquals(0, raw.getShort(BASE + 2));
        assertEquals(0, raw.getShort(BASE + 4));
        assertEquals(NETIF_RSP_ERROR, response.status());
    }

    @Test
    void extraInfoEntriesAreWrittenWhole()
    {
        final NetifExtraInfo extra = new NetifExtraInfo().wrap(buffer, BASE);

        Arrays.fill(bytes, GARBAGE);
        extra.writeGso(XEN_NETIF_EXTRA_FLAG_MORE, 1448, XEN_NETIF_GSO_TYPE_TCPV6, 0x8001);
        assertArrayEquals(new byte[]{1, 1, (byte)0xA8, 0x05, 2, 0, 0x01, (byte)0x80}, slice(BASE, EXTRA_INFO_LENGTH));
        assertEquals(GARBAGE, bytes[BASE + EXTRA_INFO_LENGTH], "the tx slot tail is left alone");
        assertEquals(XEN_NETIF_EXTRA_TYPE_GSO, extra.type());
        assertTrue(extra.hasMore());
        assertEquals(1448, extra.gsoSize());
        assertEquals(XEN_NETIF_GSO_TYPE_TCPV6, extra.gsoType());
        assertEquals(0x8001, extra.gsoFeatures());
        extra.zeroTxSlotTail();
        assertArrayEquals(new byte[4], slice(BASE + EXTRA_INFO_LENGTH, TX_SLOT_LENGTH - EXTRA_INFO_LENGTH));
        assertEquals(GARBAGE, bytes[BASE + TX_SLOT_LENGTH]);

        Arrays.fill(bytes, GARBAGE);
        extra.writeMcast(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0, 0x01_00_5E_00_00_FBL);
        assertArrayEquals(new byte[]{2, 0, 0x01, 0x00, 0x5E, 0x00, 0x00, (byte)0xFB}, slice(BASE, EXTRA_INFO_LENGTH));
        assertEquals(0x01_00_5E_00_00_FBL, extra.mcastAddress());
        assertFalse(extra.hasMore());

        Arrays.fill(bytes, GARBAGE);
        extra.writeHash(0, 1, 1, 0x1234_5678);
        assertArrayEquals(new byte[]{4, 0, 1, 1, 0x78, 0x56, 0x34, 0x12}, slice(BASE, EXTRA_INFO_LENGTH));
        assertEquals(1, extra.hashType());
        assertEquals(1, extra.hashAlgorithm());
        assertEquals(0x1234_5678, extra.hashValue());

        Arrays.fill(bytes, GARBAGE);
        extra.writeXdp(0, 256);
        assertArrayEquals(new byte[]{5, 0, 0, 1, 0, 0, 0, 0}, slice(BASE, EXTRA_INFO_LENGTH));
        assertEquals(256, extra.xdpHeadroom());
        assertEquals(GARBAGE, bytes[BASE - 1]);
    }

    @Test
    void ethernetHeaderFields()
    {
        Arrays.fill(bytes, (byte)0);
        final byte[] header = {
            (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFF,
            0x00, 0x16, 0x3E, 0x01, 0x02, 0x03,
            0x08, 0x06};
        buffer.putBytes(BASE, header);
        assertEquals(0xFFFF_FFFF_FFFFL, EthernetDescriptor.destination(buffer, BASE));
        assertEquals(0x00_16_3E_01_02_03L, EthernetDescriptor.source(buffer, BASE));
        assertEquals(EthernetDescriptor.ETHERTYPE_ARP, EthernetDescriptor.etherType(buffer, BASE));
        assertTrue(EthernetDescriptor.isBroadcast(buffer, BASE));
        assertTrue(EthernetDescriptor.isMulticast(buffer, BASE));

        buffer.putByte(BASE, (byte)0x01);
        assertFalse(EthernetDescriptor.isBroadcast(buffer, BASE));
        assertTrue(EthernetDescriptor.isMulticast(buffer, BASE), "I/G bit alone makes it a group address");
        buffer.putByte(BASE, (byte)0x02);
        assertFalse(EthernetDescriptor.isMulticast(buffer, BASE), "U/L bit is not the group bit");
        assertEquals(EthernetDescriptor.HEADER_LENGTH, EthernetDescriptor.ETHERTYPE_OFFSET + 2);
    }

    private byte[] slice(final int from, final int length)
    {
        return Arrays.copyOfRange(bytes, from, from + length);
    }
}
