package io.javisor.ringio.xenstore;

/**
 * A registered watch.
 */
final class Watch
{
    private final int domid;
    private final String absolutePath;
    private final boolean relative;
    private final String token;
    private final XenStoreWatcher watcher;
    // Cleared under the store lock by unwatch or release; read by the delivering thread so that no
    // event queued earlier reaches a watcher that has been removed.
    private volatile boolean active = true;

    Watch(
        final int domid,
        final String absolutePath,
        final boolean relative,
        final String token,
        final XenStoreWatcher watcher)
    {
        this.domid = domid;
        this.absolutePath = absolutePath;
        this.relative = relative;
        this.token = token;
        this.watcher = watcher;
    }

    int domid()
    {
        return domid;
    }

    /**
     * @return the watched path: canonical absolute, or a special path.
     */
    String absolutePath()
    {
        return absolutePath;
    }

    String token()
    {
        return token;
    }

    XenStoreWatcher watcher()
    {
        return watcher;
    }

    boolean isActive()
    {
        return active;
    }

    void deactivate()
    {
        active = false;
    }

    /**
     * @param changedAbsolutePath a path that changed.
     * @return the path as this watch's domain should see it, relative when it registered relatively.
     */
    String reportedPath(final String changedAbsolutePath)
    {
        return relative ? XenStorePaths.relativeTo(domid, changedAbsolutePath) : changedAbsolutePath;
    }
}
