package io.javisor.ringio.xenstore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

import org.agrona.ErrorHandler;

import static io.javisor.ringio.xenstore.XenDomainIds.isPrivileged;

/**
 * An in-process XenStore: the hierarchical control-plane database through which Xen's domains and
 * their split drivers find each other.
 * <p>
 * Every operation is made as a domain: the caller passes its domain id and the store enforces Xen's
 * rules for that domain: node permissions ({@link NodePermissions}), quotas ({@link XenStoreQuota}),
 * path syntax ({@link XenStorePaths}). Dom0 ({@link XenDomainIds#DOM0}) may do anything and has no
 * quota but the bound on its queued watch events ({@link XenStoreQuota}). Any other domain must have been {@link #introduceDomain introduced}; until then, and after it
 * is released, its operations fail with {@link XenStoreError#EPERM}. Failures throw
 * {@link XenStoreException} carrying Xen's error name.
 * <p>
 * Watches fire once when registered, then for each write, mkdir, permission change or removal at or
 * below the watched path, and for a removal of any ancestor of it. Their events are delivered after
 * the operation that caused them, outside the store's lock, in order ({@link XenStoreWatcher}).
 * <p>
 * Thread-safe: one lock serialises all operations. Values are byte strings; the String methods
 * encode and decode UTF-8.
 */
public final class XenStore
{
    /** How many times {@link #transact} tries before it gives up on conflicts. */
    public static final int MAX_TRANSACTION_ATTEMPTS = 32;

    private final ReentrantLock lock = new ReentrantLock();
    private final XenStoreQuota quota;
    private final NodeTree tree;
    private final WatchRegistry watches = new WatchRegistry();
    private final WatchEventDispatcher dispatcher;
    private final Map<String, NodePermissions> specialPathPermissions = new HashMap<>();
    private final Map<Integer, Transaction> transactionsById = new HashMap<>();
    private final Map<Integer, Integer> openTransactionCountByDomain = new HashMap<>();
    // Changed under the lock, which is also held wherever an operation checks its caller, so that
    // nothing a domain does lands after its release; concurrent for the lock-free isIntroduced query.
    private final Set<Integer> introducedDomains = ConcurrentHashMap.newKeySet();
    private long lastGeneration;
    private int lastTransactionId;

    /**
     * A store with Xen's default quotas, reporting exceptions thrown by watchers on standard error.
     */
    public XenStore()
    {
        this(XenStoreQuota.DEFAULT);
    }

    public XenStore(final XenStoreQuota quota)
    {
        this(quota, error -> io.javisor.memory.log.HostLog.log("xenstore", "watcher failed", error));
    }

    /**
     * @param quota               the per-domain limits.
     * @param watcherErrorHandler told of anything a watcher throws; delivery then goes on.
     */
    public XenStore(final XenStoreQuota quota, final ErrorHandler watcherErrorHandler)
    {
        this.quota = quota;
        this.dispatcher = new WatchEventDispatcher(watcherErrorHandler, quota.maxQueuedWatchEventsPerDomain());
        this.tree = NodeTree.initial(quota, this::nextGeneration);
        // The special watch paths are dom0's alone until dom0 grants others access to them.
        final NodePermissions dom0Only = NodePermissions.of(XenDomainIds.DOM0, XenStoreAccess.NONE);
        specialPathPermissions.put(XenStorePaths.INTRODUCE_DOMAIN, dom0Only);
        specialPathPermissions.put(XenStorePaths.RELEASE_DOMAIN, dom0Only);
    }

    public XenStoreQuota quota()
    {
        return quota;
    }

    /**
     * A connection through which {@code domid} uses the store as itself and only as itself: what a
     * guest is given. Whoever holds this store is trusted to hand each domain its own connection.
     */
    public XenStoreConnection connect(final int domid)
    {
        return new XenStoreConnection(this, domid);
    }

    /**
     * @return the value of a node.
     * @throws XenStoreException ENOENT when there is no such node; EACCES when the domain may not read
     *                           it (or, when it is missing, may not read its nearest ancestor).
     */
    public byte[] read(final int domid, final String path)
    {
        final String absolute = resolve(domid, path);
        return lockedAs(domid, () -> tree.read(domid, absolute)).clone();
    }

