package io.javisor.ringio.xenstore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import io.javisor.memory.testing.Seed;
import org.junit.jupiter.api.Test;

import static io.javisor.ringio.xenstore.XenDomainIds.DOM0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mixed transactions and plain operations from several domains, in a seeded random order, with
 * small limits so that every one is reached often: no limit is ever exceeded, only the expected
 * errors occur, and the store stays usable. Rerun a failure with {@code -Djavisor.seed=<seed>}.
 */
class XenStoreQuotaRandomizedTest
{
    private static final int[] GUESTS = {1, 2, 3};
    private static final int STEPS = 20_000;
    private static final XenStoreQuota QUOTA = new XenStoreQuota(64, 24, 4, 2, 5, 6, 4, 5);
    private static final Set<XenStoreError> EXPECTED = Set.of(
        XenStoreError.ENOSPC, XenStoreError.EAGAIN, XenStoreError.ENOENT);

    private final Seed seed = Seed.fromPropertyOrRandom();
    private final Random random = seed.random();
    private final XenStore store = new XenStore(QUOTA, ex -> fail(context("a watcher threw"), ex));
    private final Map<Integer, List<Transaction>> openByDomain = new HashMap<>();
    private int step;

    @Test
    void mixedTransactionsFromSeveralDomainsNeverExceedTheQuotas()
    {
        for (final int guest : GUESTS)
        {
            store.introduceDomain(guest);
            openByDomain.put(guest, new ArrayList<>());
            store.watch(guest, "/local/domain/" + guest, "home", (_, _) -> checkWatchQueues());
        }
        openByDomain.put(DOM0, new ArrayList<>());
        store.watch(DOM0, "/local/domain", "all", (_, _) -> checkWatchQueues());

        final Map<XenStoreError, Integer> errors = new HashMap<>();
        for (step = 0; step < STEPS; step++)
        {
            final int domid = random.nextInt(8) == 0 ? DOM0 : GUESTS[random.nextInt(GUESTS.length)];
            try
            {
                act(domid);
            }
            catch (final XenStoreException ex)
            {
                assertTrue(EXPECTED.contains(ex.error()), context(ex.getMessage()));
                errors.merge(ex.error(), 1, Integer::sum);
            }
            checkLimits();
            if (step % 1000 == 0)
            {
                checkOwnedNodeCounts();
            }
        }
        checkOwnedNodeCounts();

        System.out.println("XenStoreQuotaRandomizedTest seed " + seed + ": " + STEPS + " steps, errors " + errors);
        assertTrue(errors.getOrDefault(XenStoreError.ENOSPC, 0) > 0, context("limits were reached: " + errors));
        for (final int guest : GUESTS)
        {
            openByDomain.get(guest).forEach(Transaction::close);
            // A guest may end at its node quota, where a new node is rightly ENOSPC: its own data goes
            // first, then a transaction must work as on a fresh store.
            for (final String child : store.directory(guest, "/local/domain/" + guest))
            {
                if (child.matches("n\\d"))
                {
                    store.rm(guest, "/local/domain/" + guest + "/" + child);
                }
            }
            store.transact(guest, transaction ->
            {
                transaction.write("usable", "yes");
                return null;
            });
            assertEquals("yes", store.readString(guest, "usable"), context("store usable for " + guest));
        }
    }

    private void act(final int domid)
    {
        final List<Transaction> open = openByDomain.get(domid);
        final String path = randomPath(domid);
        switch (random.nextInt(10))
        {
            case 0 -> open.add(store.startTransaction(domid));
            case 1 -> endOne(open, true);
            case 2 -> endOne(open, false);
            case 3 -> store.write(domid, writablePath(domid, path), "plain" + step);
            case 4 -> store.rm(domid, path);
            default ->
            {
                if (open.isEmpty())
                {
                    open.add(store.startTransaction(domid));
                }
                transactionOp(open.get(random.nextInt(open.size())), path);
            }
        }
    }

    private void transactionOp(final Transaction transaction, final String path)
    {
        switch (random.nextInt(5))
        {
            case 0, 1 -> transaction.read(path);
            case 2, 3 -> transaction.write(writablePath(transaction.domid(), path), "tx" + step);
            default -> transaction.rm(path);
        }
    }

    private void endOne(final List<Transaction> open, final boolean commit)
    {
        if (open.isEmpty())
        {
            return;
        }
        final Transaction transaction = open.remove(random.nextInt(open.size()));
        if (commit)
        {
            transaction.commit();
        }
        else
        {
            transaction.abort();
        }
    }

    private String randomPath(final int domid)
    {
        // Dom0 reads and removes in the guests' homes too, so that it conflicts with their transactions.
        final int owner = domid == DOM0 ? GUESTS[random.nextInt(GUESTS.length)] : domid;
        final StringBuilder path = new StringBuilder("/local/domain/").append(owner);
        final int depth = 1 + random.nextInt(3);
        for (int i = 0; i < depth; i++)
        {
            path.append("/n").append(random.nextInt(4));
        }
        return path.toString();
    }

    /**
     * Dom0 writes in a subtree of its own: what it creates in a guest's home would count against the
     * guest's node quota, which dom0 is exempt from, as in Xen.
     */
    private static String writablePath(final int domid, final String path)
    {
        return domid == DOM0 ? "/dom0" + path : path;
    }

    private void checkLimits()
    {
        for (final int guest : GUESTS)
        {
            final List<Transaction> open = openByDomain.get(guest);
            open.removeIf(transaction -> !transaction.isOpen());
            assertTrue(open.size() <= QUOTA.maxTransactionsPerDomain(), context("open transactions of " + guest));
            for (final Transaction transaction : open)
            {
                assertTrue(transaction.editCount() <= QUOTA.maxEditsPerTransaction(), context("edits " + transaction));
                assertTrue(transaction.touchedNodeCount() <= QUOTA.maxNodesPerTransaction(),
                    context("touched nodes " + transaction));
            }
            assertTrue(store.ownedNodeCount(guest) <= QUOTA.maxNodesPerDomain(),
                context("nodes of " + guest));
        }
        openByDomain.get(DOM0).removeIf(transaction -> !transaction.isOpen());
        checkWatchQueues();
    }

    /**
     * The owned-node counts the quota is measured against match the tree.
     */
    private void checkOwnedNodeCounts()
    {
        final Map<Integer, Integer> counted = new HashMap<>();
        countOwners("/", counted);
        for (final int domid : new int[]{DOM0, 1, 2, 3})
        {
            assertEquals(counted.getOrDefault(domid, 0), store.ownedNodeCount(domid), context("owned nodes of " + domid));
        }
    }

    private void countOwners(final String path, final Map<Integer, Integer> counted)
    {
        counted.merge(store.getPermissions(DOM0, path).owner(), 1, Integer::sum);
        for (final String child : store.directory(DOM0, path))
        {
            countOwners("/".equals(path) ? "/" + child : path + "/" + child, counted);
        }
    }

    private void checkWatchQueues()
    {
        for (final int domid : new int[]{DOM0, 1, 2, 3})
        {
            assertTrue(store.queuedWatchEventCount(domid) <= QUOTA.maxQueuedWatchEventsPerDomain(),
                context("queued events of " + domid));
        }
    }

    private String context(final String what)
    {
        return what + " at step " + step + "; " + seed;
    }
}
