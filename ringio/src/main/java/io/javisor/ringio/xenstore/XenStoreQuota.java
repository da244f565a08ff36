package io.javisor.ringio.xenstore;

/**
 * Limits, as Xen's xenstored enforces them, so that one guest cannot exhaust the store (or dom0's
 * heap) that all domains share. An immutable value: safe to share between threads.
 * <p>
 * Exceeding a limit fails the operation with the error C xenstored uses for it: a value longer than
 * {@link #maxValueSize} gives {@link XenStoreError#E2BIG} (as oxenstored does; Xen has no better
 * name for "this value is too long"), one watch too many gives {@link XenStoreError#E2BIG}, and
 * one node, open transaction, permission entry, node touched by a transaction or transaction edit
 * too many gives {@link XenStoreError#ENOSPC}. oxenstored answers its quotas with "EQUOTA", but
 * that name is not in {@code xs_wire.h}'s error table, so a guest's xenbus driver would not know
 * it; C xenstored's ENOSPC is used throughout.
 * <p>
 * Who is exempt, as in Xen: dom0 is exempt from every limit here except
 * {@link #maxQueuedWatchEventsPerDomain} (oxenstored bounds the watch event queue of every
 * connection, dom0's included). C xenstored exempts privileged connections from the node,
 * watch, transaction, transaction-node and permission quotas (its {@code domain_is_unprivileged}
 * checks); oxenstored exempts dom0 from its per-transaction request limit ({@code maxrequests}).
 *
 * @param maxValueSize                  longest value in bytes a guest may write (Xen: 2048).
 * @param maxNodesPerDomain             most nodes a guest may own (Xen: 1000).
 * @param maxWatchesPerDomain           most watches a guest may have registered (Xen: 128).
 * @param maxTransactionsPerDomain      most transactions a guest may have open at once (Xen: 10,
 *                                      C xenstored's {@code quota_max_transaction} and oxenstored's
 *                                      {@code quota-transaction}).
 * @param maxPermissionsPerNode         most entries, owner included, a guest may put in one node's
 *                                      permission list (Xen: 5).
 * @param maxNodesPerTransaction        most distinct nodes one guest transaction may touch, read
 *                                      or written, found or missing (Xen: 1024, C xenstored's
 *                                      {@code transaction-nodes} quota, {@code quota_trans_nodes},
 *                                      added for XSA-326 because tracking every accessed node made
 *                                      xenstored's memory unbounded).
 * @param maxEditsPerTransaction        most edits (write, mkdir, rm, set permissions) one guest
 *                                      transaction may make (1024, after oxenstored's
 *                                      {@code quota-maxrequests}, which counts every request in a
 *                                      transaction; javisor counts only edits, reads being bounded
 *                                      by {@link #maxNodesPerTransaction}).
 * @param maxQueuedWatchEventsPerDomain most watch events that may wait, undelivered, for one domain;
 *                                      further events for it are dropped and counted (1024, after
 *                                      oxenstored's {@code quota-maxwatchevents}).
 */
public record XenStoreQuota(
    int maxValueSize,
    int maxNodesPerDomain,
    int maxWatchesPerDomain,
    int maxTransactionsPerDomain,
    int maxPermissionsPerNode,
    int maxNodesPerTransaction,
    int maxEditsPerTransaction,
    int maxQueuedWatchEventsPerDomain)
{
    /** Xen's default for {@link #maxNodesPerTransaction}. */
    public static final int DEFAULT_MAX_NODES_PER_TRANSACTION = 1024;
    /** The default for {@link #maxEditsPerTransaction}, oxenstored's {@code quota-maxrequests}. */
    public static final int DEFAULT_MAX_EDITS_PER_TRANSACTION = 1024;
    /** The default for {@link #maxQueuedWatchEventsPerDomain}, oxenstored's {@code quota-maxwatchevents}. */
    public static final int DEFAULT_MAX_QUEUED_WATCH_EVENTS_PER_DOMAIN = 1024;

    /** The limits xenstored starts with. */
    public static final XenStoreQuota DEFAULT = new XenStoreQuota(2048, 1000, 128, 10, 5);

    public XenStoreQuota
    {
        if (maxValueSize < 0 || maxNodesPerDomain < 1 || maxWatchesPerDomain < 0 ||
            maxTransactionsPerDomain < 0 || maxPermissionsPerNode < 1 || maxNodesPerTransaction < 1 ||
            maxEditsPerTransaction < 0 || maxQueuedWatchEventsPerDomain < 1)
        {
            throw new IllegalArgumentException("quota limits out of range: " + maxValueSize + ", " +
                maxNodesPerDomain + ", " + maxWatchesPerDomain + ", " + maxTransactionsPerDomain + ", " +
                maxPermissionsPerNode + ", " + maxNodesPerTransaction + ", " + maxEditsPerTransaction + ", " +
                maxQueuedWatchEventsPerDomain);
        }
    }

    /**
     * The per-domain limits, with the transaction and watch-queue limits at their defaults.
     */
    public XenStoreQuota(
        final int maxValueSize,
        final int maxNodesPerDomain,
        final int maxWatchesPerDomain,
        final int maxTransactionsPerDomain,
        final int maxPermissionsPerNode)
    {
        this(maxValueSize, maxNodesPerDomain, maxWatchesPerDomain, maxTransactionsPerDomain, maxPermissionsPerNode,
            DEFAULT_MAX_NODES_PER_TRANSACTION, DEFAULT_MAX_EDITS_PER_TRANSACTION,
            DEFAULT_MAX_QUEUED_WATCH_EVENTS_PER_DOMAIN);
    }

    public XenStoreQuota withMaxTransactionsPerDomain(final int limit)
    {
        return new XenStoreQuota(maxValueSize, maxNodesPerDomain, maxWatchesPerDomain, limit, maxPermissionsPerNode,
            maxNodesPerTransaction, maxEditsPerTransaction, maxQueuedWatchEventsPerDomain);
    }

    public XenStoreQuota withMaxNodesPerTransaction(final int limit)
    {
        return new XenStoreQuota(maxValueSize, maxNodesPerDomain, maxWatchesPerDomain, maxTransactionsPerDomain,
            maxPermissionsPerNode, limit, maxEditsPerTransaction, maxQueuedWatchEventsPerDomain);
    }

    public XenStoreQuota withMaxEditsPerTransaction(final int limit)
    {
        return new XenStoreQuota(maxValueSize, maxNodesPerDomain, maxWatchesPerDomain, maxTransactionsPerDomain,
            maxPermissionsPerNode, maxNodesPerTransaction, limit, maxQueuedWatchEventsPerDomain);
    }

    public XenStoreQuota withMaxQueuedWatchEventsPerDomain(final int limit)
    {
        return new XenStoreQuota(maxValueSize, maxNodesPerDomain, maxWatchesPerDomain, maxTransactionsPerDomain,
            maxPermissionsPerNode, maxNodesPerTransaction, maxEditsPerTransaction, limit);
    }
}
