package io.javisor.ringio.xenstore;

/**
 * Receives the events of a watch.
 * <p>
 * Called without the store's lock held, one event at a time in the order the changes happened, on
 * the thread of whichever store caller is delivering at the time. A watcher may call the store
 * again; it should not block, because while it runs no other watcher hears anything.
 */
@FunctionalInterface
public interface XenStoreWatcher
{
    /**
     * @param path  the path that changed (relative when the watch was registered with a relative path)
     *              or, for the event fired at registration, the watched path itself.
     * @param token the token given when the watch was registered.
     */
    void onWatchEvent(String path, String token);
}
