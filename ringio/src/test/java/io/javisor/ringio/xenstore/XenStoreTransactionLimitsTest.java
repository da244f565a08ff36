package io.javisor.ringio.xenstore;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.javisor.ringio.xenstore.XenDomainIds.DOM0;
import static io.javisor.ringio.xenstore.XenStoreAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A transaction is bounded (Xen's XSA-326 limits): in the distinct nodes it touches, in the edits it
 * makes, and in the transactions a domain may have open; rewriting one node keeps one entry.
 */
class XenStoreTransactionLimitsTest
{
    private static final int GUEST = 3;
    private static final String HOME = "/local/domain/3";

    private XenStore store = new XenStore();

    @BeforeEach
    void introduceGuest()
    {
        store.introduceDomain(GUEST);
        store.write(GUEST, "kept", "stored before");
    }

    @Test
    void theTransactionDefaultsAreXens()
    {
        assertEquals(1024, store.quota().maxNodesPerTransaction());
        assertEquals(1024, store.quota().maxEditsPerTransaction());
        assertEquals(10, store.quota().maxTransactionsPerDomain());
        assertEquals(1024, store.quota().maxQueuedWatchEventsPerDomain());
    }

    @Test
    void aGuestTransactionMayTouchExactlyItsNodeLimitCountingMissingReads()
    {
        useQuota(XenStoreQuota.DEFAULT.withMaxNodesPerTransaction(4));
        try (Transaction transaction = store.startTransaction(GUEST))
        {
            assertEquals("stored before", transaction.readString("kept"));
            transaction.write("kept", "rewritten");
            assertFails(XenStoreError.ENOENT, () -> transaction.read("missing1"));
            assertFails(XenStoreError.ENOENT, () -> transaction.read("missing2"));
            assertFails(XenStoreError.ENOENT, () -> transaction.read("missing3"));
            assertEquals(4, transaction.touchedNodeCount(), "at the limit");

            assertFails(XenStoreError.ENOSPC, () -> transaction.read("missing4"));
            assertFails(XenStoreError.ENOSPC, () -> transaction.write("new", "would be a fifth node"));

            assertEquals(4, transaction.touchedNodeCount());
            transaction.write("kept", "nodes already touched stay usable");
            assertFails(XenStoreError.ENOENT, () -> transaction.read("missing1"));
            transaction.commit();
        }

        assertEquals("nodes already touched stay usable", store.readString(GUEST, "kept"));
        assertEquals(List.of("kept"), store.directory(GUEST, HOME));
        store.transact(GUEST, transaction ->
        {
            transaction.write("after", "usable");
            return null;
        });
        assertEquals("usable", store.readString(GUEST, "after"));
    }

    @Test
    void creatingANodeTouchesItAndItsNearestExistingAncestor()
    {
        useQuota(XenStoreQuota.DEFAULT.withMaxNodesPerTransaction(2));
        try (Transaction transaction = store.startTransaction(GUEST))
        {
            transaction.write("a", "1");
            assertEquals(2, transaction.touchedNodeCount(), "a and the home it is created in");

            assertFails(XenStoreError.ENOSPC, () -> transaction.write("b", "2"));

            assertEquals(2, transaction.touchedNodeCount(), "a refused operation leaves nothing counted");
            transaction.commit();
        }
        assertEquals(List.of("kept", "a"), store.directory(GUEST, HOME));
    }

    @Test
    void readsOfMissingPathsStopAtTheNodeLimit()
    {
        int missing = 0;
        int refused = 0;
        try (Transaction transaction = store.startTransaction(GUEST))
        {
            for (int i = 0; i < 100_000; i++)
            {
                try
                {
                    transaction.read("missing/" + i);
                }
                catch (final XenStoreException ex)
                {
                    if (ex.error() == XenStoreError.ENOENT)
                    {
                        missing++;
                    }
                    else
                    {
                        assertEquals(XenStoreError.ENOSPC, ex.error(), ex.getMessage());
                        refused++;
                    }
                }
            }
            assertEquals(1024, transaction.touchedNodeCount());
        }
        assertEquals(1024, missing);
        assertEquals(100_000 - 1024, refused);
    }

    @Test
    void aGuestTransactionMayMakeExactlyItsEditLimit()
    {
        useQuota(XenStoreQuota.DEFAULT.withMaxEditsPerTransaction(5));
        try (Transaction transaction = store.startTransaction(GUEST))
        {
            for (int i = 1; i <= 5; i++)
            {
                transaction.write("counter", "v" + i);
            }
            assertEquals(5, transaction.editCount());

            assertFails(XenStoreError.ENOSPC, () -> transaction.write("counter", "v6"));
            assertFails(XenStoreError.ENOSPC, () -> transaction.rm("kept"));

            assertEquals(5, transaction.editCount());
            assertEquals("v5", transaction.readString("counter"), "reads go on past the edit limit");
            transaction.commit();
        }
        assertEquals("v5", store.readString(GUEST, "counter"));
        assertEquals("stored before", store.readString(GUEST, "kept"));
        try (Transaction next = store.startTransaction(GUEST))
        {
            next.write("counter", "a new transaction has a new allowance");
            next.commit();
        }
        assertEquals("a new transaction has a new allowance", store.readString(GUEST, "counter"));
    }

    @Test
    void aGuestMayHaveExactlyItsLimitOfTransactionsOpen()
    {
        useQuota(XenStoreQuota.DEFAULT.withMaxTransactionsPerDomain(2));
        final Transaction first = store.startTransaction(GUEST);
        final Transaction second = store.startTransaction(GUEST);
        first.write("from-first", "1");

        assertFails(XenStoreError.ENOSPC, () -> store.startTransaction(GUEST));

        first.commit();
        assertEquals("1", store.readString(GUEST, "from-first"));
        final Transaction third = store.startTransaction(GUEST);
        third.abort();
        second.abort();
        assertEquals("stored before", store.readString(GUEST, "kept"));
    }

    /**
     * The reported defect: one transaction rewriting a node a million times grew dom0's heap with an
     * edit per rewrite and a watch trigger per edit at commit.
     */
    @Test
    void aGuestRewritingOneNodeAMillionTimesIsRefusedAtTheEditLimit()
    {
        final RecordingWatcher watcher = new RecordingWatcher();
        store.watch(DOM0, HOME + "/node", "t", watcher);
        watcher.clear();
        int refused = 0;
        try (Transaction transaction = store.startTransaction(GUEST))
        {
            for (int i = 1; i <= 1_000_000; i++)
            {
                try
                {
                    transaction.write("node", Integer.toString(i));
                }
                catch (final XenStoreException ex)
                {
                    assertEquals(XenStoreError.ENOSPC, ex.error(), ex.getMessage());
                    refused++;
                }
            }
            assertEquals(1024, transaction.editCount());
            assertEquals(2, transaction.touchedNodeCount(), "the node and its parent, once each");
            transaction.commit();
        }

        assertEquals(1_000_000 - 1024, refused);
        assertEquals("1024", store.readString(GUEST, "node"));
        assertEquals(List.of(HOME + "/node"), watcher.paths(), "one watch event for the one node");
    }

    @Test
    void dom0RewritingOneNodeAMillionTimesKeepsOneEntryAndFiresOnce()
    {
        final RecordingWatcher watcher = new RecordingWatcher();
        store.watch(DOM0, HOME + "/kept", "t", watcher);
        watcher.clear();
        try (Transaction transaction = store.startTransaction(DOM0))
        {
            for (int i = 1; i <= 1_000_000; i++)
            {
                transaction.write(HOME + "/kept", Integer.toString(i));
            }
            assertEquals(1_000_000, transaction.editCount(), "dom0 is exempt from the edit limit, as in Xen");
            assertEquals(1, transaction.touchedNodeCount(), "one entry for the one node");
            transaction.commit();
        }

        assertEquals("1000000", store.readString(GUEST, "kept"));
        assertEquals(List.of(HOME + "/kept"), watcher.paths());
    }

    @Test
    void aCommitFiresOneWatchEventPerChangedPath()
    {
        store.write(GUEST, "gone", "x");
        final RecordingWatcher watcher = new RecordingWatcher();
        store.watch(DOM0, HOME, "t", watcher);
        watcher.clear();

        try (Transaction transaction = store.startTransaction(GUEST))
        {
            transaction.write("a", "1");
            transaction.write("b", "1");
            transaction.write("a", "2");
            transaction.rm("gone");
            transaction.write("b", "2");
            transaction.write("a", "3");
            transaction.commit();
        }

        assertEquals(List.of(HOME + "/a", HOME + "/b", HOME + "/gone"), watcher.paths());
    }

    @Test
    void dom0IsExemptFromTheTransactionNodeLimit()
    {
        useQuota(XenStoreQuota.DEFAULT.withMaxNodesPerTransaction(2).withMaxEditsPerTransaction(2));
        final List<String> names = new ArrayList<>();
        try (Transaction transaction = store.startTransaction(DOM0))
        {
            for (int i = 0; i < 50; i++)
            {
                transaction.write("/dom0/n" + i, "");
                names.add("n" + i);
            }
            assertTrue(transaction.touchedNodeCount() > 50);
            transaction.commit();
        }
        assertEquals(names, store.directory(DOM0, "/dom0"));
    }

    private void useQuota(final XenStoreQuota quota)
    {
        store = new XenStore(quota);
        introduceGuest();
    }
}
