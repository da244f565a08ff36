package io.javisor.ringio.xenstore;

import java.util.List;
import java.util.function.Function;

/**
 * One domain's connection to the {@link XenStore}: every operation is made as that domain, which is
 * fixed when the connection is made and is never an argument. This is what a guest receives; only
 * the holder of the store itself (the hypervisor, dom0's toolstack) can act as another domain, by
 * asking the store for that domain's connection with {@link XenStore#connect(int)}.
 * <p>
 * Thread-safe: a stateless view; the store serialises the operations.
 */
public final class XenStoreConnection
{
    private final XenStore store;
    private final int domid;

    XenStoreConnection(final XenStore store, final int domid)
    {
        this.store = store;
        this.domid = XenDomainIds.requireValid(domid);
    }

    /**
     * @return the domain every operation on this connection is made as.
     */
    public int domid()
    {
        return domid;
    }

    /** See {@link XenStore#read(int, String)}. */
    public byte[] read(final String path)
    {
        return store.read(domid, path);
    }

    /** See {@link XenStore#readString(int, String)}. */
    public String readString(final String path)
    {
        return store.readString(domid, path);
    }

    /** See {@link XenStore#write(int, String, byte[])}. */
    public void write(final String path, final byte[] value)
    {
        store.write(domid, path, value);
    }

    /** See {@link XenStore#write(int, String, String)}. */
    public void write(final String path, final String value)
    {
        store.write(domid, path, value);
    }

    /** See {@link XenStore#mkdir(int, String)}. */
    public void mkdir(final String path)
    {
        store.mkdir(domid, path);
    }

    /** See {@link XenStore#rm(int, String)}. */
    public void rm(final String path)
    {
        store.rm(domid, path);
    }

    /** See {@link XenStore#directory(int, String)}. */
    public List<String> directory(final String path)
    {
        return store.directory(domid, path);
    }

    /** See {@link XenStore#getPermissions(int, String)}. */
    public NodePermissions getPermissions(final String path)
    {
        return store.getPermissions(domid, path);
    }

    /** See {@link XenStore#setPermissions(int, String, NodePermissions)}. */
    public void setPermissions(final String path, final NodePermissions permissions)
    {
        store.setPermissions(domid, path, permissions);
    }

    /** See {@link XenStore#watch(int, String, String, XenStoreWatcher)}. */
    public void watch(final String path, final String token, final XenStoreWatcher watcher)
    {
        store.watch(domid, path, token, watcher);
    }

    /** See {@link XenStore#unwatch(int, String, String)}. */
    public void unwatch(final String path, final String token)
    {
        store.unwatch(domid, path, token);
    }

    /** See {@link XenStore#startTransaction(int)}. */
    public Transaction startTransaction()
    {
        return store.startTransaction(domid);
    }

    /** See {@link XenStore#transaction(int, int)}: only this domain's own transactions are found. */
    public Transaction transaction(final int transactionId)
    {
        return store.transaction(domid, transactionId);
    }

    /** See {@link XenStore#transact(int, Function)}. */
    public <T> T transact(final Function<Transaction, T> work)
    {
        return store.transact(domid, work);
    }

    XenStore store()
    {
        return store;
    }

    @Override
    public String toString()
    {
        return "XenStoreConnection{domid=" + domid + '}';
    }
}
