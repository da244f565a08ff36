package io.javisor.emulation.device.lan9118;

import static io.javisor.emulation.device.lan9118.Lan9118Descriptor.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import io.javisor.netback.bridge.Bridge;

import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Guests that write anything, and TX commands no driver would build: the host stays healthy. */
@Seeded
class Lan9118HostileTest
{
    private boolean irq;

    @Test
    void randomRegisterWritesWithTrafficLeaveTheHostHealthy(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        final Bridge bridge = new Bridge("br-hostile");
        final Lan9118DeviceTest.CollectingPort peer = new Lan9118DeviceTest.CollectingPort();
        final int peerPort = bridge.attach(peer);
        final Lan9118Device nic = new Lan9118Device(Lan9118DeviceTest.MAC, level -> irq = level, () -> { });
        nic.attach(bridge);
        final byte[] f = Lan9118DeviceTest.frame(Lan9118DeviceTest.MAC, Lan9118DeviceTest.PEER, 300);
        final UnsafeBuffer buffer = new UnsafeBuffer(f);
        for (int i = 0; i < 300_000; i++)
        {
            final int offset = random.nextInt((int)SIZE / 4) * 4;
            int value = random.nextInt();
            if (offset == MAC_CSR_CMD && random.nextBoolean())
            {
                value = (value & (MAC_CSR_READ | 0x0F)) | MAC_CSR_BUSY;
            }
            if (offset == HW_CFG && random.nextInt(8) > 0)
            {
                value &= ~HW_CFG_SRST;
            }
            if (random.nextBoolean())
            {
                nic.write(offset, 4, value & 0xFFFF_FFFFL);
            }
            else
            {
                nic.read(offset, 4);
            }
            if (random.nextInt(64) == 0)
            {
                bridge.forward(peerPort, buffer, 0, f.length, System.nanoTime());
            }
            assertEquals(irq, nic.interruptLine());
        }
        // Recovery after a soft reset: a normal frame goes out and one comes in.
        peer.frames.clear();
        wrAll(nic, HW_CFG, HW_CFG_SRST);
        openAndCheck(nic, bridge, peerPort, peer);
    }

    private static void wrAll(final Lan9118Device nic, final int offset, final int value)
    {
        nic.write(offset, 4, value & 0xFFFF_FFFFL);
    }

    private static void macWrite(final Lan9118Device nic, final int csr, final int value)
    {
        wrAll(nic, MAC_CSR_DATA, value);
        wrAll(nic, MAC_CSR_CMD, MAC_CSR_BUSY | csr);
    }

    private static void openAndCheck(final Lan9118Device nic, final Bridge bridge, final int peerPort,
        final Lan9118DeviceTest.CollectingPort peer)
    {
        wrAll(nic, TX_CFG, TX_CFG_TX_ON);
        macWrite(nic, MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN);
        final byte[] out = Lan9118DeviceTest.frame(Lan9118DeviceTest.PEER, Lan9118DeviceTest.MAC, 64);
        wrAll(nic, TX_DATA_FIFO, TX_CMD_A_FIRST | TX_CMD_A_LAST | 64);
        wrAll(nic, TX_DATA_FIFO, 64);
        for (int at = 0; at < 64; at += 4)
        {
            wrAll(nic, TX_DATA_FIFO, (out[at] & 0xFF) | (out[at + 1] & 0xFF) << 8 | (out[at + 2] & 0xFF) << 16 |
                (out[at + 3] & 0xFF) << 24);
        }
        assertEquals(1, peer.frames.size());
        assertArrayEquals(out, peer.frames.get(0));
        final byte[] in = Lan9118DeviceTest.frame(Lan9118DeviceTest.MAC, Lan9118DeviceTest.PEER, 64);
        // SRST emptied the FIFOs; the host queue may still hold frames from before, so at least one arrives.
        bridge.forward(peerPort, new UnsafeBuffer(in), 0, in.length, System.nanoTime());
        nic.poll();
        assertTrue((nic.read(RX_FIFO_INF, 4) >>> 16 & 0xFF) >= 1);
    }

    @Test
    void oversizedAndMalformedTxCommandsFailWithStatusNotWithTheHost()
    {
        final Bridge bridge = new Bridge("br-tx");
        final Lan9118DeviceTest.CollectingPort peer = new Lan9118DeviceTest.CollectingPort();
        bridge.attach(peer);
        final Lan9118Device nic = new Lan9118Device(Lan9118DeviceTest.MAC, level -> irq = level, () -> { });
        nic.attach(bridge);
        wrAll(nic, TX_CFG, TX_CFG_TX_ON);
        macWrite(nic, MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN);
        // Three first+middle+last segments of 2047 bytes each: 6 KiB, far over the largest frame;
        // the data FIFO (4.5 KiB) overruns on the way.
        for (int segment = 0; segment < 3; segment++)
        {
            wrAll(nic, TX_DATA_FIFO, (segment == 0 ? TX_CMD_A_FIRST : 0) | (segment == 2 ? TX_CMD_A_LAST : 0) | 2047);
            wrAll(nic, TX_DATA_FIFO, 0x00AB_0000 | 2047);
            for (int i = 0; i < 512; i++)
            {
                wrAll(nic, TX_DATA_FIFO, 0xFFFF_FFFF);
            }
        }
        assertEquals(INT_TDFO, nic.read(INT_STS, 4) & INT_TDFO, "data FIFO overrun");
        assertEquals(0, peer.frames.size());
        // The driver recovers with a TX data dump, then sends a frame whose B length disagrees.
        wrAll(nic, TX_CFG, TX_CFG_TX_ON | TX_CFG_TXD_DUMP);
        wrAll(nic, TX_DATA_FIFO, TX_CMD_A_FIRST | TX_CMD_A_LAST | 16);
        wrAll(nic, TX_DATA_FIFO, 0x0042_0000 | 1000);
        for (int i = 0; i < 4; i++)
        {
            wrAll(nic, TX_DATA_FIFO, 0x0101_0101);
        }
        assertEquals(0, peer.frames.size());
        assertEquals(0x0042_0000 | TX_STS_ES, nic.read(TX_STATUS_FIFO, 4));
        assertEquals(INT_TXE, nic.read(INT_STS, 4) & INT_TXE);
        // A middle segment with no first one.
        wrAll(nic, TX_DATA_FIFO, TX_CMD_A_LAST | 4);
        wrAll(nic, TX_DATA_FIFO, 4);
        wrAll(nic, TX_DATA_FIFO, 0);
        assertEquals(TX_STS_ES, nic.read(TX_STATUS_FIFO, 4) & TX_STS_ES);
        assertTrue(nic.statistics().txErrors() >= 2);
        // Still works.
        final byte[] out = Lan9118DeviceTest.frame(Lan9118DeviceTest.PEER, Lan9118DeviceTest.MAC, 64);
        wrAll(nic, TX_DATA_FIFO, TX_CMD_A_FIRST | TX_CMD_A_LAST | 64);
        wrAll(nic, TX_DATA_FIFO, 64);
        for (int at = 0; at < 64; at += 4)
        {
            wrAll(nic, TX_DATA_FIFO, (out[at] & 0xFF) | (out[at + 1] & 0xFF) << 8 | (out[at + 2] & 0xFF) << 16 |
                (out[at + 3] & 0xFF) << 24);
        }
        assertEquals(1, peer.frames.size());
        assertArrayEquals(out, peer.frames.get(0));
    }
}
