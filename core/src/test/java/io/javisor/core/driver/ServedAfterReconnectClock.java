package io.javisor.core.driver;

import io.javisor.ringio.xenstore.XenStore;
import io.javisor.ringio.xenstore.XenStoreException;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The host's clock for a guest that announces, in its device's {@code served-after-reconnect} key, the
 * reconnect count once the first request past that reconnect has completed (pv-disk-restart): a dom0
 * watch on the key notes when each count first appeared.
 * <p>
 * Thread-safe: the store's delivering thread writes a count's time once; test threads read. Times are
 * {@link System#nanoTime()}, 0 while a count has not appeared.
 */
final class ServedAfterReconnectClock implements AutoCloseable
{
    static final String KEY = "served-after-reconnect";
    private static final String TOKEN = "served-clock";

    private final XenStore store;
    private final String path;
    private final AtomicLongArray servedAt;

    /**
     * @param frontendPath the guest device's directory (absolute).
     * @param maxReconnects the highest count noted.
     */
    ServedAfterReconnectClock(final XenStore store, final String frontendPath, final int maxReconnects)
    {
        this.store = store;
        this.path = frontendPath + "/" + KEY;
        this.servedAt = new AtomicLongArray(maxReconnects + 1);
        store.watch(0, path, TOKEN, (changed, token) -> note(System.nanoTime()));
    }

    private void note(final long now)
    {
        final String value;
        try
        {
            value = store.readString(0, path);
        }
        catch (final XenStoreException ex)
        {
            return; // not written yet: the event fired at registration
        }
        final int reconnects = Integer.parseInt(value);
        if (reconnects >= 0 && reconnects < servedAt.length())
        {
            servedAt.compareAndSet(reconnects, 0, now);
        }
    }

    /**
     * @return when the guest announced its first completed request past reconnect {@code reconnects}, 0 if not yet.
     */
    long servedAt(final int reconnects)
    {
        return servedAt.get(reconnects);
    }

    @Override
    public void close()
    {
        store.unwatch(0, path, TOKEN);
    }
}
