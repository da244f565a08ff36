package io.javisor.ringio.event;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.javisor.ringio.event.EventChannelStatus.*;
import static io.javisor.ringio.event.SharedInfoDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

class EventChannelsTest
{
    private final EventChannelHub hub = new EventChannelHub();
    private final EventChannels dom0 = channels(0);
    private final EventChannels guest = channels(5);
    private final EventChannels other = channels(6);

    private EventChannels channels(final int domid)
    {
        return new EventChannels(domid, hub, new UnsafeBuffer(ByteBuffer.allocateDirect(SHARED_INFO_LENGTH)), 64);
    }

    private int[] connect()
    {
        final int guestPort = guest.allocUnbound(0);
        final int backPort = dom0.bindInterdomain(5, guestPort);
        assertTrue(guestPort > 0 && backPort > 0);
        guest.clearPending(guestPort);
        dom0.clearPending(backPort);
        return new int[]{ guestPort, backPort };
    }

    @Test
    void allocUnboundThenBindInterdomainConnectsBothEnds()
    {
        final int guestPort = guest.allocUnbound(0);
        assertEquals(UNBOUND, guest.status(guestPort));
        assertEquals(0, guest.remoteDomain(guestPort));
        final int backPort = dom0.bindInterdomain(5, guestPort);
        assertEquals(INTERDOMAIN, guest.status(guestPort));
        assertEquals(INTERDOMAIN, dom0.status(backPort));
        assertEquals(backPort, guest.remotePort(guestPort));
        assertEquals(guestPort, dom0.remotePort(backPort));
        assertTrue(dom0.isPending(backPort), "the binder sees an event it may have missed");
    }

    @Test
    void onlyTheDomainAPortWasOfferedToCanBindIt()
    {
        final int guestPort = guest.allocUnbound(0);
        assertEquals(EINVAL, other.bindInterdomain(5, guestPort));
        assertEquals(ESRCH, dom0.bindInterdomain(99, guestPort));
        assertEquals(EINVAL, dom0.bindInterdomain(5, guestPort + 1), "not an unbound port");
        assertEquals(EINVAL, dom0.bindInterdomain(5, 0));
        assertEquals(EINVAL, dom0.bindInterdomain(5, 100_000));
        assertEquals(ESRCH, guest.allocUnbound(42));
        dom0.bindInterdomain(5, guestPort);
        assertEquals(EINVAL, other.bindInterdomain(5, guestPort), "already bound");
    }

    @Test
    void sendSetsThePeersPendingBitInItsSharedInfoAndRaisesTheUpcall()
    {
        final int[] ports = connect();
        assertEquals(0, dom0.send(ports[1]));
        final long pendingWord = guest.sharedInfo().getLong(EVTCHN_PENDING_OFFSET + (ports[0] / 64) * 8);
        assertNotEquals(0, pendingWord & bitOf(ports[0]));
        assertTrue(guest.isUpcallPending());
        final List<Integer> seen = new ArrayList<>();
        assertEquals(1, guest.poll(seen::add));
        assertEquals(List.of(ports[0]), seen);
        assertFalse(guest.isPending(ports[0]), "cleared before the handler ran");
        assertEquals(0, guest.poll(seen::add));
    }

    @Test
    void eventsCoalesceWhilePending()
    {
        final int[] ports = connect();
        for (int i = 0; i < 1000; i++)
        {
            dom0.send(ports[1]);
        }
        final AtomicLong handled = new AtomicLong();
        assertEquals(1, guest.poll(port -> handled.incrementAndGet()));
    }

    @Test
    void aMaskedPortIsDeliveredOnUnmask()
    {
        final int[] ports = connect();
        guest.mask(ports[0]);
        dom0.send(ports[1]);
        assertTrue(guest.isPending(ports[0]));
        assertFalse(guest.isUpcallPending(), "masked: no upcall");
        assertEquals(0, guest.poll(port -> fail("masked port delivered")));
        guest.unmask(ports[0]);
        assertTrue(guest.isUpcallPending());
        final List<Integer> seen = new ArrayList<>();
        guest.poll(seen::add);
        assertEquals(List.of(ports[0]), seen);
    }

    @Test
    void closingOneEndReturnsThePeerToUnboundAndItsSendsAreDropped()
    {
        final int[] ports = connect();
        assertEquals(0, dom0.close(ports[1]));
        assertEquals(CLOSED, dom0.status(ports[1]));
        assertEquals(UNBOUND, guest.status(ports[0]));
        assertEquals(0, guest.send(ports[0]), "dropped, as Xen drops sends on unbound ports");
        assertEquals(EINVAL, dom0.send(ports[1]));
        assertEquals(EINVAL, dom0.close(ports[1]), "double close");
        assertTrue(dom0.bindInterdomain(5, ports[0]) > 0, "the guest's port can be bound again");
    }

