package io.javisor.ringio.xenstore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registered watches, indexed by path so that a change finds its watches by walking up from the
 * changed path (and, for a removal, across the range of paths below it) rather than by scanning
 * them all. Not thread-safe: the store's lock guards it.
 */
final class WatchRegistry
{
    private record Key(int domid, String absolutePath, String token)
    {
    }

    // Sorted so that the watches below a path form one contiguous range: [path + "/", path + "0").
    private final TreeMap<String, List<Watch>> watchesByPath = new TreeMap<>();
    private final Map<Key, Watch> watchesByKey = new HashMap<>();
    private final Map<Integer, Integer> watchCountByDomain = new HashMap<>();

    /**
     * @param maxWatches how many watches the domain may have, or {@link Integer#MAX_VALUE}.
     * @return the new watch.
     * @throws XenStoreException EEXIST when the domain has a watch with this path and token already,
     *                           E2BIG when it has {@code maxWatches} watches already.
     */
    Watch add(
        final int domid,
        final String absolutePath,
        final boolean relative,
        final String token,
        final XenStoreWatcher watcher,
        final int maxWatches)
    {
        final Key key = new Key(domid, absolutePath, token);
        if (watchesByKey.containsKey(key))
        {
            throw new XenStoreException(XenStoreError.EEXIST, "watch on " + absolutePath + " with token " + token);
        }
        if (count(domid) >= maxWatches)
        {
            throw new XenStoreException(XenStoreError.E2BIG, "domain " + domid + " has " + maxWatches + " watches");
        }
        final Watch watch = new Watch(domid, absolutePath, relative, token, watcher);
        watchesByKey.put(key, watch);
        watchesByPath.computeIfAbsent(absolutePath, _ -> new ArrayList<>()).add(watch);
        watchCountByDomain.merge(domid, 1, Integer::sum);
        return watch;
    }

    /**
     * @throws XenStoreException ENOENT when the domain has no such watch.
     */
    void remove(final int domid, final String absolutePath, final String token)
    {
        final Watch watch = watchesByKey.get(new Key(domid, absolutePath, token));
        if (null == watch)
        {
            throw new XenStoreException(XenStoreError.ENOENT, "no watch on " + absolutePath + " with token " + token);
        }
        forget(watch);
    }

    void removeDomain(final int domid)
    {
        if (count(domid) == 0)
        {
            return; // the common case for a guest: no walk over every domain's watches
        }
        final List<Watch> owned = new ArrayList<>();
        for (final Watch watch : watchesByKey.values())
        {
            if (watch.domid() == domid)
            {
                owned.add(watch);
            }
        }
        owned.forEach(this::forget);
    }

    int count(final int domid)
    {
        return watchCountByDomain.getOrDefault(domid, 0);
    }

    /**
     * Find the watches a change fires: those on the changed path or above it, and for a removal also
     * those below it (reporting their own path, since that node went too). A watch hears of a change
     * only when its domain may read the reported path.
     */
    void collect(final WatchTrigger trigger, final List<WatchEvent> events)
    {
        final String changed = trigger.path();
        NodePermissions changedPermissions = null;
        String path = changed;
        while (true)
        {
            final List<Watch> watches = watchesByPath.get(path);
            if (null != watches)
            {
                if (null == changedPermissions)
                {
                    changedPermissions = NodeTree.effectivePermissions(trigger.permissionRoot(), changed);
                }
                addReadable(watches, changed, changedPermissions, events);
            }
            if (XenStorePaths.ROOT.equals(path))
            {
                break;
            }
            path = XenStorePaths.parent(path);
        }
        if (trigger.removal())
        {
            for (final List<Watch> below : watchesByPath.subMap(changed + "/", true, changed + "0", false).values())
            {
                final String watchedPath = below.getFirst().absolutePath();
                addReadable(below, watchedPath,
                    NodeTree.effectivePermissions(trigger.permissionRoot(), watchedPath), events);
            }
        }
    }

    /**
     * Find the watches on a special path whose domain the special node's permissions let read it.
     */
    void collectSpecial(final String specialPath, final NodePermissions permissions, final List<WatchEvent> events)
    {
        final List<Watch> watches = watchesByPath.get(specialPath);
        if (null != watches)
        {
            for (final Watch watch : watches)
            {
                if (permissions.accessFor(watch.domid()).canRead())
                {
                    events.add(new WatchEvent(watch, specialPath));
                }
            }
        }
    }

    private static void addReadable(
        final List<Watch> watches, final String reportedPath, final NodePermissions permissions, final List<WatchEvent> events)
    {
        for (final Watch watch : watches)
        {
            if (permissions.accessFor(watch.domid()).canRead())
            {
                events.add(new WatchEvent(watch, watch.reportedPath(reportedPath)));
            }
        }
    }

    private void forget(final Watch watch)
    {
        watch.deactivate();
        watchesByKey.remove(new Key(watch.domid(), watch.absolutePath(), watch.token()));
        final List<Watch> samePath = watchesByPath.get(watch.absolutePath());
        samePath.remove(watch);
        if (samePath.isEmpty())
        {
            watchesByPath.remove(watch.absolutePath());
        }
        watchCountByDomain.merge(watch.domid(), -1, (a, b) -> a + b == 0 ? null : a + b);
    }
}
