package io.javisor.ringio.xenstore;

/**
 * Per-domain limits, as Xen's xenstored enforces them on every domain except dom0, so that one
 * guest cannot exhaust the store that all domains share.
 * <p>
 * Exceeding a limit fails the operation with the error C xenstored uses for it: a value longer than
 * {@link #maxValueSize} gives {@link XenStoreError#E2BIG} (as oxenstored does; Xen has no better
 * name for "this value is too long"), one watch too many gives {@link XenStoreError#E2BIG}, and
 * one node, open transaction or permission entry too many gives {@link XenStoreError#ENOSPC}
 * (xs_wire.h has no EQUOTA).
 *
 * @param maxValueSize             longest value in bytes a guest may write (Xen: 2048).
 * @param maxNodesPerDomain        most nodes a guest may own (Xen: 1000).
 * @param maxWatchesPerDomain      most watches a guest may have registered (Xen: 128).
 * @param maxTransactionsPerDomain most transactions a guest may have open at once (Xen: 10).
 * @param maxPermissionsPerNode    most entries, owner included, a guest may put in one node's
 *                                 permission list (Xen: 5).
 */
public record XenStoreQuota(
    int maxValueSize,
    int maxNodesPerDomain,
    int maxWatchesPerDomain,
    int maxTransactionsPerDomain,
    int maxPermissionsPerNode)
{
    /** The limits xenstored starts with. */
    public static final XenStoreQuota DEFAULT = new XenStoreQuota(2048, 1000, 128, 10, 5);

    public XenStoreQuota
    {
        if (maxValueSize < 0 || maxNodesPerDomain < 1 || maxWatchesPerDomain < 0 ||
            maxTransactionsPerDomain < 0 || maxPermissionsPerNode < 1)
        {
            throw new IllegalArgumentException("quota limits out of range: " + maxValueSize + ", " +
                maxNodesPerDomain + ", " + maxWatchesPerDomain + ", " + maxTransactionsPerDomain + ", " +
                maxPermissionsPerNode);
        }
    }
}
