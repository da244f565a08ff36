package io.javisor.ringio.xenstore;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.javisor.ringio.xenstore.XenDomainIds.DOM0;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * At most {@link XenStoreQuota#maxQueuedWatchEventsPerDomain()} watch events wait for a domain; more
 * are dropped and counted, and other domains' events still get through. Events pile up while a
 * watcher runs, since the changes it makes are delivered after it returns.
 */
class XenStoreWatchQueueLimitTest
{
    private static final int GUEST = 3;
    private static final int LIMIT = 3;

    private final XenStore store = new XenStore(XenStoreQuota.DEFAULT.withMaxQueuedWatchEventsPerDomain(LIMIT));
    private final List<String> guestHeard = new ArrayList<>();
    private final RecordingWatcher dom0Watcher = new RecordingWatcher();

    @BeforeEach
    void introduceGuest()
    {
        store.introduceDomain(GUEST);
        store.write(GUEST, "q/kept", "stored before");
        store.watch(DOM0, "/dom0", "d", dom0Watcher);
        dom0Watcher.clear();
    }

    @Test
    void exactlyTheLimitIsQueuedThenEventsAreDroppedAndCounted()
    {
        final List<String> observed = new ArrayList<>();
        store.watch(GUEST, "q", "t", (path, _) ->
        {
            guestHeard.add(path);
            if (guestHeard.size() > 1)
            {
                return;
            }
            // Still inside the first delivery: everything below waits in the queue.
            for (int i = 0; i < LIMIT; i++)
            {
                store.write(DOM0, "/local/domain/3/q/x" + i, "v");
            }
            observed.add("at limit: queued " + store.queuedWatchEventCount(GUEST) +
                ", dropped " + store.droppedWatchEventCount(GUEST));
            store.write(DOM0, "/local/domain/3/q/x" + LIMIT, "v");
            store.write(DOM0, "/dom0/other", "another domain's watch");
            observed.add("one over: queued " + store.queuedWatchEventCount(GUEST) +
                ", dropped " + store.droppedWatchEventCount(GUEST));
        });

        assertEquals(List.of("at limit: queued 3, dropped 0", "one over: queued 3, dropped 1"), observed);
        assertEquals(List.of("q", "q/x0", "q/x1", "q/x2"), guestHeard);
        assertEquals(List.of("/dom0/other"), dom0Watcher.paths(), "dom0's queue is its own");
        assertEquals(0, store.queuedWatchEventCount(GUEST));
        assertEquals(1, store.droppedWatchEventCount(GUEST));
        assertEquals("v", store.readString(GUEST, "q/x3"), "the dropped event's change itself is stored");
        assertEquals("stored before", store.readString(GUEST, "q/kept"));

        store.write(GUEST, "q/after", "delivered again once the queue drained");
        assertEquals("q/after", guestHeard.getLast());
        assertEquals(1, store.droppedWatchEventCount(GUEST));
    }

    @Test
    void aCommitQueuesOneEventPerChangedPathSoItFitsWhereAnEventPerEditWouldNot()
    {
        store.watch(GUEST, "q", "t", (path, _) ->
        {
            guestHeard.add(path);
            if (guestHeard.size() > 1)
            {
                return;
            }
            try (Transaction transaction = store.startTransaction(GUEST))
            {
                for (int i = 0; i < 100; i++)
                {
                    transaction.write("q/a", "a" + i);
                    transaction.write("q/b", "b" + i);
                }
                transaction.commit();
            }
        });

        assertEquals(List.of("q", "q/a", "q/b"), guestHeard);
        assertEquals(0, store.droppedWatchEventCount(GUEST));
    }
}
