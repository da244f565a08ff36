package io.javisor.emulation.device.lan9118;

import static io.javisor.emulation.device.lan9118.Lan9118Descriptor.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.bridge.BridgePort;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The LAN9118 model against its register specification, on a real netback bridge. */
class Lan9118DeviceTest
{
    static final long MAC = 0x00_16_3E_12_34_56L;
    static final long PEER = 0x00_16_3E_AA_BB_CCL;

    private boolean irq;
    private final AtomicInteger wakeUps = new AtomicInteger();
    private final Lan9118Device nic = new Lan9118Device(MAC, level -> irq = level, wakeUps::incrementAndGet);

    /** A bridge port that keeps what it is given. */
    static final class CollectingPort implements BridgePort
    {
        final List<byte[]> frames = new ArrayList<>();

        @Override
        public boolean deliver(final DirectBuffer frame, final int offset, final int length)
        {
            final byte[] copy = new byte[length];
            frame.getBytes(offset, copy);
            frames.add(copy);
            return true;
        }

        @Override
        public String name()
        {
            return "test";
        }
    }

    int rd(final int offset)
    {
        return (int)nic.read(offset, 4);
    }

    void wr(final int offset, final int value)
    {
        nic.write(offset, 4, value & 0xFFFF_FFFFL);
    }

    int macRead(final int csr)
    {
        wr(MAC_CSR_CMD, MAC_CSR_BUSY | MAC_CSR_READ | csr);
        assertEquals(0, rd(MAC_CSR_CMD) & MAC_CSR_BUSY);
        return rd(MAC_CSR_DATA);
    }

    void macWrite(final int csr, final int value)
    {
        wr(MAC_CSR_DATA, value);
        wr(MAC_CSR_CMD, MAC_CSR_BUSY | csr);
        assertEquals(0, rd(MAC_CSR_CMD) & MAC_CSR_BUSY);
    }

    int phyRead(final int phy, final int register)
    {
        macWrite(MAC_MII_ACC, phy << MII_ACC_PHY_SHIFT | register << MII_ACC_REG_SHIFT | MII_ACC_BUSY);
        assertEquals(0, macRead(MAC_MII_ACC) & MII_ACC_BUSY);
        return macRead(MAC_MII_DATA);
    }

    /** What smsc911x_open does, in short: TX on, MAC TX/RX enabled, RX data offset 2, RSFL interrupt. */
    void open()
    {
        wr(IRQ_CFG, IRQ_CFG_IRQ_EN | IRQ_CFG_IRQ_POL | IRQ_CFG_IRQ_TYPE);
        wr(FIFO_INT, 0xFF00_0000); // RX status level 0, TX available level off
        wr(RX_CFG, 2 << RX_CFG_RXDOFF_SHIFT);
        wr(TX_CFG, TX_CFG_TX_ON);
        macWrite(MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_FDPX);
        wr(INT_STS, 0xFFFF_FFFF);
        wr(INT_EN, INT_RSFL | INT_TSFL);
    }

    static byte[] frame(final long destination, final long source, final int length)
    {
        final byte[] f = new byte[length];
        for (int i = 0; i < 6; i++)
        {
            f[i] = (byte)(destination >>> (40 - 8 * i));
            f[6 + i] = (byte)(source >>> (40 - 8 * i));
        }
        f[12] = 0x08;
        f[13] = 0x00;
        for (int i = 14; i < length; i++)
        {
            f[i] = (byte)(i * 7);
        }
        return f;
    }

    /** The Linux way: command A with the buffer's start offset, command B, then whole words. */
    void send(final byte[] f, final int tag, final int startOffset)
    {
        wr(TX_DATA_FIFO, TX_CMD_A_FIRST | TX_CMD_A_LAST | startOffset << TX_CMD_A_OFFSET_SHIFT | f.length);
        wr(TX_DATA_FIFO + 4, tag << TX_CMD_B_TAG_SHIFT | f.length);
        final byte[] stream = new byte[(startOffset + f.length + 3) & ~3];
        System.arraycopy(f, 0, stream, startOffset, f.length);
        for (int at = 0; at < stream.length; at += 4)
        {
            wr(TX_DATA_FIFO + (at & 0x1C), (stream[at] & 0xFF) | (stream[at + 1] & 0xFF) << 8 |
                (stream[at + 2] & 0xFF) << 16 | (stream[at + 3] & 0xFF) << 24);
        }
    }

