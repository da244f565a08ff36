package io.javisor.ringio.xenstore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.javisor.ringio.xenstore.XenDomainIds.DOM0;
import static io.javisor.ringio.xenstore.XenStoreAssertions.assertFails;
import static io.javisor.ringio.xenstore.XenbusDevice.Side.BACKEND;
import static io.javisor.ringio.xenstore.XenbusDevice.Side.FRONTEND;
import static io.javisor.ringio.xenstore.XenbusState.CLOSED;
import static io.javisor.ringio.xenstore.XenbusState.CLOSING;
import static io.javisor.ringio.xenstore.XenbusState.CONNECTED;
import static io.javisor.ringio.xenstore.XenbusState.INITIALISED;
import static io.javisor.ringio.xenstore.XenbusState.INITIALISING;
import static io.javisor.ringio.xenstore.XenbusState.INIT_WAIT;
import static io.javisor.ringio.xenstore.XenbusState.RECONFIGURED;
import static io.javisor.ringio.xenstore.XenbusState.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class XenbusDeviceTest
{
    private static final int DRIVER_DOMAIN = 1;
    private static final int GUEST = 3;
    private static final int BYSTANDER = 4;
    private static final Duration PATIENCE = Duration.ofSeconds(5);

    private final XenStore store = new XenStore();
    private final ExecutorService ends = Executors.newFixedThreadPool(2);
    private final XenbusDevice device = new XenbusDevice(store, "vbd", GUEST, DRIVER_DOMAIN, 51712);

    @BeforeEach
    void attachDevice()
    {
        store.introduceDomain(DRIVER_DOMAIN);
        store.introduceDomain(GUEST);
        store.introduceDomain(BYSTANDER);
        device.create();
    }

    @AfterEach
    void stopEnds()
    {
        ends.shutdownNow();
    }

    @Test
    void endsLiveWhereXenKeepsThem()
    {
        assertEquals("/local/domain/3/device/vbd/51712", device.frontendPath());
        assertEquals("/local/domain/1/backend/vbd/3/51712", device.backendPath());
    }

    @Test
    void creationLinksTheEndsAndStartsBothInitialising()
    {
        assertEquals(device.backendPath(), store.readString(GUEST, device.frontendPath() + "/backend"));
        assertEquals("1", store.readString(GUEST, device.frontendPath() + "/backend-id"));
        assertEquals(device.frontendPath(), store.readString(DRIVER_DOMAIN, device.backendPath() + "/frontend"));
        assertEquals("3", store.readString(DRIVER_DOMAIN, device.backendPath() + "/frontend-id"));
        assertEquals(INITIALISING, device.state(FRONTEND));
        assertEquals(INITIALISING, device.state(BACKEND));
        assertEquals(INITIALISING, device.peerState(FRONTEND));
    }

    @Test
    void eachEndOwnsItsDirectoryAndItsPeerMayOnlyReadIt()
    {
        assertEquals(List.of("n1", "r3"), store.getPermissions(DOM0, device.backendPath()).toStrings());
        assertEquals(List.of("n3", "r1"), store.getPermissions(DOM0, device.frontendPath()).toStrings());
        assertEquals(List.of("n1", "r3"), store.getPermissions(DOM0, device.backendPath() + "/state").toStrings());

        assertFails(XenStoreError.EACCES, () -> store.write(GUEST, device.backendPath() + "/state", "4"));
        assertFails(XenStoreError.EACCES, () -> store.write(DRIVER_DOMAIN, device.frontendPath() + "/state", "4"));
        assertFails(XenStoreError.EACCES, () -> store.read(BYSTANDER, device.frontendPath() + "/state"));
        assertFails(XenStoreError.EACCES, () -> store.read(BYSTANDER, device.backendPath() + "/state"));
    }

    @Test
    void keysAnEndWritesAreReadableByItsPeer()
    {
        device.write(FRONTEND, "ring-ref", "8");
        device.write(BACKEND, "sectors", "2048");

        assertEquals("8", device.readPeer(BACKEND, "ring-ref"));
        assertEquals("2048", device.readPeer(FRONTEND, "sectors"));
    }

    @Test
    void anIllegalStateChangeIsRefusedAndNothingIsWritten()
    {
        assertThrows(IllegalStateException.class, () -> device.switchState(FRONTEND, RECONFIGURED));
        assertEquals(INITIALISING, device.state(FRONTEND));

        assertEquals(INITIALISING, device.switchState(FRONTEND, INITIALISED));
        assertEquals(INITIALISED, device.state(FRONTEND));
    }

    @Test
    void aStateThatIsNoNumberReadsAsUnknown()
    {
        store.write(GUEST, device.frontendPath() + "/state", "garbage");

        assertEquals(UNKNOWN, device.peerState(BACKEND));
    }

    @Test
    void aWatcherOfThePeerHearsItsStateAtOnceAndOnEveryChange()
    {
        final List<XenbusState> heard = new ArrayList<>();
        try (XenbusDevice.PeerStateWatch _ = device.watchPeerState(FRONTEND, heard::add))
        {
            device.switchState(BACKEND, INIT_WAIT);
            device.write(BACKEND, "feature-barrier", "1");
            device.switchState(BACKEND, INIT_WAIT);
            device.switchState(BACKEND, CONNECTED);
        }
        device.switchState(BACKEND, CLOSING);

        assertEquals(List.of(INITIALISING, INIT_WAIT, CONNECTED), heard);
    }

    @Test
    void waitingForAStateThatNeverComesTimesOut()
    {
        assertThrows(TimeoutException.class,
            () -> device.awaitPeerState(FRONTEND, state -> state == CONNECTED, Duration.ofMillis(50)));
    }

    @Test
    void waitingReturnsOnceThePeerReachesTheState() throws Exception
    {
        final CompletableFuture<XenbusState> reached = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return device.awaitPeerState(FRONTEND, state -> state == CONNECTED, PATIENCE);
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }, ends);
        device.switchState(BACKEND, INIT_WAIT);
        device.switchState(BACKEND, CONNECTED);

        assertEquals(CONNECTED, reached.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    @Timeout(10)
    void frontAndBackEndsConnectAndDisconnectThroughWatchesAlone() throws Exception
    {
        final BlockingQueue<XenbusState> backendInbox = new LinkedBlockingQueue<>();
        final BlockingQueue<XenbusState> frontendInbox = new LinkedBlockingQueue<>();
        device.watchPeerState(BACKEND, backendInbox::add);
        device.watchPeerState(FRONTEND, frontendInbox::add);

        final CompletableFuture<List<XenbusState>> backend = CompletableFuture.supplyAsync(() ->
            runEnd(backendInbox, CLOSED, frontendState ->
            {
                switch (frontendState)
                {
                    case INITIALISING ->
                    {
                        device.write(BACKEND, "feature-flush-cache", "1");
                        device.switchState(BACKEND, INIT_WAIT);
                    }
                    case INITIALISED ->
                    {
                        assertEquals("8", device.readPeer(BACKEND, "ring-ref"));
                        assertEquals("5", device.readPeer(BACKEND, "event-channel"));
                        device.write(BACKEND, "sectors", "2048");
                        device.switchState(BACKEND, CONNECTED);
                    }
                    case CONNECTED -> device.switchState(BACKEND, CLOSING);
                    case CLOSING -> device.switchState(BACKEND, CLOSED);
                    default ->
                    {
                    }
                }
            }), ends);
        final CompletableFuture<List<XenbusState>> frontend = CompletableFuture.supplyAsync(() ->
            runEnd(frontendInbox, CLOSED, backendState ->
            {
                switch (backendState)
                {
                    case INIT_WAIT ->
                    {
                        assertEquals("1", device.readPeer(FRONTEND, "feature-flush-cache"));
                        device.write(FRONTEND, "ring-ref", "8");
                        device.write(FRONTEND, "event-channel", "5");
                        device.switchState(FRONTEND, INITIALISED);
                    }
                    case CONNECTED ->
                    {
                        assertEquals("2048", device.readPeer(FRONTEND, "sectors"));
                        device.switchState(FRONTEND, CONNECTED);
                    }
                    case CLOSING -> device.switchState(FRONTEND, CLOSING);
                    case CLOSED -> device.switchState(FRONTEND, CLOSED);
                    default ->
                    {
                    }
                }
            }), ends);

        assertEquals(List.of(INITIALISING, INIT_WAIT, CONNECTED, CLOSING, CLOSED), frontend.get(5, TimeUnit.SECONDS));
        assertEquals(List.of(INITIALISING, INITIALISED, CONNECTED, CLOSING, CLOSED), backend.get(5, TimeUnit.SECONDS));
        assertEquals(CLOSED, device.state(FRONTEND));
        assertEquals(CLOSED, device.state(BACKEND));
    }

    @Test
    void destroyRemovesBothEnds()
    {
        device.destroy();

        assertFails(XenStoreError.ENOENT, () -> store.read(DOM0, device.frontendPath()));
        assertFails(XenStoreError.ENOENT, () -> store.read(DOM0, device.backendPath()));
        assertEquals(UNKNOWN, device.state(FRONTEND));
    }

    @Test
    void rejectsMalformedDeviceNames()
    {
        assertFails(XenStoreError.EINVAL, () -> new XenbusDevice(store, "v/bd", GUEST, DRIVER_DOMAIN, 1));
        assertFails(XenStoreError.EINVAL, () -> new XenbusDevice(store, "v bd", GUEST, DRIVER_DOMAIN, 1));
        assertFails(XenStoreError.EINVAL, () -> new XenbusDevice(store, "vbd", GUEST, DRIVER_DOMAIN, -1));
    }

    /**
     * Act on each state the peer reports until it reports {@code last}.
     *
     * @return the peer states seen, in order.
     */
    private static List<XenbusState> runEnd(
        final BlockingQueue<XenbusState> inbox,
        final XenbusState last,
        final Consumer<XenbusState> onPeerState)
    {
        final List<XenbusState> seen = new ArrayList<>();
        try
        {
            while (seen.isEmpty() || seen.getLast() != last)
            {
                final XenbusState peerState = inbox.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                if (null == peerState)
                {
                    throw new IllegalStateException("peer went quiet; seen so far " + seen);
                }
                seen.add(peerState);
                onPeerState.accept(peerState);
            }
            return seen;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
