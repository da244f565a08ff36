package io.javisor.ringio.xenstore;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * A XenStore transaction of one domain: reads see the store as it was when the transaction started
 * plus the transaction's own edits; the edits become visible to others all at once, and fire their
 * watches, at {@link #commit()}.
 * <p>
 * Commit fails with {@link XenStoreError#EAGAIN} when any node the transaction read or wrote (or
 * found missing) was changed by someone else in the meantime; the caller then starts a new
 * transaction and does its work again ({@link XenStore#transact} does this). Either way, commit and
 * abort end the transaction, as does releasing its domain; afterwards every method but
 * {@link #close()} fails with {@link XenStoreError#ENOENT}.
 * <p>
 * A guest's transaction is bounded, as Xen bounds them since XSA-326: it may touch at most
 * {@link XenStoreQuota#maxNodesPerTransaction()} distinct nodes (read or written, found or missing)
 * and make at most {@link XenStoreQuota#maxEditsPerTransaction()} edits; past either, the operation
 * fails with {@link XenStoreError#ENOSPC} and changes nothing, and the transaction stays open with
 * what it did before. Whatever the number of edits, the transaction holds one entry per touched
 * node: rewriting a node keeps only its latest value, and the commit fires at most one watch
 * trigger per changed path. Dom0's transactions are exempt from both limits, as in Xen.
 * <p>
 * Use from one thread at a time; the store's lock guards the state shared with the store. Paths are
 * absolute or relative to the domain's home, as for {@link XenStore}.
 */
public final class Transaction implements AutoCloseable
{
    private final XenStore store;
    private final int domid;
    private final int id;
    // The live tree when the transaction started; commit compares generations against it.
    private final Node baseRoot;
    private final NodeTree view;
    // Integer.MAX_VALUE for dom0, which Xen exempts.
    private final int maxEdits;
    // Guarded by the store's lock. Invariant: editCount <= maxEdits.
    private int editCount;
    // Guarded by the store's lock.
    private boolean open = true;

    Transaction(final XenStore store, final int domid, final int id, final NodeTree view, final int maxEdits)
    {
        this.store = store;
        this.domid = domid;
        this.id = id;
        this.baseRoot = view.root();
        this.view = view;
        this.maxEdits = maxEdits;
    }

    /**
     * @return the transaction id, non-zero as on Xen's wire (0 there means "no transaction").
     */
    public int id()
    {
        return id;
    }

    /**
     * @return the domain the transaction acts as.
     */
    public int domid()
    {
        return domid;
    }

    /**
     * @return how many edits the transaction has made; never more than its edit limit.
     */
    public int editCount()
    {
        return store.underLock(() -> editCount);
    }

    /**
     * @return how many distinct nodes the transaction has touched, read or written, found or
     * missing; never more than its node limit.
     */
    public int touchedNodeCount()
    {
        return store.underLock(view::accessedPathCount);
    }

    /**
     * @return true until the transaction is committed, aborted or dropped by a domain release.
     */
    public boolean isOpen()
    {
        return store.isOpen(this);
    }

    public byte[] read(final String path)
    {
        final String absolute = XenStorePaths.canonicalize(domid, path);
        return run(tree -> tree.read(domid, absolute)).clone();
    }

    public String readString(final String path)
    {
        return new String(read(path), StandardCharsets.UTF_8);
    }

    public List<String> directory(final String path)
    {
        final String absolute = XenStorePaths.canonicalize(domid, path);
        return run(tree -> tree.directory(domid, absolute));
    }

    public NodePermissions getPermissions(final String path)
    {
        final String absolute = XenStorePaths.canonicalize(domid, path);
        return run(tree -> tree.getPermissions(domid, absolute));
    }

    public void write(final String path, final byte[] value)
    {
        edit(new TreeEdit.Write(XenStorePaths.canonicalize(domid, path), value.clone()));
    }

    public void write(final String path, final String value)
    {
        edit(new TreeEdit.Write(XenStorePaths.canonicalize(domid, path), value.getBytes(StandardCharsets.UTF_8)));
    }

    public void mkdir(final String path)
    {
        edit(new TreeEdit.Mkdir(XenStorePaths.canonicalize(domid, path)));
    }

    public void rm(final String path)
    {
        edit(new TreeEdit.Remove(XenStorePaths.canonicalize(domid, path)));
    }

    public void setPermissions(final String path, final NodePermissions permissions)
    {
        edit(new TreeEdit.SetPermissions(XenStorePaths.canonicalize(domid, path), permissions));
    }

    /**
     * Make the edits visible and fire their watches, unless something the transaction depended on
     * changed meanwhile.
     *
     * @throws XenStoreException EAGAIN on a conflict; ENOENT when the transaction had ended; ENOSPC
     *                           when the nodes it creates would take its domain past its node quota
     *                           now that other changes have happened. Nothing is applied when it
     *                           throws.
     */
    public void commit()
    {
        store.commit(this);
    }

    /**
     * Discard the edits.
     *
     * @throws XenStoreException ENOENT when the transaction had ended.
     */
    public void abort()
    {
        store.abort(this);
    }

    /**
     * Abort the transaction if it is still open.
     */
    @Override
    public void close()
    {
        store.abortIfOpen(this);
    }

    @Override
    public String toString()
    {
        return "Transaction{id=" + id + ", domid=" + domid + '}';
    }

    private void edit(final TreeEdit edit)
    {
        run(tree ->
        {
            if (editCount >= maxEdits)
            {
                throw new XenStoreException(XenStoreError.ENOSPC,
                    this + " has made its " + maxEdits + " edits");
            }
            edit.applyTo(tree, domid);
            editCount++;
            return null;
        });
    }

    private <T> T run(final Function<NodeTree, T> operation)
    {
        return store.inTransaction(this, tree ->
        {
            tree.beginOperation();
            return operation.apply(tree);
        });
    }

    // The accessors below are for the store, under its lock.

    NodeTree view()
    {
        return view;
    }

    Node baseRoot()
    {
        return baseRoot;
    }

    boolean openFlag()
    {
        return open;
    }

    void markEnded()
    {
        open = false;
    }
}
