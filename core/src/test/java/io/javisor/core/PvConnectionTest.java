package io.javisor.core;

import io.javisor.memory.GrantCopy;
import io.javisor.memory.GrantStatus;
import io.javisor.ringio.event.EventWaiter;
import io.javisor.ringio.ring.BackRing;
import io.javisor.ringio.ring.FrontRing;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusDevice.Side;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The foundation end to end, as a split driver uses it: a front end in a guest grants its ring
 * page and a data page, offers an event channel, and publishes both in xenstore; a back end in
 * dom0 follows the xenbus handshake, maps the ring, binds the channel, and serves requests by
 * grant copy out of the guest's data page. Nothing but grants, events and xenstore joins them.
 */
class PvConnectionTest
{
    private static final int ENTRY = 16; // request {u64 id, u32 gref, u16 offset, u16 length}; response {u64 id, u64 sum}
    private static final int RING_REF = 8;
    private static final int DATA_REF = 9;
    private static final int RING_GPFN = 1;
    private static final int DATA_GPFN = 2;
    private static final int REQUESTS = 100_000;

    private final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @Test
    void aFrontEndInAGuestAndABackEndInDom0ConnectThroughXenstoreGrantsAndEvents() throws Exception
    {
        final Domain guest = hypervisor.createDomain(DomainConfig.pv("guest", 4));
        guest.unpause();
        final Domain dom0 = hypervisor.dom0();
        final XenbusDevice device = new XenbusDevice(hypervisor.xenStore(), "echo", guest.id(), 0, 0);
        device.create();

        final AtomicReference<Throwable> backEndFailure = new AtomicReference<>();
        final Thread backEnd = new Thread(() -> serve(dom0, guest.id(), device, backEndFailure), "echo-back");
        backEnd.start();

        // Front end: wait for InitWait, set up ring + data page + channel, publish, Initialised.
        assertEquals(XenbusState.INIT_WAIT,
            device.awaitPeerState(Side.FRONTEND, s -> s == XenbusState.INIT_WAIT || backEndFailure.get() != null,
                Duration.ofSeconds(10)), () -> "back end: " + backEndFailure.get());
        final UnsafeBuffer ringPage = new UnsafeBuffer(0, 0);
        assertTrue(guest.memory().wrapFrame(RING_GPFN, ringPage));
        final FrontRing front = new FrontRing(ringPage, ENTRY).initialise();
        guest.grantTable().grantAccess(RING_REF, 0, RING_GPFN, false);
        guest.grantTable().grantAccess(DATA_REF, 0, DATA_GPFN, true);
        for (int i = 0; i < 4096; i++)
        {
            guest.memory().putByte((long)DATA_GPFN * 4096 + i, (byte)i);
        }
        final int port = guest.eventChannels().allocUnbound(0);
        final EventWaiter frontWaiter = new EventWaiter();
        guest.eventChannels().setWaiter(port, frontWaiter);
        device.write(Side.FRONTEND, "ring-ref", Integer.toString(RING_REF));
        device.write(Side.FRONTEND, "event-channel", Integer.toString(port));
        device.switchState(Side.FRONTEND, XenbusState.INITIALISED);
        assertEquals(XenbusState.CONNECTED,
            device.awaitPeerState(Side.FRONTEND, s -> s == XenbusState.CONNECTED || backEndFailure.get() != null,
                Duration.ofSeconds(10)), () -> "back end: " + backEndFailure.get());
        device.switchState(Side.FRONTEND, XenbusState.CONNECTED);

        final UnsafeBuffer response = new UnsafeBuffer(new byte[ENTRY]);
        long received = 0;
        long sent = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received < REQUESTS)
        {
            assertTrue(System.nanoTime() < deadline, "stalled at " + received);
            while (sent < REQUESTS && !front.isFull())
            {
                final int offset = front.claimRequest();
                ringPage.putLong(offset, sent);
                ringPage.putInt(offset + 8, DATA_REF);
                ringPage.putShort(offset + 12, (short)(sent % 4000));
                ringPage.putShort(offset + 14, (short)64);
                sent++;
            }
            if (front.pushRequests())
            {
                guest.eventChannels().send(port);
            }
            guest.eventChannels().clearPending(port);
            if (!front.finalCheckForResponses())
            {
                frontWaiter.await(TimeUnit.MILLISECONDS.toNanos(50), () -> guest.eventChannels().isPending(port));
                continue;
            }
            for (int n = front.responsesAvailable(); n > 0; n--)
            {
                front.copyResponse(response, 0);
                final long id = response.getLong(0);
                assertEquals(received, id);
                assertEquals(expectedSum((int)(id % 4000), 64), response.getLong(8), "request " + id);
                received++;
            }
        }
        device.switchState(Side.FRONTEND, XenbusState.CLOSING);
        backEnd.join(10_000);
        assertNull(backEndFailure.get(), () -> "back end failed: " + backEndFailure.get());
        assertEquals(0, dom0.grantMapper().liveMappings(), "the back end unmapped the ring");
        assertEquals(XenbusState.CLOSED, device.state(Side.BACKEND));
        assertTrue(guest.grantTable().endForeignAccess(RING_REF));
    }

    private static long expectedSum(final int offset, final int length)
    {
        long sum = 0;
        for (int i = offset; i < offset + length; i++)
        {
            sum += (byte)i;
        }
        return sum;
    }

    private static void serve(final Domain dom0, final int frontDomid, final XenbusDevice device, final AtomicReference<Throwable> failure)
    {
        try
        {
            device.switchState(Side.BACKEND, XenbusState.INIT_WAIT);
            device.awaitPeerState(Side.BACKEND, s -> s == XenbusState.INITIALISED, Duration.ofSeconds(10));
            final int ringRef = Integer.parseInt(device.readPeer(Side.BACKEND, "ring-ref"));
            final int remotePort = Integer.parseInt(device.readPeer(Side.BACKEND, "event-channel"));
            final int handle = dom0.grantMapper().map(frontDomid, ringRef, false);
            assertTrue(handle >= 0, GrantStatus.describe(handle));
            final UnsafeBuffer ringPage = new UnsafeBuffer(0, 0);
            dom0.grantMapper().wrap(handle, ringPage);
            final BackRing back = new BackRing(ringPage, ENTRY).attach();
            final int port = dom0.eventChannels().bindInterdomain(frontDomid, remotePort);
            assertTrue(port > 0);
            final EventWaiter waiter = new EventWaiter();
            dom0.eventChannels().setWaiter(port, waiter);
            device.switchState(Side.BACKEND, XenbusState.CONNECTED);

            final UnsafeBuffer request = new UnsafeBuffer(new byte[ENTRY]);
            final UnsafeBuffer bounce = new UnsafeBuffer(0, 0);
            dom0.memory().wrapFrame(0, bounce);
            final GrantCopy copy = new GrantCopy();
            // Serve until the front end starts closing (it may still be Initialised at first).
            for (XenbusState peer = device.peerState(Side.BACKEND);
                peer == XenbusState.INITIALISED || peer == XenbusState.CONNECTED;
                peer = device.peerState(Side.BACKEND))
            {
                dom0.eventChannels().clearPending(port);
                if (!back.finalCheckForRequests())
                {
                    waiter.await(TimeUnit.MILLISECONDS.toNanos(20), () -> dom0.eventChannels().isPending(port));
                    continue;
                }
                for (int n = back.unconsumedRequests(); n > 0; n--)
                {
                    back.copyRequest(request, 0);
                    final long id = request.getLong(0);
                    final int gref = request.getInt(8);
                    final int offset = request.getShort(12) & 0xFFFF;
                    final int length = request.getShort(14) & 0xFFFF;
                    long sum = 0;
                    final int status = dom0.grantMapper().copy(
                        copy.sourceGrant(frontDomid, gref, offset).destLocal(0, 0).length(length));
                    if (status == GrantStatus.OKAY)
                    {
                        for (int i = 0; i < length; i++)
                        {
                            sum += bounce.getByte(i);
                        }
                    }
                    final int slot = back.claimResponse();
                    ringPage.putLong(slot, id);
                    ringPage.putLong(slot + 8, status == GrantStatus.OKAY ? sum : status);
                }
                if (back.pushResponses())
                {
                    dom0.eventChannels().send(port);
                }
            }
            device.switchState(Side.BACKEND, XenbusState.CLOSING);
            dom0.eventChannels().close(port);
            dom0.grantMapper().unmap(handle);
            device.switchState(Side.BACKEND, XenbusState.CLOSED);
        }
        catch (final Throwable t)
        {
            failure.set(t);
        }
    }
}
