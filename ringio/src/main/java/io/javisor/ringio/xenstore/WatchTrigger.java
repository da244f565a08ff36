package io.javisor.ringio.xenstore;

/**
 * A change to the tree that watches may fire for.
 *
 * @param path           the absolute path of the node written, created, re-permissioned or removed.
 * @param removal        true when the node and its whole subtree went away, so that watches below
 *                       the path fire too.
 * @param permissionRoot the tree in which to look up who may see the event: the tree after the change
 *                       for a write, the tree before it for a removal (the removed nodes' permissions
 *                       still decide who may learn of their removal).
 */
record WatchTrigger(String path, boolean removal, Node permissionRoot)
{
}