    /**
     * @return the value of a node, decoded as UTF-8.
     */
    public String readString(final int domid, final String path)
    {
        return new String(read(domid, path), StandardCharsets.UTF_8);
    }

    /**
     * Set the value of a node, creating it and any missing parents. A new node takes its parent's
     * permissions, but with the writer as owner when the writer is not dom0.
     *
     * @throws XenStoreException EACCES when the domain may not write the node (or, to create it, its
     *                           nearest existing ancestor); E2BIG or ENOSPC for a quota.
     */
    public void write(final int domid, final String path, final byte[] value)
    {
        final String absolute = resolve(domid, path);
        final byte[] copy = value.clone();
        editAs(domid, () -> tree.write(domid, absolute, copy));
    }

    public void write(final int domid, final String path, final String value)
    {
        final String absolute = resolve(domid, path);
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        editAs(domid, () -> tree.write(domid, absolute, bytes));
    }

    /**
     * Create a node with an empty value, and any missing parents; an existing node is left alone.
     */
    public void mkdir(final int domid, final String path)
    {
        final String absolute = resolve(domid, path);
        editAs(domid, () -> tree.mkdir(domid, absolute));
    }

    /**
     * Remove a node and its whole subtree. A missing node whose parent exists (and is readable) is
     * already removed, so that succeeds too.
     *
     * @throws XenStoreException EACCES when the domain may not write the node; EINVAL for the root.
     */
    public void rm(final int domid, final String path)
    {
        final String absolute = resolve(domid, path);
        editAs(domid, () -> tree.rm(domid, absolute));
    }

    /**
     * @return the names of a node's children, in the order they were created.
     */
    public List<String> directory(final int domid, final String path)
    {
        final String absolute = resolve(domid, path);
        return lockedAs(domid, () -> tree.directory(domid, absolute));
    }

    /**
     * @param path a node path, or one of the special watch paths.
     * @return the node's permissions.
     */
    public NodePermissions getPermissions(final int domid, final String path)
    {
        XenDomainIds.requireValid(domid);
        if (XenStorePaths.isSpecial(path))
        {
            return lockedAs(domid, () -> specialPermissions(domid, path, false));
        }
        final String absolute = XenStorePaths.canonicalize(domid, path);
        return lockedAs(domid, () -> tree.getPermissions(domid, absolute));
    }

    /**
     * Replace a node's permissions. Only its owner or dom0 may; only dom0 may change the owner. For a
     * special watch path, only dom0 may, and the permissions decide which domains hear its events.
     */
    public void setPermissions(final int domid, final String path, final NodePermissions permissions)
    {
        XenDomainIds.requireValid(domid);
        if (XenStorePaths.isSpecial(path))
        {
            lockedAs(domid, () ->
            {
                specialPermissions(domid, path, true);
                specialPathPermissions.put(path, permissions);
                return null;
            });
            return;
        }
        final String absolute = XenStorePaths.canonicalize(domid, path);
        editAs(domid, () -> tree.setPermissions(domid, absolute, permissions));
    }

    /**
     * Register a watch. It fires at once with the watched path as given, then for every change it
     * covers that the domain may read.
     *
     * @param path    a node path, which need not exist, or {@link XenStorePaths#INTRODUCE_DOMAIN} or
     *                {@link XenStorePaths#RELEASE_DOMAIN}.
     * @param token   any string without NUL; passed back with every event.
     * @param watcher receives the events.
     * @throws XenStoreException EEXIST when the domain watches this path with this token already; E2BIG
     *                           when it has its quota of watches.
     */
    public void watch(final int domid, final String path, final String token, final XenStoreWatcher watcher)
    {
        XenDomainIds.requireValid(domid);
        final String absolute = XenStorePaths.canonicalizeWatchPath(domid, path);
        requireValidToken(token);
        if (null == watcher)
        {
            throw new XenStoreException(XenStoreError.EINVAL, "no watcher");
        }
        final boolean relative = !XenStorePaths.isSpecial(path) && path.charAt(0) != '/';
        final int maxWatches = isPrivileged(domid) ? Integer.MAX_VALUE : quota.maxWatchesPerDomain();
        lock.lock();
        try
        {
            requireIntroduced(domid);
            final Watch watch = watches.add(domid, absolute, relative, token, watcher, maxWatches);
            dispatcher.enqueue(new WatchEvent(watch, path));
        }
        finally
        {
            lock.unlock();
        }
        dispatcher.deliver();
    }

