package io.javisor.ringio.xenstore;

/**
 * An edit a transaction made, kept so that commit can replay it onto the live tree. Replay gives
 * the same result the transaction saw because commit first checks that none of the nodes the
 * transaction looked at has changed since it started.
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