    /** Reads one packet the Linux way (RX data offset 2); checks the FCS and returns the frame. */
    byte[] receiveOne()
    {
        final int inf = rd(RX_FIFO_INF);
        assertTrue((inf >>> 16 & 0xFF) > 0, "a status is waiting");
        final int status = rd(RX_STATUS_FIFO);
        assertEquals(0, status & RX_STS_ES);
        final int length = status >>> RX_STS_LENGTH_SHIFT & RX_STS_LENGTH_MASK;
        final int words = (length + 2 + 3) >>> 2;
        final byte[] stream = new byte[words * 4];
        for (int w = 0; w < words; w++)
        {
            final int v = rd(RX_DATA_FIFO);
            for (int i = 0; i < 4; i++)
            {
                stream[4 * w + i] = (byte)(v >>> 8 * i);
            }
        }
        final byte[] f = new byte[length - 4];
        System.arraycopy(stream, 2, f, 0, f.length);
        final CRC32 crc = new CRC32();
        crc.update(f);
        final int fcs = (stream[2 + f.length] & 0xFF) | (stream[3 + f.length] & 0xFF) << 8 |
            (stream[4 + f.length] & 0xFF) << 16 | (stream[5 + f.length] & 0xFF) << 24;
        assertEquals((int)crc.getValue(), fcs, "FCS");
        return f;
    }

    @Test
    void byteTestIdRevAndReady()
    {
        assertEquals(0x8765_4321, rd(BYTE_TEST));
        assertEquals(0x0118, rd(ID_REV) >>> 16);
        assertEquals(PMT_CTRL_READY, rd(PMT_CTRL) & PMT_CTRL_READY);
        assertEquals(HW_CFG_RESET, rd(HW_CFG));
        wr(HW_CFG, HW_CFG_SRST);
        assertEquals(0, rd(HW_CFG) & HW_CFG_SRST, "soft reset completes at once");
        assertEquals(0, rd(E2P_CMD) & E2P_CMD_BUSY);
        assertFalse(nic.supports(0x64, 2));
        assertFalse(nic.supports(0x66, 4));
        assertTrue(nic.supports(0x64, 4));
    }

    @Test
    void macCsrsHoldTheConfiguredAddress()
    {
        assertEquals(MAC_CR_PRMS, macRead(MAC_CR));
        assertEquals(0x123E_1600, macRead(MAC_ADDRL));
        assertEquals(0x5634, macRead(MAC_ADDRH));
        macWrite(MAC_ADDRL, 0x0403_0201);
        macWrite(MAC_ADDRH, 0x0605);
        assertEquals(0x01_02_03_04_05_06L, nic.macAddress());
        macWrite(MAC_CR, MAC_CR_RXEN | MAC_CR_TXEN | MAC_CR_RESERVED);
        assertEquals(MAC_CR_RXEN | MAC_CR_TXEN, macRead(MAC_CR), "reserved bits read 0");
    }

    @Test
    void miiReachesThePhyAtAddressOneWithLinkUp()
    {
        assertEquals(PHY_ID1_VALUE, phyRead(PHY_ADDRESS, PHY_ID1));
        assertEquals(PHY_ID2_VALUE, phyRead(PHY_ADDRESS, PHY_ID2));
        final int bmsr = phyRead(PHY_ADDRESS, PHY_BMSR);
        assertEquals(BMSR_LINK_UP, bmsr & BMSR_LINK_UP);
        assertEquals(BMSR_ANEG_COMPLETE, bmsr & BMSR_ANEG_COMPLETE);
        assertEquals(0xFFFF, phyRead(0, PHY_ID1), "no PHY at address 0");
        assertEquals(0xFFFF, phyRead(7, PHY_BMSR));
        // BMCR write and read back; reset restores the default.
        macWrite(MAC_MII_DATA, BMCR_ANENABLE | 0x0100);
        macWrite(MAC_MII_ACC, PHY_ADDRESS << MII_ACC_PHY_SHIFT | PHY_BMCR << MII_ACC_REG_SHIFT | MII_ACC_WRITE |
            MII_ACC_BUSY);
        assertEquals(BMCR_ANENABLE | 0x0100, phyRead(PHY_ADDRESS, PHY_BMCR));
        macWrite(MAC_MII_DATA, BMCR_RESET);
        macWrite(MAC_MII_ACC, PHY_ADDRESS << MII_ACC_PHY_SHIFT | PHY_BMCR << MII_ACC_REG_SHIFT | MII_ACC_WRITE |
            MII_ACC_BUSY);
        assertEquals(BMCR_RESET_VALUE, phyRead(PHY_ADDRESS, PHY_BMCR));
    }