    @Test
    void aDyingDomainLeavesItsPeersUnbound()
    {
        final int[] ports = connect();
        hub.unregister(guest);
        assertEquals(UNBOUND, dom0.status(ports[1]));
        assertEquals(0, dom0.send(ports[1]));
        assertNull(hub.lookup(5));
    }

    @Test
    void portsRunOutWithEnospcAndBadPortsAreEinval()
    {
        for (int i = 1; i < 64; i++)
        {
            assertTrue(guest.allocUnbound(0) > 0);
        }
        assertEquals(ENOSPC, guest.allocUnbound(0));
        assertEquals(EINVAL, guest.send(0));
        assertEquals(EINVAL, guest.send(-1));
        assertEquals(EINVAL, guest.send(64));
        assertEquals(EINVAL, guest.status(1 << 20));
        assertEquals(EINVAL, guest.unmask(64));
    }

    @Test
    void aSendWakesTheThreadWaitingOnThePortUnderRealThreads() throws Exception
    {
        final int[] ports = connect();
        final EventWaiter guestWaiter = new EventWaiter();
        final EventWaiter backWaiter = new EventWaiter();
        guest.setWaiter(ports[0], guestWaiter);
        dom0.setWaiter(ports[1], backWaiter);
        final int rounds = 50_000;
        final AtomicBoolean failed = new AtomicBoolean();
        final Thread echo = new Thread(() ->
        {
            for (int i = 0; i < rounds; i++)
            {
                while (!dom0.clearPending(ports[1]))
                {
                    if (!backWaiter.await(TimeUnit.SECONDS.toNanos(5), () -> dom0.isPending(ports[1])))
                    {
                        failed.set(true);
                        return;
                    }
                }
                dom0.send(ports[1]);
            }
        });
        echo.start();
        for (int i = 0; i < rounds; i++)
        {
            guest.send(ports[0]);
            while (!guest.clearPending(ports[0]))
            {
                assertTrue(guestWaiter.await(TimeUnit.SECONDS.toNanos(5), () -> guest.isPending(ports[0])),
                    "lost wake-up at round " + i);
            }
        }
        echo.join();
        assertFalse(failed.get(), "the echo side lost a wake-up");
    }

    @Test
    void aFloodingPeerIsBoundedAndOtherChannelsKeepFlowing() throws Exception
    {
        final int[] flood = connect();
        final int otherPort = other.allocUnbound(0);
        final int dom0OtherPort = dom0.bindInterdomain(6, otherPort);
        dom0.clearPending(dom0OtherPort);
        final EventWaiter waiter = dom0.domainWaiter();

        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong sends = new AtomicLong();
        final Thread flooder = new Thread(() ->
        {
            while (!stop.get())
            {
                guest.send(flood[0]);
                sends.incrementAndGet();
            }
        });
        flooder.start();
        // The flood must be under way before the measured polls (on a busy host the thread may start late).
        while (sends.get() == 0)
        {
            Thread.onSpinWait();
        }
        long floodEvents = 0;
        long otherEvents = 0;
        final long[] counts = new long[2];
        try
        {
            for (int i = 0; i < 2_000; i++)
            {
                other.send(otherPort);
                waiter.await(TimeUnit.MILLISECONDS.toNanos(10), dom0::isUpcallPending);
                counts[0] = 0;
                counts[1] = 0;
                dom0.poll(port -> counts[port == dom0OtherPort ? 1 : 0]++);
                floodEvents += counts[0];
                otherEvents += counts[1];
            }
        }
        finally
        {
            stop.set(true);
            flooder.join();
        }
        assertTrue(otherEvents > 0, "the well-behaved peer's events got through");
        assertTrue(floodEvents <= 2_000, "at most one flood event per poll, not per send: " + floodEvents);
        assertTrue(sends.get() > floodEvents, sends.get() + " sends coalesced into " + floodEvents + " events");
    }

