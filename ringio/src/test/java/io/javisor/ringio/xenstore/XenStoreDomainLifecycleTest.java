package io.javisor.ringio.xenstore;

import java.util.List;

import org.junit.jupiter.api.Test;

import static io.javisor.ringio.xenstore.XenDomainIds.DOM0;
import static io.javisor.ringio.xenstore.XenStoreAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XenStoreDomainLifecycleTest
{
    private static final int GUEST = 3;

    private final XenStore store = new XenStore();

    @Test
    void introductionCreatesAHomeOwnedByTheDomainAndClosedToOtherGuests()
    {
        store.introduceDomain(GUEST);
        store.introduceDomain(4);

        assertTrue(store.isIntroduced(GUEST));
        assertEquals(List.of("n3"), store.getPermissions(DOM0, "/local/domain/3").toStrings());
        assertEquals("", store.readString(DOM0, "/local/domain/3"));
        assertEquals(List.of(), store.directory(GUEST, "/local/domain/3"));
        assertFails(XenStoreError.EACCES, () -> store.read(4, "/local/domain/3"));
    }

    @Test
    void aDomainIsIntroducedOnceAndDom0NeverIs()
    {
        store.introduceDomain(GUEST);

        assertFails(XenStoreError.EEXIST, () -> store.introduceDomain(GUEST));
        assertFails(XenStoreError.EINVAL, () -> store.introduceDomain(DOM0));
        assertFails(XenStoreError.EINVAL, () -> store.releaseDomain(DOM0));
        assertFails(XenStoreError.ENOENT, () -> store.releaseDomain(5));
    }

    @Test
    void releaseRemovesTheHomeAndTellsItsWatchers()
    {
        store.introduceDomain(GUEST);
        store.write(GUEST, "device/vbd/51712/state", "4");
        final RecordingWatcher dom0 = new RecordingWatcher();
        store.watch(DOM0, "/local/domain/3/device", "dev", dom0);
        store.watch(DOM0, XenStorePaths.RELEASE_DOMAIN, "rel", dom0);
        dom0.clear();

        store.releaseDomain(GUEST);

        assertFalse(store.isIntroduced(GUEST));
        assertFails(XenStoreError.ENOENT, () -> store.read(DOM0, "/local/domain/3"));
        assertEquals(List.of("/local/domain/3/device", XenStorePaths.RELEASE_DOMAIN), dom0.paths());
        assertEquals(0, store.ownedNodeCount(GUEST));
    }

    @Test
    void releaseRemovesTheDomainsWatches()
    {
        store.introduceDomain(GUEST);
        final RecordingWatcher guest = new RecordingWatcher();
        store.watch(GUEST, "/local/domain/3", "home", guest);
        guest.clear();

        store.releaseDomain(GUEST);
        store.introduceDomain(GUEST);
        store.write(DOM0, "/local/domain/3/after", "x");

        assertEquals(List.of(), guest.events());
        assertEquals(0, store.watchCount(GUEST));
    }

    @Test
    void releaseEndsTheDomainsTransactionsAndResetsItsQuota()
    {
        store.introduceDomain(GUEST);
        for (int i = 0; i < 9; i++)
        {
            store.startTransaction(GUEST);
        }
        final Transaction open = store.startTransaction(GUEST);
        open.write("pending", "never committed");

        store.releaseDomain(GUEST);

        assertFalse(open.isOpen());
        assertFails(XenStoreError.ENOENT, open::commit);
        store.introduceDomain(GUEST);
        for (int i = 0; i < 10; i++)
        {
            store.startTransaction(GUEST);
        }
        assertFails(XenStoreError.ENOENT, () -> store.read(GUEST, "pending"));
    }

    @Test
    void aReleasedDomainMayDoNothingMore()
    {
        store.introduceDomain(GUEST);
        store.releaseDomain(GUEST);

        assertFails(XenStoreError.EPERM, () -> store.write(GUEST, "data", "x"));
        assertFails(XenStoreError.EPERM, () -> store.watch(GUEST, "data", "t", (_, _) -> { }));
    }

    @Test
    void aDomainReusingAReleasedIdInheritsNoOwnershipOrGrants()
    {
        store.introduceDomain(GUEST);
        store.mkdir(DOM0, "/owned-by-3");
        store.setPermissions(DOM0, "/owned-by-3", NodePermissions.parse("n3"));
        store.mkdir(DOM0, "/granted-to-3");
        store.setPermissions(DOM0, "/granted-to-3", NodePermissions.parse("n0", "r3", "r4"));
        assertEquals("", store.readString(GUEST, "/owned-by-3"));

        store.releaseDomain(GUEST);

        assertEquals(List.of("n0"), store.getPermissions(DOM0, "/owned-by-3").toStrings());
        assertEquals(List.of("n0", "r4"), store.getPermissions(DOM0, "/granted-to-3").toStrings());
        store.introduceDomain(GUEST);
        assertFails(XenStoreError.EACCES, () -> store.read(GUEST, "/owned-by-3"));
        assertFails(XenStoreError.EACCES, () -> store.read(GUEST, "/granted-to-3"));
        assertEquals(1, store.ownedNodeCount(GUEST), "only its new home");
    }

    @Test
    void grantsInheritedByNodesMadeInATransactionAreForgottenOnRelease()
    {
        store.introduceDomain(GUEST);
        store.mkdir(DOM0, "/backend");
        store.setPermissions(DOM0, "/backend", NodePermissions.parse("n0", "r3"));
        store.transact(DOM0, transaction ->
        {
            transaction.write("/backend/dev/state", "1");
            return null;
        });
        store.releaseDomain(GUEST);

        assertEquals(List.of("n0"), store.getPermissions(DOM0, "/backend/dev").toStrings());
        assertEquals(List.of("n0"), store.getPermissions(DOM0, "/backend/dev/state").toStrings());
        store.introduceDomain(GUEST);
        assertFails(XenStoreError.EACCES, () -> store.read(GUEST, "/backend/dev/state"));
    }
}
