package io.javisor.ringio.xenstore;

/**
 * An edit a transaction makes to its view. It is applied and forgotten: the view itself is what
 * commit merges into the live tree ({@link TransactionMerge}), so a transaction's memory does not
 * grow with its number of edits. Immutable.
 */
sealed interface TreeEdit
{
    void applyTo(NodeTree tree, int domid);

    record Write(String path, byte[] value) implements TreeEdit
    {
        @Override
        public void applyTo(final NodeTree tree, final int domid)
        {
            tree.write(domid, path, value);
        }
    }

    record Mkdir(String path) implements TreeEdit
    {
        @Override
        public void applyTo(final NodeTree tree, final int domid)
        {
            tree.mkdir(domid, path);
        }
    }

    record Remove(String path) implements TreeEdit
    {
        @Override
        public void applyTo(final NodeTree tree, final int domid)
        {
            tree.rm(domid, path);
        }
    }

    record SetPermissions(String path, NodePermissions permissions) implements TreeEdit
    {
        @Override
        public void applyTo(final NodeTree tree, final int domid)
        {
            tree.setPermissions(domid, path, permissions);
        }
    }
}
