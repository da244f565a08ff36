package io.javisor.ringio.xenstore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

import static io.javisor.ringio.xenstore.XenDomainIds.isPrivileged;

/**
 * A version of the tree being edited, with the count of nodes each domain owns: the live store, a
 * transaction's private view, or the copy a commit replays onto. It applies Xen's rules for
 * permissions, inheritance and quotas.
 * <p>
 * Not thread-safe: the store's lock guards it. Every edit checks everything before it changes
 * anything, so an edit that throws leaves the tree as it was.
 * <p>
 * A transaction's view is bounded: it remembers each distinct path it touched once (at most
 * {@code maxAccessedPaths} of them), each changed path once with whether it was removed, and a net
 * owned-node count per domain; rewriting one node many times grows none of these.
 */
final class NodeTree
{
    private final XenStoreQuota quota;
    private final LongSupplier generations;
    // Paths whose state this view's reader depended on; null unless this is a transaction's view.
    // Invariant: its size never exceeds maxAccessedPaths.
    private final Set<String> accessedPaths;
    private final int maxAccessedPaths;
    // The paths first touched by the operation in progress, forgotten again if it runs out of quota.
    private final List<String> accessedByOperation;
    // Changes that may fire watches; null for a transaction's view, which fires nothing until commit.
    private final List<WatchTrigger> triggers;
    // A transaction view's changed paths, each once, in the order first changed, mapped to whether it
    // was removed at some point; null for the live tree. Invariant: its keys are accessed paths.
    private final LinkedHashMap<String, Boolean> changedPaths;
    // A transaction view's net change to each domain's owned-node count; null for the live tree.
    private final HashMap<Integer, Integer> ownedNodeDeltas;
    private Node root;
    // The live tree's count of nodes each domain owns: written by the live tree only; a transaction's
    // view reads it (under the store's lock, as every view operation runs) and adds its own deltas,
    // rather than copying a map with an entry per domain at every transaction's start.
    private final HashMap<Integer, Integer> ownedNodeCounts;
    // The live tree's count of nodes whose grants name each domain; a view keeps deltas, as for
    // owned nodes. With the owned-node count it tells whether anything outside a departed domain's
    // home still mentions it, so that forgetting it walks the tree only when something does.
    private final HashMap<Integer, Integer> grantCounts;
    // A transaction view's net change to each domain's grant count; null for the live tree.
    private final HashMap<Integer, Integer> grantDeltas;

    private NodeTree(
        final XenStoreQuota quota,
        final LongSupplier generations,
        final boolean transactionView,
        final int maxAccessedPaths,
        final Node root,
        final HashMap<Integer, Integer> ownedNodeCounts,
        final HashMap<Integer, Integer> grantCounts)
    {
        this.quota = quota;
        this.generations = generations;
        this.accessedPaths = transactionView ? new HashSet<>() : null;
        this.maxAccessedPaths = maxAccessedPaths;
        this.accessedByOperation = transactionView ? new ArrayList<>() : null;
        this.triggers = transactionView ? null : new ArrayList<>();
        this.changedPaths = transactionView ? new LinkedHashMap<>() : null;
        this.ownedNodeDeltas = transactionView ? new HashMap<>() : null;
        this.root = root;
        this.ownedNodeCounts = ownedNodeCounts;
        this.grantCounts = grantCounts;
        this.grantDeltas = transactionView ? new HashMap<>() : null;
    }

    /**
     * @return a tree holding {@code /local/domain}, owned by dom0 and closed to everybody else.
     */
    static NodeTree initial(final XenStoreQuota quota, final LongSupplier generations)
    {
        final NodePermissions dom0Only = NodePermissions.of(XenDomainIds.DOM0, XenStoreAccess.NONE);
        final long generation = generations.getAsLong();
        final Node domain = Node.leaf(Node.EMPTY_VALUE, dom0Only, generation);
        final Node local = Node.leaf(Node.EMPTY_VALUE, dom0Only, generation).withChildAdded("domain", domain, generation);
        final Node root = Node.leaf(Node.EMPTY_VALUE, dom0Only, generation).withChildAdded("local", local, generation);
        final HashMap<Integer, Integer> counts = new HashMap<>();
        counts.put(XenDomainIds.DOM0, 3);
        return new NodeTree(quota, generations, false, Integer.MAX_VALUE, root, counts, new HashMap<>());
    }