    /**
     * Remove a watch. Once this returns, the watcher hears nothing more from it, unless another thread
     * is delivering one of its events at that moment.
     *
     * @throws XenStoreException ENOENT when the domain has no watch with this path and token.
     */
    public void unwatch(final int domid, final String path, final String token)
    {
        XenDomainIds.requireValid(domid);
        final String absolute = XenStorePaths.canonicalizeWatchPath(domid, path);
        lockedAs(domid, () ->
        {
            watches.remove(domid, absolute, token);
            return null;
        });
    }

    /**
     * Start a transaction.
     *
     * @throws XenStoreException ENOSPC when the domain has its quota of open transactions.
     */
    public Transaction startTransaction(final int domid)
    {
        XenDomainIds.requireValid(domid);
        return lockedAs(domid, () ->
        {
            final int open = openTransactionCountByDomain.getOrDefault(domid, 0);
            if (!isPrivileged(domid) && open >= quota.maxTransactionsPerDomain())
            {
                throw new XenStoreException(XenStoreError.ENOSPC,
                    "domain " + domid + " has " + open + " open transactions");
            }
            final boolean exempt = isPrivileged(domid);
            final Transaction transaction = new Transaction(this, domid, nextTransactionId(),
                tree.transactionView(exempt ? Integer.MAX_VALUE : quota.maxNodesPerTransaction()),
                exempt ? Integer.MAX_VALUE : quota.maxEditsPerTransaction());
            transactionsById.put(transaction.id(), transaction);
            openTransactionCountByDomain.merge(domid, 1, Integer::sum);
            return transaction;
        });
    }

    /**
     * Find an open transaction by id, as a wire-protocol server must.
     *
     * @throws XenStoreException ENOENT when the domain has no open transaction with that id.
     */
    public Transaction transaction(final int domid, final int transactionId)
    {
        return locked(() ->
        {
            final Transaction transaction = transactionsById.get(transactionId);
            if (null == transaction || transaction.domid() != domid)
            {
                throw new XenStoreException(XenStoreError.ENOENT, "no transaction " + transactionId);
            }
            return transaction;
        });
    }

    /**
     * Run {@code work} in a transaction and commit it, starting over on a conflict, at most
     * {@link #MAX_TRANSACTION_ATTEMPTS} times. {@code work} must not commit or abort the transaction
     * itself, and since it may run more than once it should have no effects outside the transaction.
     *
     * @return what the successful run of {@code work} returned.
     * @throws XenStoreException EAGAIN when every attempt conflicted; any other error at once.
     */
    public <T> T transact(final int domid, final Function<Transaction, T> work)
    {
        for (int attempt = 1; ; attempt++)
        {
            try (Transaction transaction = startTransaction(domid))
            {
                final T result = work.apply(transaction);
                transaction.commit();
                return result;
            }
            catch (final XenStoreException ex)
            {
                if (ex.error() != XenStoreError.EAGAIN || attempt >= MAX_TRANSACTION_ATTEMPTS)
                {
                    throw ex;
                }
            }
            backOff(attempt);
        }
    }

