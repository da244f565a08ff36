package io.javisor.ringio.xenstore;

/**
 * Merges what a transaction changed into the live tree at commit: a three-way merge of the tree the
 * transaction started from (base), the transaction's final view, and the live tree now.
 * <p>
 * Stateless; called with the store's lock held. Because nodes are immutable and edits share every
 * untouched subtree, "unchanged" is object identity: the merge walks only where the view differs
 * from the base, so its cost is bounded by the nodes the transaction changed (times their depth),
 * not by the number of edits it made: a node rewritten a million times is merged once, as its final
 * value.
 * <p>
 * The caller has already checked that no node the transaction touched changed in the live tree
 * since the transaction started. What remains for the merge to catch are changes it cannot
 * reconcile that the generations do not reveal (a change below a subtree the transaction removed,
 * both sides changing one node); it reports those as {@link XenStoreError#EAGAIN} too.
 */
final class TransactionMerge
{
    private TransactionMerge()
    {
    }

    /**
     * @param base the root when the transaction started.
     * @param view the root of the transaction's view at commit.
     * @param live the live root at commit.
     * @return the root with the transaction's changes applied on top of the live tree.
     * @throws XenStoreException EAGAIN when the two sides cannot be reconciled.
     */
    static Node merge(final Node base, final Node view, final Node live)
    {
        return mergeNode(base, view, live, XenStorePaths.ROOT);
    }

    private static Node mergeNode(final Node base, final Node view, final Node live, final String path)
    {
        if (view == base)
        {
            return live;
        }
        if (live == base)
        {
            return view;
        }
        if (null == base || null == view || null == live)
        {
            // Created on both sides, or removed on one and changed on the other.
            throw conflict(path);
        }
        final boolean viewChangedOwnState = view.generation() != base.generation();
        final boolean liveChangedOwnState = live.generation() != base.generation();
        if (viewChangedOwnState && liveChangedOwnState)
        {
            throw conflict(path);
        }
        // Invariant: at most one side changed this node's own state (value, permissions, child
        // names); the other side's child names are the base's, so the changed side's names and order
        // are the merged node's. The merged children start as the owning side's; only the children
        // the other side changed need merging, and only those are visited.
        final Node owner = viewChangedOwnState ? view : live;
        final Node other = viewChangedOwnState ? live : view;
        final ChildMap[] children = { owner.childMap() };
        ChildMap.forEachDifference(base.childMap(), other.childMap(), name ->
        {
            // A child the owning side removed must be unchanged on the other side, or the removal
            // would silently discard the other side's change below it.
            if (null == owner.child(name))
            {
                throw conflict(child(path, name));
            }
            final Node merged = mergeNode(base.child(name), view.child(name), live.child(name), child(path, name));
            children[0] = null == merged ? children[0].without(name) : children[0].with(name, merged);
        });
        return Node.of(owner.value(), owner.permissions(), children[0], owner.generation());
    }

    private static String child(final String path, final String name)
    {
        return XenStorePaths.ROOT.equals(path) ? "/" + name : path + "/" + name;
    }

    private static XenStoreException conflict(final String path)
    {
        return new XenStoreException(XenStoreError.EAGAIN, "concurrent change at or below " + path);
    }
}