    /**
     * @param maxAccessedPaths how many distinct paths the view may touch; {@link Integer#MAX_VALUE}
     *                         for no limit.
     * @return a private view for a transaction, starting from this tree's current state and
     * recording which paths it looks at.
     */
    NodeTree transactionView(final int maxAccessedPaths)
    {
        return new NodeTree(quota, generations, true, maxAccessedPaths, root, ownedNodeCounts, grantCounts);
    }

    /**
     * Merge a transaction's view into this live tree, as one change: one watch trigger per path
     * the transaction changed, whatever the number of edits it made to it.
     *
     * @param view     the transaction's view.
     * @param baseRoot this tree's root when the transaction started.
     * @param domid    the domain the transaction acts as.
     * @throws XenStoreException EAGAIN when the change cannot be merged with what happened since;
     *                           ENOSPC when the domain would own more nodes than its quota now that
     *                           other changes have happened. Nothing changes when it throws.
     */
    void commitTransaction(final NodeTree view, final Node baseRoot, final int domid)
    {
        if (view.changedPaths.isEmpty())
        {
            return;
        }
        final Node merged = TransactionMerge.merge(baseRoot, view.root, root);
        final int added = view.ownedNodeDeltas.getOrDefault(domid, 0);
        if (!isPrivileged(domid) && added > 0 && ownedNodeCount(domid) + added > quota.maxNodesPerDomain())
        {
            throw new XenStoreException(XenStoreError.ENOSPC,
                "domain " + domid + " would own more than " + quota.maxNodesPerDomain() + " nodes");
        }
        final Node before = root;
        root = merged;
        view.ownedNodeDeltas.forEach(this::addOwnedNodes);
        view.grantDeltas.forEach(this::addGrantCount);
        // A removal is seen in the tree before the commit, where the removed nodes' permissions
        // still decide who may hear of it; anything else in the merged tree.
        view.changedPaths.forEach((path, removal) -> triggers.add(new WatchTrigger(path, removal, removal ? before : merged)));
    }

    /**
     * Start an operation on a transaction's view: a path it touches counts towards the view's limit
     * only if the operation gets past the limit check.
     */
    void beginOperation()
    {
        accessedByOperation.clear();
    }

    /**
     * @return how many distinct paths this transaction view has touched.
     */
    int accessedPathCount()
    {
        return accessedPaths.size();
    }

    Node root()
    {
        return root;
    }

    Set<String> accessedPaths()
    {
        return accessedPaths;
    }

    /**
     * @return the watch triggers collected since the last call, in the order the changes happened.
     */
    List<WatchTrigger> takeTriggers()
    {
        final List<WatchTrigger> taken = new ArrayList<>(triggers);
        triggers.clear();
        return taken;
    }

    int ownedNodeCount(final int domid)
    {
        final int live = ownedNodeCounts.getOrDefault(domid, 0);
        return null == ownedNodeDeltas ? live : live + ownedNodeDeltas.getOrDefault(domid, 0);
    }

    byte[] read(final int domid, final String path)
    {
        return readableNode(domid, path).value();
    }

    List<String> directory(final int domid, final String path)
    {
        return readableNode(domid, path).childNames();
    }

    NodePermissions getPermissions(final int domid, final String path)
    {
        return readableNode(domid, path).permissions();
    }

    void write(final int domid, final String path, final byte[] value)
    {
        touch(path);
        final Node existing = find(root, path);
        if (null == existing)
        {
            create(domid, path, value);
            return;
        }
        requireWrite(domid, existing, path);
        requireValueWithinQuota(domid, value);
        final Node updated = existing.withValue(Node.canonicalValue(value), generations.getAsLong());
        final String[] components = XenStorePaths.components(path);
        final Node newRoot = rebuild(root, components, components.length, _ -> updated);
        commitEdit(newRoot, new WatchTrigger(path, false, newRoot));
    }

