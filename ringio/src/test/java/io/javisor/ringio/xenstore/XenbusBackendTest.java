package io.javisor.ringio.xenstore;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.javisor.ringio.xenstore.XenDomainIds.DOM0;
import static io.javisor.ringio.xenstore.XenbusDevice.Side.FRONTEND;
import static io.javisor.ringio.xenstore.XenbusState.INITIALISED;
import static io.javisor.ringio.xenstore.XenbusState.INITIALISING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A back end's watch on its front end's state is dom0's, so it outlives the guest's release: only
 * {@link XenbusBackend#destroy()} (the device's detach) removes it, and after that the back end hears
 * nothing of the front end again.
 */
class XenbusBackendTest
{
    private static final int GUEST = 5;

    private final XenStore store = new XenStore();
    private final XenbusDevice device = new XenbusDevice(store, "vif", GUEST, DOM0, 0);
    private final XenbusBackend backend = new XenbusBackend(device);
    private final List<XenbusState> heard = new CopyOnWriteArrayList<>();

    @BeforeEach
    void attachDevice()
    {
        store.introduceDomain(GUEST);
        device.create();
    }

    @Test
    void theBackEndHearsTheFrontEndUntilDestroyedAndLeavesNoWatchBehind()
    {
        final int watchesBefore = store.watchCount(DOM0);
        backend.watchFrontend(heard::add);
        assertEquals(watchesBefore + 1, store.watchCount(DOM0));
        device.switchState(FRONTEND, INITIALISED);
        assertEquals(List.of(INITIALISING, INITIALISED), heard);

        backend.destroy();
        assertEquals(watchesBefore, store.watchCount(DOM0), "the watch went with the device");
        store.write(DOM0, device.frontendPath() + "/state", XenbusState.CLOSING.toText());
        store.releaseDomain(GUEST);
        assertEquals(List.of(INITIALISING, INITIALISED), heard, "nothing heard after destroy");
        assertEquals(watchesBefore, store.watchCount(DOM0));
    }

    @Test
    void theReleaseOfTheGuestAloneDoesNotRemoveDom0sWatch()
    {
        final int watchesBefore = store.watchCount(DOM0);
        backend.watchFrontend(heard::add);
        store.releaseDomain(GUEST);
        assertEquals(watchesBefore + 1, store.watchCount(DOM0), "why the detach must remove it");
        backend.destroy();
        assertEquals(watchesBefore, store.watchCount(DOM0));
    }

    @Test
    void aSecondWatchOnTheSameFrontEndIsRefused()
    {
        backend.watchFrontend(heard::add);
        assertThrows(IllegalStateException.class, () -> backend.watchFrontend(heard::add));
        backend.destroy();
    }
}