    @Test
    void softwareInterruptSelfTest()
    {
        wr(IRQ_CFG, IRQ_CFG_IRQ_EN);
        assertFalse(irq);
        wr(INT_EN, INT_SW);
        assertTrue(irq);
        assertEquals(INT_SW, rd(INT_STS) & INT_SW);
        assertEquals(IRQ_CFG_IRQ_INT, rd(IRQ_CFG) & IRQ_CFG_IRQ_INT);
        wr(INT_STS, INT_SW);
        assertFalse(irq, "write one to clear");
        wr(INT_EN, INT_SW);
        wr(IRQ_CFG, 0);
        assertFalse(irq, "IRQ_EN gates the line");
    }

    @Test
    void txGoesThroughTheBridgeWithStatusAndTag()
    {
        final Bridge bridge = new Bridge("br-test");
        final CollectingPort peer = new CollectingPort();
        bridge.attach(peer);
        nic.attach(bridge);
        open();
        final byte[] f = frame(PEER, MAC, 98);
        send(f, 0x1234, 2);
        assertEquals(1, peer.frames.size());
        assertArrayEquals(f, peer.frames.get(0));
        assertEquals(1, rd(TX_FIFO_INF) >>> 16 & 0xFF, "one TX status");
        assertEquals(TX_DATA_FIFO_BYTES, rd(TX_FIFO_INF) & 0xFFFF, "the data FIFO is empty again");
        assertTrue(irq, "TSFL");
        assertEquals(0x1234 << 16, rd(TX_STATUS_FIFO_PEEK));
        assertEquals(0x1234 << 16, rd(TX_STATUS_FIFO));
        assertEquals(0, rd(TX_FIFO_INF) >>> 16 & 0xFF);
        wr(INT_STS, INT_TSFL);
        assertFalse(irq);
        // A short frame is padded to 60 bytes by the MAC.
        send(frame(PEER, MAC, 42), 1, 0);
        assertEquals(60, peer.frames.get(1).length);
        assertEquals(2, nic.statistics().txFrames());
    }

    @Test
    void multiSegmentTxAssemblesOneFrame()
    {
        final Bridge bridge = new Bridge("br-seg");
        final CollectingPort peer = new CollectingPort();
        bridge.attach(peer);
        nic.attach(bridge);
        open();
        final byte[] f = frame(PEER, MAC, 100);
        // segment 1: 30 bytes at offset 1; segment 2: 70 bytes at offset 3, 16-byte end alignment.
        wr(TX_DATA_FIFO, TX_CMD_A_FIRST | 1 << TX_CMD_A_OFFSET_SHIFT | 30);
        wr(TX_DATA_FIFO, 7 << 16 | 100);
        pushBytes(f, 0, 30, 1, 4);
        wr(TX_DATA_FIFO, TX_CMD_A_LAST | TX_CMD_A_IOC | 1 << TX_CMD_A_END_ALIGN_SHIFT | 3 << TX_CMD_A_OFFSET_SHIFT | 70);
        wr(TX_DATA_FIFO, 7 << 16 | 100);
        pushBytes(f, 30, 70, 3, 16);
        assertEquals(1, peer.frames.size());
        assertArrayEquals(f, peer.frames.get(0));
        assertEquals(INT_TX_IOC, rd(INT_STS) & INT_TX_IOC);
        assertEquals(7 << 16, rd(TX_STATUS_FIFO));
    }

    private void pushBytes(final byte[] f, final int from, final int length, final int offset, final int align)
    {
        final int total = (offset + length + align - 1) / align * align;
        final byte[] stream = new byte[total];
        System.arraycopy(f, from, stream, offset, length);
        for (int at = 0; at < total; at += 4)
        {
            wr(TX_DATA_FIFO, (stream[at] & 0xFF) | (stream[at + 1] & 0xFF) << 8 | (stream[at + 2] & 0xFF) << 16 |
                (stream[at + 3] & 0xFF) << 24);
        }
    }

    @Test
    void rxFromTheBridgeLandsInTheFifosWithStatusAndInterrupt()
    {
        final Bridge bridge = new Bridge("br-rx");
        final int peerPort = bridge.attach(new CollectingPort());
        nic.attach(bridge);
        open();
        final byte[] f = frame(MAC, PEER, 75);
        assertEquals(1, bridge.forward(peerPort, new UnsafeBuffer(f), 0, f.length, System.nanoTime()));
        assertTrue(wakeUps.get() > 0, "the hart is woken");
        assertFalse(irq, "nothing moves before the vCPU looks");
        nic.poll();
        assertTrue(irq, "RSFL");
        final int inf = rd(RX_FIFO_INF);
        assertEquals(1, inf >>> 16 & 0xFF);
        assertEquals((2 + 75 + 4 + 3) / 4 * 4, inf & 0xFFFF, "data bytes used, offset and FCS included");
        assertEquals((75 + 4) << 16 | RX_STS_FRAME_TYPE, rd(RX_STATUS_FIFO_PEEK));
        assertArrayEquals(f, receiveOne());
        wr(INT_STS, INT_RSFL);
        assertFalse(irq);
        assertEquals(0, rd(RX_FIFO_INF));
        // Broadcast: status bit.
        final byte[] b = frame(0xFFFF_FFFF_FFFFL, PEER, 64);
        bridge.forward(peerPort, new UnsafeBuffer(b), 0, b.length, System.nanoTime());
        assertEquals(RX_STS_BROADCAST, rd(RX_STATUS_FIFO_PEEK) & RX_STS_BROADCAST);
        assertArrayEquals(b, receiveOne());
        // Reading on: underflow.
        assertEquals(0, rd(RX_DATA_FIFO));
        assertEquals(INT_RXE, rd(INT_STS) & INT_RXE);
        assertEquals(2, nic.statistics().rxFrames());
    }