    /**
     * Create a node with an empty value, and any missing parents; a node that exists already is left
     * as it is, provided the caller may write it.
     */
    void mkdir(final int domid, final String path)
    {
        touch(path);
        final Node existing = find(root, path);
        if (null == existing)
        {
            create(domid, path, Node.EMPTY_VALUE);
            return;
        }
        requireWrite(domid, existing, path);
    }

    /**
     * Remove a node and everything below it. Removing a node that is not there succeeds when its
     * parent exists and the caller may read the parent, as in Xen, so that removal is idempotent.
     */
    void rm(final int domid, final String path)
    {
        if (XenStorePaths.ROOT.equals(path))
        {
            throw new XenStoreException(XenStoreError.EINVAL, "the root cannot be removed");
        }
        touch(path);
        final String parentPath = XenStorePaths.parent(path);
        touch(parentPath);
        final Node node = find(root, path);
        if (null == node)
        {
            readableNode(domid, parentPath);
            return;
        }
        requireWrite(domid, node, path);

        final String[] components = XenStorePaths.components(path);
        final String name = components[components.length - 1];
        final long generation = generations.getAsLong();
        final Node newRoot = rebuild(root, components, components.length - 1,
            parent -> parent.withChildRemoved(name, generation));

        final Node before = root;
        final Map<Integer, Integer> removedPerOwner = new HashMap<>();
        final Map<Integer, Integer> removedPerGrantee = new HashMap<>();
        countMentions(node, removedPerOwner, removedPerGrantee);
        removedPerOwner.forEach((owner, count) -> addOwnedNodes(owner, -count));
        removedPerGrantee.forEach((grantee, count) -> addGrantCount(grantee, -count));
        commitEdit(newRoot, new WatchTrigger(path, true, before));
    }

    /**
     * Replace a node's permissions. Only the owner (or dom0) may; a guest may not give a node away,
     * nor put more entries in its list than the quota allows.
     */
    void setPermissions(final int domid, final String path, final NodePermissions permissions)
    {
        touch(path);
        final Node node = existingNode(domid, path);
        final NodePermissions current = node.permissions();
        if (!isPrivileged(domid))
        {
            if (current.owner() != domid)
            {
                throw new XenStoreException(XenStoreError.EACCES,
                    "domain " + domid + " does not own " + path);
            }
            if (permissions.owner() != current.owner())
            {
                throw new XenStoreException(XenStoreError.EPERM,
                    "domain " + domid + " may not give " + path + " to domain " + permissions.owner());
            }
            if (permissions.entryCount() > quota.maxPermissionsPerNode())
            {
                throw new XenStoreException(XenStoreError.ENOSPC,
                    "more than " + quota.maxPermissionsPerNode() + " permission entries");
            }
        }
        final Node updated = node.withPermissions(permissions, generations.getAsLong());
        final String[] components = XenStorePaths.components(path);
        final Node newRoot = rebuild(root, components, components.length, _ -> updated);
        addOwnedNodes(current.owner(), -1);
        addOwnedNodes(permissions.owner(), 1);
        addGrants(current, -1);
        addGrants(permissions, 1);
        commitEdit(newRoot, new WatchTrigger(path, false, newRoot));
    }

    /**
     * Erase a departed domain from every permission list: what it owned passes to dom0, its grants
     * go. Fires no watches, as xenstored does not.
     */
    void forgetDomain(final int domid)
    {
        if (ownedNodeCount(domid) > 0 || grantCounts.getOrDefault(domid, 0) > 0)
        {
            root = withoutDomain(root, domid, generations.getAsLong());
        }
        grantCounts.remove(domid);
        final Integer owned = ownedNodeCounts.remove(domid);
        if (null != owned)
        {
            addOwnedNodes(XenDomainIds.DOM0, owned);
        }
    }

    /**
     * @return the node at an absolute path in the given tree, or null.
     */
    static Node find(final Node root, final String path)
    {
        // Component by component, without making a string of each: every operation starts here.
        Node node = root;
        for (int start = 1, length = path.length(); start < length && null != node; )
        {
            final int slash = path.indexOf('/', start);
            final int end = slash < 0 ? length : slash;
            node = node.child(path, start, end);
            start = end + 1;
        }
        return node;
    }

