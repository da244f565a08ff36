package io.javisor.netback;

import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.ratelimit.RateLimiter;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.StandaloneDomains;
import io.javisor.ringio.ring.BackRing;
import io.javisor.ringio.ring.FrontRing;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusDevice.Side;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.javisor.netback.NetFrontBackTest.*;
import static io.javisor.netback.wire.NetifDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A hostile front end on vif A, a well-behaved pair B ↔ C on the same bridge and agent. Each
 * packet-level error drops the packet and counts it; each protocol-level error disables vif A with
 * a reason; B and C keep talking throughout.
 */
class HostileNetFrontTest
{
    private final StandaloneDomains domains = new StandaloneDomains(256);
    private final BackendResources dom0 = domains.backend(0, 16);
    private final DomainResources hostile = domains.domain(1, 16);
    private final DomainResources guestB = domains.domain(2, 16);
    private final DomainResources guestC = domains.domain(3, 16);
    private final Bridge bridge = new Bridge("xenbr0");
    private final NetBackend backend = new NetBackend(dom0, NetBackend.Mode.LATENCY, "hostile").start();
    private Vif vifA;
    private NetFront b;
    private NetFront c;

    // The raw front end of vif A.
    private final UnsafeBuffer txPage = new UnsafeBuffer(0, 0);
    private FrontRing tx;
    private XenbusDevice xenbus;
    private int port;
    private int dataRef;
    private long dataGpfn;