    /**
     * Wait a random while, growing with the attempt, before retrying a conflicted transaction: the
     * transactions that collided would otherwise tend to collide again.
     */
    private static void backOff(final int attempt)
    {
        final long maxNanos = Math.min(1_000_000L, 1_000L << Math.min(attempt, 10));
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(maxNanos));
    }

    /**
     * Introduce a domain: create its home {@code /local/domain/<domid>}, owned by it and closed to
     * other guests, let it use the store, and fire {@link XenStorePaths#INTRODUCE_DOMAIN}.
     *
     * @throws XenStoreException EEXIST when it is introduced already; EINVAL for dom0, which always is.
     */
    public void introduceDomain(final int domid)
    {
        requireGuest(domid);
        edit(() ->
        {
            if (!introducedDomains.add(domid))
            {
                throw new XenStoreException(XenStoreError.EEXIST, "domain " + domid + " is introduced already");
            }
            final String home = XenStorePaths.domainPath(domid);
            tree.mkdir(XenDomainIds.DOM0, home);
            tree.setPermissions(XenDomainIds.DOM0, home, NodePermissions.of(domid, XenStoreAccess.NONE));
            fireSpecial(XenStorePaths.INTRODUCE_DOMAIN);
        });
    }

    /**
     * Release a domain: end its transactions, remove its watches and its home subtree, hand whatever
     * else it owned to dom0 and drop its grants (so that a domain reusing the id inherits nothing),
     * and fire {@link XenStorePaths#RELEASE_DOMAIN}.
     *
     * @throws XenStoreException ENOENT when it is not introduced; EINVAL for dom0.
     */
    public void releaseDomain(final int domid)
    {
        requireGuest(domid);
        edit(() ->
        {
            if (!introducedDomains.remove(domid))
            {
                throw new XenStoreException(XenStoreError.ENOENT, "domain " + domid + " is not introduced");
            }
            final List<Transaction> ended = new ArrayList<>();
            for (final Transaction transaction : transactionsById.values())
            {
                if (transaction.domid() == domid)
                {
                    ended.add(transaction);
                }
            }
            ended.forEach(this::end);
            watches.removeDomain(domid);
            tree.rm(XenDomainIds.DOM0, XenStorePaths.domainPath(domid));
            tree.forgetDomain(domid);
            fireSpecial(XenStorePaths.RELEASE_DOMAIN);
        });
    }

    /**
     * @return true when the domain has been introduced and not released since; always for dom0.
     */
    public boolean isIntroduced(final int domid)
    {
        return isPrivileged(domid) || introducedDomains.contains(domid);
    }

    /**
     * @return how many nodes the domain owns; what its node quota is measured against.
     */
    public int ownedNodeCount(final int domid)
    {
        return locked(() -> tree.ownedNodeCount(domid));
    }

    /**
     * @return how many watch events for the domain were dropped because
     * {@link XenStoreQuota#maxQueuedWatchEventsPerDomain()} of them were waiting to be delivered.
     */
    public long droppedWatchEventCount(final int domid)
    {
        return dispatcher.droppedCount(domid);
    }

    /**
     * @return how many watch events for the domain are queued and not yet delivered.
     */
    public int queuedWatchEventCount(final int domid)
    {
        return dispatcher.queuedCount(domid);
    }

    /**
     * @return how many watches the domain has registered.
     */
    public int watchCount(final int domid)
    {
        return locked(() -> watches.count(domid));
    }

    // Transaction support, called by Transaction.

    <T> T inTransaction(final Transaction transaction, final Function<NodeTree, T> operation)
    {
        return locked(() ->
        {
            requireOpen(transaction);
            return operation.apply(transaction.view());
        });
    }

    <T> T underLock(final Supplier<T> operation)
    {
        return locked(operation);
    }

    boolean isOpen(final Transaction transaction)
    {
        return locked(transaction::openFlag);
    }

    void commit(final Transaction transaction)
    {
        edit(() ->
        {
            requireOpen(transaction);
            end(transaction);
            for (final String path : transaction.view().accessedPaths())
            {
                if (NodeTree.generationOf(tree.root(), path) != NodeTree.generationOf(transaction.baseRoot(), path))
                {
                    throw new XenStoreException(XenStoreError.EAGAIN, "transaction " + transaction.id() +
                        " conflicts with a change to " + path);
                }
            }
            tree.commitTransaction(transaction.view(), transaction.baseRoot(), transaction.domid());
        });
    }

    void abort(final Transaction transaction)
    {
        locked(() ->
        {
            requireOpen(transaction);
            end(transaction);
            return null;
        });
    }

    void abortIfOpen(final Transaction transaction)
    {
        locked(() ->
        {
            if (transaction.openFlag())
            {
                end(transaction);
            }
            return null;
        });
    }

    private void end(final Transaction transaction)
    {
        transaction.markEnded();
        transactionsById.remove(transaction.id());
        openTransactionCountByDomain.merge(transaction.domid(), -1, (a, b) -> a + b == 0 ? null : a + b);
    }

    private void requireOpen(final Transaction transaction)
    {
        if (!transaction.openFlag())
        {
            throw new XenStoreException(XenStoreError.ENOENT, transaction + " has ended");
        }
    }

    private int nextTransactionId()
    {
        do
        {
            lastTransactionId++;
        }
        while (lastTransactionId == 0 || transactionsById.containsKey(lastTransactionId));
        return lastTransactionId;
    }

    private long nextGeneration()
    {
        return ++lastGeneration;
    }

    private NodePermissions specialPermissions(final int domid, final String path, final boolean forWriting)
    {
        final NodePermissions permissions = specialPathPermissions.get(path);
        final XenStoreAccess access = permissions.accessFor(domid);
        if (forWriting ? !isPrivileged(domid) : !access.canRead())
        {
            throw new XenStoreException(XenStoreError.EACCES, "domain " + domid + " may not access " + path);
        }
        return permissions;
    }

    private void fireSpecial(final String specialPath)
    {
        // The tree changes that led here come first, so that a watcher of @releaseDomain finds the
        // domain's nodes gone by the time it hears of the release.
        publish(tree.takeTriggers());
        final List<WatchEvent> events = new ArrayList<>();
        watches.collectSpecial(specialPath, specialPathPermissions.get(specialPath), events);
        events.forEach(dispatcher::enqueue);
    }

    private void publish(final List<WatchTrigger> triggers)
    {
        final List<WatchEvent> events = new ArrayList<>();
        for (final WatchTrigger trigger : triggers)
        {
            watches.collect(trigger, events);
            events.forEach(dispatcher::enqueue);
            events.clear();
        }
    }

    private String resolve(final int domid, final String path)
    {
        XenDomainIds.requireValid(domid);
        return XenStorePaths.canonicalize(domid, path);
    }

    /**
     * Run an edit of the live tree under the lock, queue the watch events it causes, then deliver
     * them once the lock is released.
     */
    private void edit(final Runnable edit)
    {
        try
        {
            lock.lock();
            try
            {
                edit.run();
            }
            finally
            {
                // Whatever changed before a failure must still be heard of.
                publish(tree.takeTriggers());
                lock.unlock();
            }
        }
        finally
        {
            dispatcher.deliver();
        }
    }

    /**
     * Run an edit of the live tree as a domain, which must be introduced at the time it runs.
     */
    private void editAs(final int domid, final Runnable edit)
    {
        edit(() ->
        {
            requireIntroduced(domid);
            edit.run();
        });
    }

    /**
     * Run an operation under the lock as a domain, which must be introduced at the time it runs.
     */
    private <T> T lockedAs(final int domid, final Supplier<T> operation)
    {
        return locked(() ->
        {
            requireIntroduced(domid);
            return operation.get();
        });
    }

    private <T> T locked(final Supplier<T> operation)
    {
        lock.lock();
        try
        {
            return operation.get();
        }
        finally
        {
            lock.unlock();
        }
    }

    private void requireIntroduced(final int domid)
    {
        if (!isIntroduced(domid))
        {
            throw new XenStoreException(XenStoreError.EPERM, "domain " + domid + " is not introduced");
        }
    }

    private static void requireGuest(final int domid)
    {
        XenDomainIds.requireValid(domid);
        if (isPrivileged(domid))
        {
            throw new XenStoreException(XenStoreError.EINVAL, "dom0 is always introduced");
        }
    }

    private static void requireValidToken(final String token)
    {
        if (null == token || token.indexOf('\0') >= 0)
        {
            throw new XenStoreException(XenStoreError.EINVAL, "a token is a string without NUL");
        }
    }
}