    @Test
    void fastForwardSkipsAPacket()
    {
        open();
        macWrite(MAC_CR, MAC_CR_RXEN | MAC_CR_TXEN | MAC_CR_LOOPBK | MAC_CR_PRMS);
        final byte[] first = frame(PEER, MAC, 200);
        final byte[] second = frame(PEER, MAC, 90);
        send(first, 1, 0);
        send(second, 2, 0);
        assertEquals(2, rd(RX_FIFO_INF) >>> 16 & 0xFF, "looped back");
        rd(RX_STATUS_FIFO);
        wr(RX_DP_CTRL, RX_DP_CTRL_FFWD);
        assertEquals(0, rd(RX_DP_CTRL) & RX_DP_CTRL_FFWD);
        assertArrayEquals(second, receiveOne());
    }

    @Test
    void addressFilterDropsOtherUnicastWhenNotPromiscuous()
    {
        final Bridge bridge = new Bridge("br-filter");
        final int peerPort = bridge.attach(new CollectingPort());
        nic.attach(bridge);
        open();
        macWrite(MAC_CR, MAC_CR_RXEN | MAC_CR_TXEN); // PRMS off
        final byte[] other = frame(0x00_16_3E_00_00_01L, PEER, 64);
        final byte[] mine = frame(MAC, PEER, 64);
        // "other" is unknown to the bridge, so it floods to us; the MAC filter drops it.
        bridge.forward(peerPort, new UnsafeBuffer(other), 0, other.length, System.nanoTime());
        bridge.forward(peerPort, new UnsafeBuffer(mine), 0, mine.length, System.nanoTime());
        assertEquals(1, rd(RX_FIFO_INF) >>> 16 & 0xFF);
        assertArrayEquals(mine, receiveOne());
        assertEquals(1, nic.statistics().rxDroppedFilter());
    }

    @Test
    void rxDisabledDropsAndRxStopInterrupts()
    {
        final Bridge bridge = new Bridge("br-off");
        final int peerPort = bridge.attach(new CollectingPort());
        nic.attach(bridge);
        open();
        wr(INT_EN, INT_RXSTOP);
        macWrite(MAC_CR, MAC_CR_TXEN);
        assertTrue(irq, "RXSTOP");
        final byte[] f = frame(MAC, PEER, 64);
        bridge.forward(peerPort, new UnsafeBuffer(f), 0, f.length, System.nanoTime());
        assertEquals(0, rd(RX_FIFO_INF));
        assertEquals(1, nic.statistics().rxDroppedDisabled());
    }

    @Test
    void aFullRxFifoLeavesFramesQueuedThenTheHostQueueRefuses()
    {
        final Bridge bridge = new Bridge("br-full");
        final int peerPort = bridge.attach(new CollectingPort());
        final int nicPort = nic.attach(bridge);
        open();
        final byte[] f = frame(MAC, PEER, 1500);
        final UnsafeBuffer buffer = new UnsafeBuffer(f);
        for (int i = 0; i < 100; i++)
        {
            bridge.forward(peerPort, buffer, 0, f.length, System.nanoTime());
        }
        final int inFifo = rd(RX_FIFO_INF) >>> 16 & 0xFF;
        assertEquals(RX_DATA_FIFO_BYTES / 1508, inFifo, "as many as the 10 KiB data FIFO holds");
        assertTrue(bridge.portRefused(nicPort) > 0, "the host queue filled up");
        assertEquals(bridge.portRefused(nicPort), nic.statistics().rxDroppedHostQueueFull());
        for (int i = 0; i < inFifo; i++)
        {
            assertArrayEquals(f, receiveOne());
        }
        assertTrue((rd(RX_FIFO_INF) >>> 16 & 0xFF) > 0, "queued frames moved in as room appeared");
    }
}
