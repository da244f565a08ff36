package io.javisor.core.driver;

import io.javisor.netback.NetifXenstoreKeys;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.ring.FrontRing;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusDevice.Side;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.javisor.netback.wire.NetifDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest may put anything on its tx ring, and a driver domain answers it as dom0's netback does: a
 * packet whose sizes are wrong is dropped with ERROR for each of its slots, the vif serving on; a
 * framing error (too many slots, a slot crossing its page) disables that vif with the reason in
 * xenstore; the driver domain's process serves on either way.
 */
class DriverDomainHostileNetTest
{
    @Test
    void badPacketsAreErrorsAndFramingErrorsDisableOnlyThatVif() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            final DriverVifSpec vif = rig.driver.attachVif(rig.guest, "backend=storage, bridge=ddbr0");
            final Process process = rig.driver.awaitActive(30_000);
            final RawTx front = new RawTx(rig.guest.resources(), rig.driver.domid(), vif.handle());
            final UnsafeBuffer data = new UnsafeBuffer(0, 0);
            final long gpfn = rig.guest.resources().pages().allocate();
            rig.guest.resources().memory().wrapFrame(gpfn, data);
            final int ref = rig.guest.resources().grantReferences().claim();
            rig.guest.resources().grantTable().grantAccess(ref, rig.driver.domid(), gpfn, true);

            front.slot(1, ref, 0, 10, 0);
            assertEquals(NETIF_RSP_ERROR, front.pushAndAwait(1), "a frame shorter than an Ethernet header");
            front.slot(2, ref, 0, 100, NETTXF_MORE_DATA);
            front.slot(3, ref, 0, 200, 0);
            assertEquals(NETIF_RSP_ERROR, front.pushAndAwait(2), "a first slot smaller than the slots after it");
            assertEquals(NETIF_RSP_ERROR, front.awaitResponse(3), "each slot of the dropped packet answered");
            front.slot(4, 4000, 0, 60, 0);
            assertEquals(NETIF_RSP_ERROR, front.pushAndAwait(4), "a page that is not granted");
            front.slot(5, ref, 0, 60, 0);
            assertEquals(NETIF_RSP_OKAY, front.pushAndAwait(5), "a good frame after the bad ones");

            for (int slot = 0; slot <= XEN_NETIF_NR_SLOTS_MIN; slot++)
            {
                front.slot(10 + slot, ref, 0, 60, NETTXF_MORE_DATA);
            }
            front.push();
            assertEquals(XenbusState.CLOSING, front.xenbus.awaitPeerState(Side.FRONTEND, s -> s == XenbusState.CLOSING,
                Duration.ofSeconds(10)), "a packet of more than 18 slots disables the vif");
            assertEquals("packet uses more than 18 slots", front.xenbus.readPeer(Side.FRONTEND, NetifXenstoreKeys.ERROR));
            assertEquals(process, rig.driver.activeProcess(), "the same process serves on");
            assertEquals(0, rig.driver.statistics().restarts());
        }
    }

    /** A vif's front end with no manners: the handshake, then raw tx slots. Used by the test thread. */
    private static final class RawTx
    {
        final XenbusDevice xenbus;
        final UnsafeBuffer txPage = new UnsafeBuffer(0, 0);
        final FrontRing tx;
        final DomainResources guest;
        final int port;

        RawTx(final DomainResources guest, final int backend, final int handle) throws Exception
        {
            this.guest = guest;
            xenbus = new XenbusDevice(guest.xenStore(), NetifXenstoreKeys.DEVICE_TYPE, guest.domid(), backend, handle);
            xenbus.awaitPeerState(Side.FRONTEND, s -> s == XenbusState.INIT_WAIT, Duration.ofSeconds(30));
            final long txGpfn = guest.pages().allocate();
            guest.memory().wrapFrame(txGpfn, txPage);
            tx = new FrontRing(txPage, TX_SLOT_LENGTH).initialise();
            final long rxGpfn = guest.pages().allocate();
            final UnsafeBuffer rxPage = new UnsafeBuffer(0, 0);
            guest.memory().wrapFrame(rxGpfn, rxPage);
            new FrontRing(rxPage, RX_SLOT_LENGTH).initialise();
            final int txRef = guest.grantReferences().claim();
            guest.grantTable().grantAccess(txRef, backend, txGpfn, false);
            final int rxRef = guest.grantReferences().claim();
            guest.grantTable().grantAccess(rxRef, backend, rxGpfn, false);
            port = guest.eventChannels().allocUnbound(backend);
            xenbus.write(Side.FRONTEND, NetifXenstoreKeys.TX_RING_REF, Integer.toString(txRef));
            xenbus.write(Side.FRONTEND, NetifXenstoreKeys.RX_RING_REF, Integer.toString(rxRef));
            xenbus.write(Side.FRONTEND, NetifXenstoreKeys.EVENT_CHANNEL, Integer.toString(port));
            xenbus.write(Side.FRONTEND, NetifXenstoreKeys.REQUEST_RX_COPY, "1");
            xenbus.switchState(Side.FRONTEND, XenbusState.INITIALISED);
            xenbus.awaitPeerState(Side.FRONTEND, s -> s == XenbusState.CONNECTED, Duration.ofSeconds(10));
            xenbus.switchState(Side.FRONTEND, XenbusState.CONNECTED);
        }

        void slot(final int id, final int ref, final int offset, final int size, final int flags)
        {
            final int at = tx.claimRequest();
            txPage.putInt(at + TX_REQ_GREF_OFFSET, ref);
            txPage.putShort(at + TX_REQ_OFFSET_OFFSET, (short)offset);
            txPage.putShort(at + TX_REQ_FLAGS_OFFSET, (short)flags);
            txPage.putShort(at + TX_REQ_ID_OFFSET, (short)id);
            txPage.putShort(at + TX_REQ_SIZE_OFFSET, (short)size);
        }

        void push()
        {
            tx.pushRequests();
            guest.eventChannels().send(port);
        }

        int pushAndAwait(final int id)
        {
            push();
            return awaitResponse(id);
        }

        int awaitResponse(final int id)
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (tx.responsesAvailable() == 0)
            {
                assertTrue(System.nanoTime() < deadline, "no response for slot " + id);
                Thread.onSpinWait();
            }
            final int at = tx.responseOffset();
            assertEquals(id, txPage.getShort(at + TX_RSP_ID_OFFSET) & 0xFFFF, "response id");
            final int status = txPage.getShort(at + TX_RSP_STATUS_OFFSET);
            tx.consumeResponse();
            return status;
        }
    }
}