    /**
     * @return the generation of the node at the path in the given tree, {@link Node#ABSENT_GENERATION}
     * when there is none.
     */
    static long generationOf(final Node root, final String path)
    {
        final Node node = find(root, path);
        return null == node ? Node.ABSENT_GENERATION : node.generation();
    }

    /**
     * @return the permissions that decide who may see the path in the given tree: the node's own, or
     * when it does not exist, those of its nearest existing ancestor.
     */
    static NodePermissions effectivePermissions(final Node root, final String path)
    {
        Node node = root;
        for (int start = 1, length = path.length(); start < length; )
        {
            final int slash = path.indexOf('/', start);
            final int end = slash < 0 ? length : slash;
            final Node child = node.child(path, start, end);
            if (null == child)
            {
                break;
            }
            node = child;
            start = end + 1;
        }
        return node.permissions();
    }

    private void create(final int domid, final String path, final byte[] value)
    {
        final String[] components = XenStorePaths.components(path);
        Node ancestor = root;
        int depth = 0;
        while (depth < components.length)
        {
            final Node next = ancestor.child(components[depth]);
            if (null == next)
            {
                break;
            }
            ancestor = next;
            depth++;
        }
        final String ancestorPath = join(components, depth);
        touch(ancestorPath);
        requireWrite(domid, ancestor, ancestorPath);
        requireValueWithinQuota(domid, value);

        // New nodes inherit their parent's permissions, but what a guest creates it owns (as in
        // xenstored), so that the node counts against the guest's quota and the guest controls it.
        final NodePermissions inherited = isPrivileged(domid) ?
            ancestor.permissions() : ancestor.permissions().withOwner(domid);
        final int created = components.length - depth;
        if (!isPrivileged(domid) && ownedNodeCount(domid) + created > quota.maxNodesPerDomain())
        {
            throw new XenStoreException(XenStoreError.ENOSPC,
                "domain " + domid + " would own more than " + quota.maxNodesPerDomain() + " nodes");
        }

        final long generation = generations.getAsLong();
        // Names are kept interned: the same few dozen names recur under every domain and device.
        Node chain = Node.leaf(Node.canonicalValue(value), inherited, generation);
        for (int i = components.length - 1; i > depth; i--)
        {
            chain = Node.leaf(Node.EMPTY_VALUE, inherited, generation).withChildAdded(components[i].intern(), chain, generation);
            if (null != accessedPaths)
            {
                touch(join(components, i)); // only a transaction's view records paths
            }
        }
        final Node top = chain;
        final String topName = components[depth].intern();
        final Node newRoot = rebuild(root, components, depth,
            parent -> parent.withChildAdded(topName, top, generation));
        addOwnedNodes(inherited.owner(), created);
        addGrants(inherited, created);
        commitEdit(newRoot, new WatchTrigger(path, false, newRoot));
    }

    private void commitEdit(final Node newRoot, final WatchTrigger trigger)
    {
        root = newRoot;
        if (null != triggers)
        {
            triggers.add(trigger);
        }
        if (null != changedPaths)
        {
            changedPaths.merge(trigger.path(), trigger.removal(), Boolean::logicalOr);
        }
    }

    private Node readableNode(final int domid, final String path)
    {
        touch(path);
        final Node node = existingNode(domid, path);
        if (!node.permissions().accessFor(domid).canRead())
        {
            throw new XenStoreException(XenStoreError.EACCES, "domain " + domid + " may not read " + path);
        }
        return node;
    }

    /**
     * @return the node at the path.
     * @throws XenStoreException ENOENT when it does not exist, or EACCES when it does not exist and
     *                           the caller may not read its nearest existing ancestor: a guest must not
     *                           learn what exists in a subtree closed to it.
     */
    private Node existingNode(final int domid, final String path)
    {
        final Node node = find(root, path);
        if (null != node)
        {
            return node;
        }
        if (!effectivePermissions(root, path).accessFor(domid).canRead())
        {
            throw new XenStoreException(XenStoreError.EACCES, "domain " + domid + " may not read " + path);
        }
        throw new XenStoreException(XenStoreError.ENOENT, path);
    }

