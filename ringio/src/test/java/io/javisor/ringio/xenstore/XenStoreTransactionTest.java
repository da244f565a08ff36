package io.javisor.ringio.xenstore;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.javisor.ringio.xenstore.XenDomainIds.DOM0;
import static io.javisor.ringio.xenstore.XenStoreAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class XenStoreTransactionTest
{
    private static final int GUEST = 3;

    private final XenStore store = new XenStore();

    @BeforeEach
    void introduceGuest()
    {
        store.introduceDomain(GUEST);
        store.write(GUEST, "counter", "0");
    }

    @Test
    void aTransactionSeesItsOwnWritesAndOthersSeeThemOnlyAfterCommit()
    {
        final Transaction transaction = store.startTransaction(GUEST);
        transaction.write("counter", "1");
        transaction.write("new/node", "created");

        assertEquals("1", transaction.readString("counter"));
        assertEquals(List.of("node"), transaction.directory("new"));
        assertEquals("0", store.readString(GUEST, "counter"));
        assertFails(XenStoreError.ENOENT, () -> store.read(GUEST, "new/node"));

        transaction.commit();

        assertEquals("1", store.readString(GUEST, "counter"));
        assertEquals("created", store.readString(GUEST, "new/node"));
        assertFalse(transaction.isOpen());
    }

    @Test
    void watchesFireAtCommitNotBefore()
    {
        final RecordingWatcher watcher = new RecordingWatcher();
        store.watch(DOM0, "/local/domain/3", "t", watcher);
        watcher.clear();

        try (Transaction transaction = store.startTransaction(GUEST))
        {
            transaction.write("a", "1");
            transaction.write("b", "2");
            assertEquals(List.of(), watcher.events());

            transaction.commit();
        }

        assertEquals(List.of("/local/domain/3/a", "/local/domain/3/b"), watcher.paths());
    }

    @Test
    void twoTransactionsWritingTheSameNodeConflictAndTheLoserSucceedsOnRetry()
    {
        final Transaction first = store.startTransaction(GUEST);
        final Transaction second = store.startTransaction(GUEST);
        first.write("counter", "from first");
        second.write("counter", "from second");

        first.commit();
        assertFails(XenStoreError.EAGAIN, second::commit);
        assertEquals("from first", store.readString(GUEST, "counter"));
        assertFalse(second.isOpen());

        try (Transaction retry = store.startTransaction(GUEST))
        {
            retry.write("counter", retry.readString("counter") + " then second");
            retry.commit();
        }
        assertEquals("from first then second", store.readString(GUEST, "counter"));
    }

    @Test
    void aReadOnlyTransactionConflictsWhenWhatItReadChanged()
    {
        final Transaction reader = store.startTransaction(GUEST);
        assertEquals("0", reader.readString("counter"));

        store.write(GUEST, "counter", "changed meanwhile");

        assertFails(XenStoreError.EAGAIN, reader::commit);
    }

    @Test
    void aTransactionThatFoundANodeMissingConflictsWhenItAppears()
    {
        final Transaction transaction = store.startTransaction(GUEST);
        assertFails(XenStoreError.ENOENT, () -> transaction.read("flag"));

        store.write(GUEST, "flag", "set meanwhile");

        assertFails(XenStoreError.EAGAIN, transaction::commit);
    }

    @Test
    void transactionsCreatingTheSameNodeConflict()
    {
        final Transaction first = store.startTransaction(GUEST);
        final Transaction second = store.startTransaction(GUEST);
        first.write("dir/key", "1");
        second.write("dir/key", "2");

        first.commit();

        assertFails(XenStoreError.EAGAIN, second::commit);
    }

    @Test
    void transactionsTouchingDifferentNodesBothCommit()
    {
        store.write(GUEST, "left", "l");
        store.write(GUEST, "right", "r");
        final Transaction first = store.startTransaction(GUEST);
        final Transaction second = store.startTransaction(GUEST);
        first.write("left", first.readString("left") + "1");
        second.write("right", second.readString("right") + "2");

        first.commit();
        second.commit();

        assertEquals("l1", store.readString(GUEST, "left"));
        assertEquals("r2", store.readString(GUEST, "right"));
    }

    @Test
    void aTransactionSeesTheStoreAsItWasWhenItStarted()
    {
        final Transaction transaction = store.startTransaction(GUEST);

        store.write(GUEST, "counter", "later");

        assertEquals("0", transaction.readString("counter"));
        transaction.abort();
    }

    @Test
    void removalsInsideATransactionAreAppliedAtCommit()
    {
        store.write(GUEST, "tree/a/b", "x");
        final Transaction transaction = store.startTransaction(GUEST);
        transaction.rm("tree/a");

        assertFails(XenStoreError.ENOENT, () -> transaction.read("tree/a/b"));
        assertEquals("x", store.readString(GUEST, "tree/a/b"));

        transaction.commit();
        assertEquals(List.of(), store.directory(GUEST, "tree"));
    }

    @Test
    void abortDiscardsEverythingAndEndsTheTransaction()
    {
        final Transaction transaction = store.startTransaction(GUEST);
        transaction.write("counter", "never");
        transaction.abort();

        assertEquals("0", store.readString(GUEST, "counter"));
        assertFails(XenStoreError.ENOENT, () -> transaction.read("counter"));
        assertFails(XenStoreError.ENOENT, transaction::commit);
        assertFails(XenStoreError.ENOENT, transaction::abort);
    }

    @Test
    void permissionsAreCheckedInsideTransactions()
    {
        store.introduceDomain(4);
        store.write(4, "/local/domain/4/secret", "s");
        try (Transaction transaction = store.startTransaction(GUEST))
        {
            assertFails(XenStoreError.EACCES, () -> transaction.read("/local/domain/4/secret"));
            assertFails(XenStoreError.EACCES, () -> transaction.write("/local/domain/4/secret", "x"));
        }
    }

    @Test
    void openTransactionsCanBeFoundByIdOnlyByTheirDomain()
    {
        store.introduceDomain(4);
        final Transaction transaction = store.startTransaction(GUEST);

        assertNotEquals(0, transaction.id());
        assertSame(transaction, store.transaction(GUEST, transaction.id()));
        assertFails(XenStoreError.ENOENT, () -> store.transaction(4, transaction.id()));

        transaction.commit();
        assertFails(XenStoreError.ENOENT, () -> store.transaction(GUEST, transaction.id()));
    }

    @Test
    void transactRetriesAfterAConflict()
    {
        final AtomicInteger attempts = new AtomicInteger();

        final int succeededOn = store.transact(GUEST, transaction ->
        {
            final int attempt = attempts.incrementAndGet();
            final String value = transaction.readString("counter");
            if (attempt == 1)
            {
                store.write(GUEST, "counter", "interference");
            }
            transaction.write("counter", value + "+1");
            return attempt;
        });

        assertEquals(2, succeededOn);
        assertEquals("interference+1", store.readString(GUEST, "counter"));
    }

    @Test
    void transactGivesUpAfterABoundedNumberOfConflicts()
    {
        final AtomicInteger attempts = new AtomicInteger();

        final XenStoreException ex = assertThrows(XenStoreException.class, () -> store.transact(GUEST, transaction ->
        {
            attempts.incrementAndGet();
            transaction.readString("counter");
            store.write(GUEST, "counter", "always interfering");
            return null;
        }));

        assertEquals(XenStoreError.EAGAIN, ex.error());
        assertEquals(XenStore.MAX_TRANSACTION_ATTEMPTS, attempts.get());
        assertNoTransactionLeftOpen();
    }

    @Test
    void transactPassesOtherErrorsThroughAndAbortsTheTransaction()
    {
        assertFails(XenStoreError.EACCES, () -> store.transact(GUEST, transaction ->
        {
            transaction.write("counter", "partial");
            transaction.write("/forbidden", "x");
            return null;
        }));

        assertEquals("0", store.readString(GUEST, "counter"));
    }

    @Test
    void concurrentIncrementsThroughTransactionsLoseNoUpdate() throws Exception
    {
        final int threads = 4;
        final int incrementsPerThread = 100;
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try
        {
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                done.add(pool.submit(() ->
                {
                    for (int i = 0; i < incrementsPerThread; i++)
                    {
                        store.transact(GUEST, transaction ->
                        {
                            final int value = Integer.parseInt(transaction.readString("counter"));
                            transaction.write("counter", Integer.toString(value + 1));
                            return null;
                        });
                    }
                }));
            }
            for (final Future<?> future : done)
            {
                future.get(20, TimeUnit.SECONDS);
            }
        }
        finally
        {
            pool.shutdownNow();
        }

        assertEquals(threads * incrementsPerThread, Integer.parseInt(store.readString(GUEST, "counter")));
        assertNoTransactionLeftOpen();
    }

    private void assertNoTransactionLeftOpen()
    {
        final List<Transaction> all = new ArrayList<>();
        for (int i = 0; i < store.quota().maxTransactionsPerDomain(); i++)
        {
            all.add(store.startTransaction(GUEST));
        }
        all.forEach(Transaction::abort);
    }
}