    @Test
    void aMovedSharedInfoPageCarriesThePendingAndMaskStateAndIsUsedFromThenOn()
    {
        final int[] ports = connect();
        final int guestPort = ports[0];
        final int masked = guest.allocUnbound(0);
        assertEquals(0, guest.mask(masked));
        assertEquals(0, dom0.send(ports[1]));
        final UnsafeBuffer page = new UnsafeBuffer(ByteBuffer.allocateDirect(SHARED_INFO_LENGTH));
        page.setMemory(0, SHARED_INFO_LENGTH, (byte)0x5A);

        guest.moveSharedInfo(page);

        assertSame(page, guest.sharedInfo());
        assertEquals(bitOf(guestPort), page.getLong(pendingWordOffset(guestPort)), "pending carried over, guest bytes gone");
        assertEquals(bitOf(masked), page.getLong(maskWordOffset(masked)), "mask carried over");
        assertEquals(1, page.getByte(vcpuInfoOffset(0) + UPCALL_PENDING_OFFSET));
        assertTrue(guest.clearPending(guestPort));
        assertEquals(0, dom0.send(ports[1]));
        assertTrue((page.getLong(pendingWordOffset(guestPort)) & bitOf(guestPort)) != 0, "new events land in the new page");
    }

    @Test
    void theEventListenerHearsEachClearToPendingChangeMaskedOrNot()
    {
        final int[] ports = connect();
        final AtomicLong heard = new AtomicLong();
        guest.setEventListener(heard::incrementAndGet);
        assertEquals(0, guest.mask(ports[0]));
        for (int i = 0; i < 100; i++)
        {
            assertEquals(0, dom0.send(ports[1]));
        }
        assertEquals(1, heard.get(), "a flood on a port never cleared is heard once");
        assertFalse(guest.isUpcallPending(), "masked: no upcall");
        assertTrue(guest.clearPending(ports[0]));
        assertEquals(0, dom0.send(ports[1]));
        assertEquals(2, heard.get());
    }

    @Test
    void aDomainWithMorePortsThanTheTwoLevelAbiUsesThemAll()
    {
        final EventChannels big = new EventChannels(7, hub, new UnsafeBuffer(ByteBuffer.allocateDirect(SHARED_INFO_LENGTH)), 20_000);
        final List<EventChannels> guests = new ArrayList<>();
        final int[] bigPorts = new int[200];
        final int[] guestPorts = new int[bigPorts.length];
        // Take the big domain's ports up to the 2-level limit and beyond, then bind 200 more.
        for (int port = 1; port < NR_EVENT_CHANNELS + 100; port++)
        {
            assertEquals(port, big.allocUnbound(0));
        }
        for (int i = 0; i < bigPorts.length; i++)
        {
            final EventChannels g = new EventChannels(100 + i, hub, new UnsafeBuffer(ByteBuffer.allocateDirect(SHARED_INFO_LENGTH)), 64);
            guests.add(g);
            guestPorts[i] = g.allocUnbound(7);
            bigPorts[i] = big.bindInterdomain(100 + i, guestPorts[i]);
            assertEquals(NR_EVENT_CHANNELS + 100 + i, bigPorts[i]);
            assertEquals(guestPorts[i], big.remotePort(bigPorts[i]));
            assertEquals(bigPorts[i], g.remotePort(guestPorts[i]));
            assertTrue(big.clearPending(bigPorts[i]), "the binder's port starts pending");
        }
        final PortSet odd = new PortSet(big.maxPorts());
        for (int i = 1; i < bigPorts.length; i += 2)
        {
            odd.add(bigPorts[i]);
        }
        for (int i = 0; i < bigPorts.length; i++)
        {
            assertEquals(0, guests.get(i).send(guestPorts[i]));
            assertTrue(big.isPending(bigPorts[i]));
        }
        assertTrue(big.anyPending(odd));
        final List<Integer> taken = new ArrayList<>();
        assertEquals(100, big.pollPorts(odd, taken::add));
        for (int i = 0; i < taken.size(); i++)
        {
            assertEquals(bigPorts[2 * i + 1], taken.get(i), "in port order, only the set's");
            assertFalse(big.isPending(taken.get(i)));
        }
        assertFalse(big.anyPending(odd));
        assertTrue(big.isPending(bigPorts[0]), "another agent's port is left pending");

        big.mask(bigPorts[2]);
        final List<Integer> polled = new ArrayList<>();
        assertTrue(big.isUpcallPending());
        assertEquals(99, big.poll(polled::add), "every even port but the masked one");
        assertFalse(polled.contains(bigPorts[2]));
        big.unmask(bigPorts[2]);
        assertEquals(1, big.poll(polled::add));
        assertEquals(bigPorts[2], polled.getLast());

        assertEquals(0, big.send(bigPorts[3]));
        assertTrue(guests.get(3).isPending(guestPorts[3]), "and the other way");
        assertEquals(0, big.close(bigPorts[5]));
        assertEquals(UNBOUND, guests.get(5).status(guestPorts[5]));
        assertEquals(bigPorts[5], big.allocUnbound(0), "a closed port is found again");
    }
}