    private void requireWrite(final int domid, final Node node, final String path)
    {
        if (!node.permissions().accessFor(domid).canWrite())
        {
            throw new XenStoreException(XenStoreError.EACCES, "domain " + domid + " may not write " + path);
        }
    }

    private void requireValueWithinQuota(final int domid, final byte[] value)
    {
        if (!isPrivileged(domid) && value.length > quota.maxValueSize())
        {
            throw new XenStoreException(XenStoreError.E2BIG,
                "value of " + value.length + " bytes exceeds " + quota.maxValueSize());
        }
    }

    private void touch(final String path)
    {
        if (null != accessedPaths && accessedPaths.add(path))
        {
            if (accessedPaths.size() > maxAccessedPaths)
            {
                // The operation fails before it has changed anything, so what it touched so far
                // was never observed by the transaction: forget it, keeping the set within bounds.
                accessedPaths.remove(path);
                accessedByOperation.forEach(accessedPaths::remove);
                accessedByOperation.clear();
                throw new XenStoreException(XenStoreError.ENOSPC,
                    "transaction would touch more than " + maxAccessedPaths + " nodes");
            }
            accessedByOperation.add(path);
        }
    }

    private void addOwnedNodes(final int domid, final int delta)
    {
        if (0 == delta)
        {
            return;
        }
        if (null == ownedNodeDeltas)
        {
            ownedNodeCounts.merge(domid, delta, (a, b) -> a + b == 0 ? null : a + b);
        }
        else
        {
            ownedNodeDeltas.merge(domid, delta, (a, b) -> a + b == 0 ? null : a + b);
        }
    }

    /**
     * Rebuild the path from {@code node} down to depth {@code targetDepth}, applying {@code change} to
     * the node found there; the nodes above it get the new version as a child.
     */
    private static Node rebuild(
        final Node node, final String[] components, final int targetDepth, final UnaryOperator<Node> change)
    {
        return rebuild(node, components, 0, targetDepth, change);
    }

    private static Node rebuild(
        final Node node,
        final String[] components,
        final int depth,
        final int targetDepth,
        final UnaryOperator<Node> change)
    {
        if (depth == targetDepth)
        {
            return change.apply(node);
        }
        final String name = components[depth];
        return node.withChildReplaced(name, rebuild(node.child(name), components, depth + 1, targetDepth, change));
    }

    private static Node withoutDomain(final Node node, final int domid, final long generation)
    {
        final NodePermissions permissions = node.permissions().withoutDomain(domid);
        Node result = permissions == node.permissions() ? node : node.withPermissions(permissions, generation);
        for (final String name : node.childNames())
        {
            final Node child = node.child(name);
            final Node newChild = withoutDomain(child, domid, generation);
            if (newChild != child)
            {
                result = result.withChildReplaced(name, newChild);
            }
        }
        return result;
    }

    private static void countMentions(final Node node, final Map<Integer, Integer> owners, final Map<Integer, Integer> grantees)
    {
        owners.merge(node.permissions().owner(), 1, Integer::sum);
        for (final NodePermissions.Grant grant : node.permissions().grants())
        {
            grantees.merge(grant.domid(), 1, Integer::sum);
        }
        for (final Node child : node.children())
        {
            countMentions(child, owners, grantees);
        }
    }

    /** Counts {@code nodes} nodes carrying {@code permissions} in (or, negative, out of) the grant counts. */
    private void addGrants(final NodePermissions permissions, final int nodes)
    {
        for (final NodePermissions.Grant grant : permissions.grants())
        {
            addGrantCount(grant.domid(), nodes);
        }
    }

    private void addGrantCount(final int domid, final int delta)
    {
        if (0 == delta)
        {
            return;
        }
        final HashMap<Integer, Integer> counts = null == grantDeltas ? grantCounts : grantDeltas;
        counts.merge(domid, delta, (a, b) -> a + b == 0 ? null : a + b);
    }

    private static String join(final String[] components, final int count)
    {
        if (count == 0)
        {
            return XenStorePaths.ROOT;
        }
        final StringBuilder builder = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            builder.append('/').append(components[i]);
        }
        return builder.toString();
    }
}
