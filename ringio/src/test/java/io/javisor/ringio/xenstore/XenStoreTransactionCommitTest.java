package io.javisor.ringio.xenstore;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.javisor.ringio.xenstore.XenDomainIds.DOM0;
import static io.javisor.ringio.xenstore.XenStoreAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A commit applies the transaction's final state on top of whatever else changed meanwhile: changes
 * elsewhere survive, changes it cannot reconcile are a conflict.
 */
class XenStoreTransactionCommitTest
{
    private static final int GUEST = 3;
    private static final String HOME = "/local/domain/3";

    private final XenStore store = new XenStore(new XenStoreQuota(2048, 10, 128, 10, 5));

    @BeforeEach
    void introduceGuest()
    {
        store.introduceDomain(GUEST);
        store.write(GUEST, "dir/a", "a");
        store.write(GUEST, "dir/b", "b");
    }

    @Test
    void changesElsewhereMadeDuringTheTransactionSurviveItsCommit()
    {
        try (Transaction transaction = store.startTransaction(GUEST))
        {
            transaction.write("dir/a", "from the transaction");
            store.write(GUEST, "dir/b", "from outside");
            store.write(DOM0, "/elsewhere", "from dom0");
            transaction.commit();
        }

        assertEquals("from the transaction", store.readString(GUEST, "dir/a"));
        assertEquals("from outside", store.readString(GUEST, "dir/b"));
        assertEquals("from dom0", store.readString(DOM0, "/elsewhere"));
    }

    @Test
    void removingAndRecreatingANodeInATransactionLeavesOnlyTheNewSubtree()
    {
        try (Transaction transaction = store.startTransaction(GUEST))
        {
            transaction.rm("dir");
            transaction.write("dir/c", "c");
            transaction.commit();
        }

        assertEquals(List.of("c"), store.directory(GUEST, "dir"));
        assertEquals(3, store.ownedNodeCount(GUEST), "home, dir and dir/c");
    }

    @Test
    void removingASubtreeSomeoneChangedBelowMeanwhileConflicts()
    {
        store.write(GUEST, "dir/a/deep", "d");
        try (Transaction transaction = store.startTransaction(GUEST))
        {
            transaction.rm("dir");
            store.write(GUEST, "dir/a/deep", "changed below, out of the transaction's sight");

            assertFails(XenStoreError.EAGAIN, transaction::commit);
        }
        assertEquals("changed below, out of the transaction's sight", store.readString(GUEST, "dir/a/deep"));
    }

    @Test
    void aCommitThatWouldTakeTheGuestPastItsNodeQuotaCreatesNothing()
    {
        assertEquals(4, store.ownedNodeCount(GUEST));
        try (Transaction transaction = store.startTransaction(GUEST))
        {
            transaction.write("t1", "");
            transaction.write("t2", "");
            transaction.write("t3", "");
            for (int i = 0; i < 4; i++)
            {
                store.write(GUEST, "dir/b/o" + i, "");
            }
            assertEquals(8, store.ownedNodeCount(GUEST));

            assertFails(XenStoreError.ENOSPC, transaction::commit);
        }
        assertEquals(8, store.ownedNodeCount(GUEST));
        assertFails(XenStoreError.ENOENT, () -> store.read(GUEST, "t1"));
        store.write(GUEST, "t1", "two more fit");
        assertEquals(9, store.ownedNodeCount(GUEST));
    }

    @Test
    void ownedNodeCountsFollowACommittedTransaction()
    {
        try (Transaction transaction = store.startTransaction(GUEST))
        {
            transaction.write("x/y/z", "");
            transaction.rm("dir/a");
            transaction.commit();
        }
        assertEquals(6, store.ownedNodeCount(GUEST), "home, dir, dir/b, x, x/y, x/y/z");
        assertEquals(List.of("dir", "x"), store.directory(GUEST, HOME));
    }
}
