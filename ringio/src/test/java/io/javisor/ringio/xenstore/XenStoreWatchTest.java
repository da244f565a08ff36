package io.javisor.ringio.xenstore;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.javisor.ringio.xenstore.XenDomainIds.DOM0;
import static io.javisor.ringio.xenstore.XenStoreAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XenStoreWatchTest
{
    private final List<Throwable> watcherErrors = new CopyOnWriteArrayList<>();
    private final XenStore store = new XenStore(XenStoreQuota.DEFAULT, watcherErrors::add);
    private final RecordingWatcher watcher = new RecordingWatcher();

    @BeforeEach
    void introduceGuests()
    {
        store.introduceDomain(3);
        store.introduceDomain(4);
    }

    @Test
    void aNewWatchFiresOnceAtOnceWithItsPathAndToken()
    {
        store.watch(DOM0, "/not/yet/there", "tok", watcher);

        assertEquals(List.of(new RecordingWatcher.Event("/not/yet/there", "tok")), watcher.events());
    }

    @Test
    void firesForWritesToThePathAndEveryDescendantWithTheChangedPath()
    {
        store.watch(DOM0, "/dev", "t1", watcher);
        watcher.clear();

        store.write(DOM0, "/dev", "self");
        store.write(DOM0, "/dev/vbd/51712/state", "1");
        store.mkdir(DOM0, "/dev/vif");
        store.setPermissions(DOM0, "/dev/vif", NodePermissions.parse("r0"));

        assertEquals(List.of(
            new RecordingWatcher.Event("/dev", "t1"),
            new RecordingWatcher.Event("/dev/vbd/51712/state", "t1"),
            new RecordingWatcher.Event("/dev/vif", "t1"),
            new RecordingWatcher.Event("/dev/vif", "t1")), watcher.events());
    }

    @Test
    void doesNotFireForSiblingsOrAncestors()
    {
        store.watch(DOM0, "/a/b", "t", watcher);
        watcher.clear();

        store.write(DOM0, "/a/bc", "sibling with a common prefix");
        store.write(DOM0, "/a", "ancestor");
        store.write(DOM0, "/z", "elsewhere");

        assertEquals(List.of(), watcher.events());
    }

    @Test
    void firesForRemovalOfTheNodeAndOfAnyAncestor()
    {
        store.write(DOM0, "/a/b/c/d", "x");
        store.watch(DOM0, "/a/b/c", "deep", watcher);
        store.watch(DOM0, "/a", "top", watcher);
        watcher.clear();

        store.rm(DOM0, "/a/b/c/d");
        store.rm(DOM0, "/a/b");

        assertEquals(List.of(
            new RecordingWatcher.Event("/a/b/c/d", "deep"),
            new RecordingWatcher.Event("/a/b/c/d", "top"),
            new RecordingWatcher.Event("/a/b", "top"),
            new RecordingWatcher.Event("/a/b/c", "deep")), watcher.events());
    }

    @Test
    void removingAMissingNodeFiresNothing()
    {
        store.mkdir(DOM0, "/p");
        store.watch(DOM0, "/p", "t", watcher);
        watcher.clear();

        store.rm(DOM0, "/p/never");

        assertEquals(List.of(), watcher.events());
    }

    @Test
    void aRootWatchSeesEverything()
    {
        store.watch(DOM0, "/", "root", watcher);
        watcher.clear();

        store.write(DOM0, "/x", "1");
        store.write(3, "/local/domain/3/y", "2");

        assertEquals(List.of("/x", "/local/domain/3/y"), watcher.paths());
    }

    @Test
    void aGuestHearsNothingOfPathsItMayNotRead()
    {
        store.watch(3, "/local/domain/4", "spy", watcher);
        assertEquals(List.of("/local/domain/4"), watcher.paths());
        watcher.clear();

        store.write(4, "/local/domain/4/secret", "s");
        store.rm(4, "/local/domain/4/secret");
        store.write(DOM0, "/local/domain/4/by-dom0", "d");

        assertEquals(List.of(), watcher.events());

        store.write(4, "/local/domain/4/shared", "");
        store.setPermissions(4, "/local/domain/4/shared", NodePermissions.parse("n4", "r3"));
        store.write(4, "/local/domain/4/shared", "now visible");

        assertEquals(List.of("/local/domain/4/shared", "/local/domain/4/shared"), watcher.paths());
    }

    @Test
    void theRemovalOfAReadableNodeIsHeardEvenThoughItIsGone()
    {
        store.write(4, "/local/domain/4/shared/key", "");
        store.setPermissions(4, "/local/domain/4/shared", NodePermissions.parse("n4", "r3"));
        store.watch(3, "/local/domain/4/shared", "t", watcher);
        watcher.clear();

        store.rm(4, "/local/domain/4/shared");

        assertEquals(List.of("/local/domain/4/shared"), watcher.paths());
    }

    @Test
    void aRelativeWatchReportsRelativePaths()
    {
        store.watch(3, "device", "rel", watcher);
        store.write(3, "device/vbd/state", "1");

        assertEquals(List.of("device", "device/vbd/state"), watcher.paths());
    }

    @Test
    void unwatchStopsTheEvents()
    {
        store.watch(DOM0, "/u", "t", watcher);
        store.unwatch(DOM0, "/u", "t");
        watcher.clear();

        store.write(DOM0, "/u", "x");

        assertEquals(List.of(), watcher.events());
        assertFails(XenStoreError.ENOENT, () -> store.unwatch(DOM0, "/u", "t"));
    }

    @Test
    void tokensTellWatchesOnTheSamePathApartAndMustBeUnique()
    {
        store.watch(DOM0, "/w", "first", watcher);
        store.watch(DOM0, "/w", "second", watcher);
        watcher.clear();

        store.write(DOM0, "/w", "x");

        assertEquals(List.of(new RecordingWatcher.Event("/w", "first"), new RecordingWatcher.Event("/w", "second")),
            watcher.events());
        assertFails(XenStoreError.EEXIST, () -> store.watch(DOM0, "/w", "first", watcher));
        assertFails(XenStoreError.EINVAL, () -> store.watch(DOM0, "/w", "bad\0token", watcher));
    }

    @Test
    void introduceAndReleaseFireTheSpecialPathsForDom0()
    {
        store.watch(DOM0, XenStorePaths.INTRODUCE_DOMAIN, "in", watcher);
        store.watch(DOM0, XenStorePaths.RELEASE_DOMAIN, "out", watcher);
        watcher.clear();

        store.introduceDomain(9);
        store.releaseDomain(9);

        assertEquals(List.of(
            new RecordingWatcher.Event(XenStorePaths.INTRODUCE_DOMAIN, "in"),
            new RecordingWatcher.Event(XenStorePaths.RELEASE_DOMAIN, "out")), watcher.events());
    }

    @Test
    void aGuestHearsSpecialPathsOnlyWhenDom0GrantsIt()
    {
        store.watch(3, XenStorePaths.RELEASE_DOMAIN, "t", watcher);
        watcher.clear();
        store.introduceDomain(9);
        store.releaseDomain(9);
        assertEquals(List.of(), watcher.events());

        assertFails(XenStoreError.EACCES,
            () -> store.setPermissions(3, XenStorePaths.RELEASE_DOMAIN, NodePermissions.parse("r3")));
        store.setPermissions(DOM0, XenStorePaths.RELEASE_DOMAIN, NodePermissions.parse("n0", "r3"));
        store.introduceDomain(9);
        store.releaseDomain(9);

        assertEquals(List.of(XenStorePaths.RELEASE_DOMAIN), watcher.paths());
    }

    @Test
    void watchersRunWithoutTheStoreLockAndMayCallTheStore()
    {
        final ExecutorService otherThread = Executors.newSingleThreadExecutor();
        final List<String> seenFromOtherThread = new CopyOnWriteArrayList<>();
        try
        {
            store.watch(DOM0, "/ping", "t", (path, _) ->
            {
                watcher.onWatchEvent(path, "t");
                if (path.equals("/ping/request"))
                {
                    // Would time out if this thread held the store's lock.
                    final Future<String> read = otherThread.submit(() -> store.readString(DOM0, "/ping/request"));
                    seenFromOtherThread.add(assertDoesNotTimeOut(read));
                    store.write(DOM0, "/ping/reply", "pong");
                }
            });

            store.write(DOM0, "/ping/request", "ping");

            assertEquals(List.of("ping"), seenFromOtherThread);
            assertEquals(List.of("/ping", "/ping/request", "/ping/reply"), watcher.paths());
            assertEquals("pong", store.readString(DOM0, "/ping/reply"));
        }
        finally
        {
            otherThread.shutdownNow();
        }
    }

    @Test
    void eventsArriveInTheOrderOfTheChanges()
    {
        store.watch(DOM0, "/seq", "t", watcher);
        watcher.clear();
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            store.write(DOM0, "/seq/" + (i % 7), Integer.toString(i));
            expected.add("/seq/" + (i % 7));
        }

        assertEquals(expected, watcher.paths());
    }

    @Test
    void aFailingWatcherIsReportedAndDeliveryGoesOn()
    {
        store.watch(DOM0, "/f", "bad", (path, _) ->
        {
            if (path.equals("/f/x"))
            {
                throw new IllegalStateException("watcher bug");
            }
        });
        store.watch(DOM0, "/f", "good", watcher);
        watcher.clear();

        store.write(DOM0, "/f/x", "1");

        assertEquals(List.of("/f/x"), watcher.paths());
        assertEquals(1, watcherErrors.size());
        assertInstanceOf(IllegalStateException.class, watcherErrors.get(0));
    }

    @Test
    void eventsFromManyThreadsAreAllDelivered() throws Exception
    {
        store.watch(DOM0, "/mt", "t", watcher);
        watcher.clear();
        final int threads = 4;
        final int writesPerThread = 250;
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try
        {
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                done.add(pool.submit(() ->
                {
                    for (int i = 0; i < writesPerThread; i++)
                    {
                        store.write(DOM0, "/mt/" + thread, Integer.toString(i));
                    }
                }));
            }
            for (final Future<?> future : done)
            {
                future.get(10, TimeUnit.SECONDS);
            }
        }
        finally
        {
            pool.shutdownNow();
        }

        assertEquals(threads * writesPerThread, watcher.events().size());
        for (int t = 0; t < threads; t++)
        {
            final String path = "/mt/" + t;
            assertTrue(watcher.paths().stream().filter(path::equals).count() == writesPerThread, path);
        }
    }

    private static <T> T assertDoesNotTimeOut(final Future<T> future)
    {
        try
        {
            return future.get(5, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new AssertionError("the other thread could not use the store", ex);
        }
    }
}