    @BeforeEach
    void setUp() throws Exception
    {
        vifA = backend.attach(hostile.domid(), 0, MAC_A, bridge, RateLimiter.unlimited());
        backend.attach(guestB.domid(), 0, MAC_B, bridge, RateLimiter.unlimited());
        backend.attach(guestC.domid(), 0, MAC_C, bridge, RateLimiter.unlimited());
        b = NetFront.attach(guestB, 0, 0, NetFrontConfig.defaults());
        c = NetFront.attach(guestC, 0, 0, NetFrontConfig.defaults());

        xenbus = new XenbusDevice(hostile.xenStore(), NetifXenstoreKeys.DEVICE_TYPE, hostile.domid(), 0, 0);
        xenbus.awaitPeerState(Side.FRONTEND, s -> s == XenbusState.INIT_WAIT, Duration.ofSeconds(10));
        final long txGpfn = hostile.pages().allocate();
        final long rxGpfn = hostile.pages().allocate();
        hostile.memory().wrapFrame(txGpfn, txPage);
        final UnsafeBuffer rxPage = new UnsafeBuffer(0, 0);
        hostile.memory().wrapFrame(rxGpfn, rxPage);
        tx = new FrontRing(txPage, TX_SLOT_LENGTH).initialise();
        new FrontRing(rxPage, RX_SLOT_LENGTH).initialise();
        final int txRef = hostile.grantReferences().claim();
        final int rxRef = hostile.grantReferences().claim();
        hostile.grantTable().grantAccess(txRef, 0, txGpfn, false);
        hostile.grantTable().grantAccess(rxRef, 0, rxGpfn, false);
        dataGpfn = hostile.pages().allocate();
        dataRef = hostile.grantReferences().claim();
        hostile.grantTable().grantAccess(dataRef, 0, dataGpfn, true);
        final UnsafeBuffer data = new UnsafeBuffer(0, 0);
        hostile.memory().wrapFrame(dataGpfn, data);
        data.putBytes(0, frame(MAC_B, MAC_A, 4096, 0), 0, 4096);
        port = hostile.eventChannels().allocUnbound(0);
        xenbus.write(Side.FRONTEND, NetifXenstoreKeys.TX_RING_REF, Integer.toString(txRef));
        xenbus.write(Side.FRONTEND, NetifXenstoreKeys.RX_RING_REF, Integer.toString(rxRef));
        xenbus.write(Side.FRONTEND, NetifXenstoreKeys.EVENT_CHANNEL, Integer.toString(port));
        xenbus.write(Side.FRONTEND, NetifXenstoreKeys.REQUEST_RX_COPY, "1");
        xenbus.switchState(Side.FRONTEND, XenbusState.INITIALISED);
        xenbus.awaitPeerState(Side.FRONTEND, s -> s == XenbusState.CONNECTED, Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown()
    {
        b.close();
        c.close();
        backend.close();
        domains.close();
    }

    private void slot(final int ref, final int offset, final int flags, final int id, final int size)
    {
        final int at = tx.claimRequest();
        txPage.putInt(at + TX_REQ_GREF_OFFSET, ref);
        txPage.putShort(at + TX_REQ_OFFSET_OFFSET, (short)offset);
        txPage.putShort(at + TX_REQ_FLAGS_OFFSET, (short)flags);
        txPage.putShort(at + TX_REQ_ID_OFFSET, (short)id);
        txPage.putShort(at + TX_REQ_SIZE_OFFSET, (short)size);
    }

    private void push()
    {
        tx.pushRequests();
        hostile.eventChannels().send(port);
    }

    private int[] statuses(final int count)
    {
        final int[] statuses = new int[count];
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (int i = 0; i < count; i++)
        {
            while (tx.responsesAvailable() == 0)
            {
                assertTrue(System.nanoTime() < deadline, "no tx response " + i);
                Thread.onSpinWait();
            }
            statuses[i] = txPage.getShort(tx.responseOffset() + TX_RSP_STATUS_OFFSET);
            tx.consumeResponse();
        }
        return statuses;
    }

    private void assertBystandersStillTalk()
    {
        for (int i = 0; i < 50; i++)
        {
            final UnsafeBuffer frame = frame(MAC_C, MAC_B, 200, i);
            assertTrue(b.send(frame, 0, 200));
            b.flush();
            assertEquals(1, receive(c, 1, 2000).size(), "B → C frame " + i);
            b.poll((buffer, offset, length) -> { });
        }
    }

    private void awaitDisabled()
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (vifA.disableReason() == null)
        {
            assertTrue(System.nanoTime() < deadline, "vif A was not disabled");
            Thread.onSpinWait();
        }
    }

    @Test
    void aGoodPacketFromTheRawFrontEndIsForwarded()
    {
        slot(dataRef, 0, 0, 1, 100);
        push();
        assertArrayEquals(new int[]{ NETIF_RSP_OKAY }, statuses(1));
        assertEquals(1, receive(b, 1, 2000).size());
    }

    @Test
    void moreThanEighteenSlotsDisablesTheVifWithAReason()
    {
        for (int i = 0; i < 19; i++)
        {
            slot(dataRef, 0, i < 18 ? NETTXF_MORE_DATA : 0, i, i == 0 ? 19 * 60 : 60);
        }
        push();
        awaitDisabled();
        assertTrue(vifA.disableReason().contains("18"), vifA.disableReason());
        assertEquals(vifA.disableReason(), xenbus.readPeer(Side.FRONTEND, NetifXenstoreKeys.ERROR));
        assertBystandersStillTalk();
    }

    @Test
    void aSlotCrossingItsPageDisablesTheVif()
    {
        slot(dataRef, 0, NETTXF_MORE_DATA, 1, 200);
        slot(dataRef, 4000, 0, 2, 100);
        push();
        awaitDisabled();
        assertTrue(vifA.disableReason().contains("crosses"), vifA.disableReason());
        assertBystandersStillTalk();
    }

    @Test
    void sizesThatDisagreeDropThePacketWithErrorResponses()
    {
        slot(dataRef, 0, NETTXF_MORE_DATA, 1, 50); // claims 50 bytes in all
        slot(dataRef, 0, 0, 2, 100);              // but a fragment alone has 100
        push();
        assertArrayEquals(new int[]{ NETIF_RSP_ERROR, NETIF_RSP_ERROR }, statuses(2));
        slot(dataRef, 0, 0, 3, 10);               // shorter than an Ethernet header
        push();
        assertArrayEquals(new int[]{ NETIF_RSP_ERROR }, statuses(1));
        slot(dataRef, 4000, 0, 4, 200);           // first slot runs off its page
        push();
        assertArrayEquals(new int[]{ NETIF_RSP_ERROR }, statuses(1));
        assertEquals(3, vifA.statistics().txErrors());
        assertNull(vifA.disableReason(), "packet-level errors do not disable the vif");
        assertEquals(0, receive(b, 1, 100).size(), "nothing was forwarded");
        aGoodPacketFromTheRawFrontEndIsForwarded();
    }

    @Test
    void badAndForeignGrantReferencesDropThePacket()
    {
        final int foreign = hostile.grantReferences().claim();
        hostile.grantTable().grantAccess(foreign, 7, dataGpfn, true);
        slot(foreign, 0, 0, 1, 100);
        slot(12345, 0, 0, 2, 100);
        slot(-5, 0, 0, 3, 100);
        push();
        assertArrayEquals(new int[]{ NETIF_RSP_ERROR, NETIF_RSP_ERROR, NETIF_RSP_ERROR }, statuses(3));
        assertEquals(3, vifA.statistics().txErrors());
        assertNull(vifA.disableReason());
        assertBystandersStillTalk();
    }

    @Test
    void anOverflowingProducerIndexDisablesTheVif()
    {
        txPage.putIntRelease(0, tx.size() + 77);
        hostile.eventChannels().send(port);
        awaitDisabled();
        assertTrue(vifA.disableReason().contains(BackRing.REASON_PROD_OVERFLOW), vifA.disableReason());
        assertBystandersStillTalk();
    }

    @Test
    void aNotificationFloodDoesNotStopTheOthers() throws Exception
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread flooder = new Thread(() ->
        {
            while (!stop.get())
            {
                hostile.eventChannels().send(port);
            }
        });
        flooder.start();
        try
        {
            assertBystandersStillTalk();
        }
        finally
        {
            stop.set(true);
            flooder.join();
        }
        assertNull(vifA.disableReason());
    }
}
