package io.javisor.ringio.xenstore;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.javisor.ringio.xenstore.XenDomainIds.DOM0;
import static io.javisor.ringio.xenstore.XenStoreAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;

class XenStoreQuotaTest
{
    private static final int GUEST = 3;
    private static final XenStoreWatcher IGNORE = (_, _) -> { };

    private final XenStore store = new XenStore();

    @BeforeEach
    void introduceGuest()
    {
        store.introduceDomain(GUEST);
    }

    @Test
    void theDefaultsAreXensteredsOwn()
    {
        assertEquals(new XenStoreQuota(2048, 1000, 128, 10, 5), store.quota());
    }

    @Test
    void aGuestValueMayBeAtMost2048Bytes()
    {
        store.write(GUEST, "fits", new byte[2048]);

        assertFails(XenStoreError.E2BIG, () -> store.write(GUEST, "too-big", new byte[2049]));
        assertFails(XenStoreError.E2BIG, () -> store.write(GUEST, "fits", new byte[2049]));
        assertEquals(2048, store.read(GUEST, "fits").length);
        try (Transaction transaction = store.startTransaction(GUEST))
        {
            assertFails(XenStoreError.E2BIG, () -> transaction.write("too-big", new byte[2049]));
        }
    }

    @Test
    void aGuestMayOwnAtMost1000Nodes()
    {
        assertEquals(1, store.ownedNodeCount(GUEST), "its home");
        for (int i = 1; i < 1000; i++)
        {
            store.write(GUEST, "n" + i, "");
        }
        assertEquals(1000, store.ownedNodeCount(GUEST));

        assertFails(XenStoreError.ENOSPC, () -> store.write(GUEST, "one-too-many", ""));
        assertFails(XenStoreError.ENOSPC, () -> store.mkdir(GUEST, "one-too-many"));
        store.write(GUEST, "n1", "rewriting an existing node needs no new one");

        store.rm(GUEST, "n1");
        store.write(GUEST, "room-again", "");
        assertEquals(1000, store.ownedNodeCount(GUEST));
    }

    @Test
    void aWriteThatWouldExceedTheNodeQuotaCreatesNothing()
    {
        final XenStore small = new XenStore(new XenStoreQuota(2048, 3, 128, 10, 5));
        small.introduceDomain(GUEST);

        assertFails(XenStoreError.ENOSPC, () -> small.write(GUEST, "a/b/c", "needs three nodes, has room for two"));

        assertEquals(List.of(), small.directory(GUEST, "/local/domain/3"));
        small.write(GUEST, "a/b", "two fit");
        assertEquals(3, small.ownedNodeCount(GUEST));
    }

    @Test
    void aGuestMayHaveAtMost128Watches()
    {
        for (int i = 0; i < 128; i++)
        {
            store.watch(GUEST, "w" + i, "t", IGNORE);
        }

        assertFails(XenStoreError.E2BIG, () -> store.watch(GUEST, "w128", "t", IGNORE));

        store.unwatch(GUEST, "w0", "t");
        store.watch(GUEST, "w128", "t", IGNORE);
        assertEquals(128, store.watchCount(GUEST));
    }

    @Test
    void aGuestMayHaveAtMost10TransactionsOpen()
    {
        final List<Transaction> open = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            open.add(store.startTransaction(GUEST));
        }

        assertFails(XenStoreError.ENOSPC, () -> store.startTransaction(GUEST));

        open.get(0).abort();
        open.get(1).commit();
        store.startTransaction(GUEST);
        store.startTransaction(GUEST);
        assertFails(XenStoreError.ENOSPC, () -> store.startTransaction(GUEST));
    }

    @Test
    void aGuestMayPutAtMost5EntriesInAPermissionList()
    {
        store.write(GUEST, "node", "");

        store.setPermissions(GUEST, "node", NodePermissions.parse("n3", "r4", "r5", "r6", "r7"));
        assertFails(XenStoreError.ENOSPC,
            () -> store.setPermissions(GUEST, "node", NodePermissions.parse("n3", "r4", "r5", "r6", "r7", "r8")));
    }

    @Test
    void dom0IsExemptFromEveryQuota()
    {
        store.write(DOM0, "/big", new byte[100_000]);
        for (int i = 0; i < 1100; i++)
        {
            store.write(DOM0, "/many/n" + i, "");
        }
        for (int i = 0; i < 200; i++)
        {
            store.watch(DOM0, "/w" + i, "t", IGNORE);
        }
        for (int i = 0; i < 20; i++)
        {
            store.startTransaction(DOM0);
        }
        store.setPermissions(DOM0, "/big", NodePermissions.parse("n0", "r1", "r2", "r3", "r4", "r5", "r6"));

        assertEquals(100_000, store.read(DOM0, "/big").length);
        assertEquals(1100, store.directory(DOM0, "/many").size());
        assertEquals(200, store.watchCount(DOM0));
    }

    @Test
    void dom0MayGrowAGuestsSubtreeBeyondTheGuestsQuota()
    {
        final XenStore small = new XenStore(new XenStoreQuota(2048, 2, 128, 10, 5));
        small.introduceDomain(GUEST);

        small.write(DOM0, "/local/domain/3/a", "");
        small.write(DOM0, "/local/domain/3/b", "");

        assertEquals(3, small.ownedNodeCount(GUEST));
        assertFails(XenStoreError.ENOSPC, () -> small.write(GUEST, "c", ""));
    }
}
