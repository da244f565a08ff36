package io.javisor.ringio.xenstore;

/**
 * The errors a XenStore operation can fail with, named and ordered as the error table of Xen's
 * {@code xs_wire.h} so that a wire-protocol server can send {@link #name()} back unchanged.
 * {@link #errno()} is the Linux errno value the name stands for.
 */
public enum XenStoreError
{
    /** The request was malformed: a bad path, permission string, domain id or token. */
    EINVAL(22),
    /** The caller lacks the read or write access the operation needs. */
    EACCES(13),
    /** The thing to create exists already: a watch with the same path and token, a domain. */
    EEXIST(17),
    /** Reserved by the wire protocol; javisor's store never returns it. */
    EISDIR(21),
    /** The node, watch or transaction does not exist. */
    ENOENT(2),
    /** Reserved by the wire protocol; javisor's store never returns it. */
    ENOMEM(12),
    /**
     * A quota was reached: nodes, open transactions or permission entries per node of a domain, or
     * the nodes touched or edits made by one transaction.
     */
    ENOSPC(28),
    /** Reserved by the wire protocol; javisor's store never returns it. */
    EIO(5),
    /** Reserved by the wire protocol; javisor's store never returns it. */
    ENOTEMPTY(39),
    /** Reserved by the wire protocol; javisor's store never returns it. */
    ENOSYS(38),
    /** Reserved by the wire protocol; javisor's store never returns it. */
    EROFS(30),
    /** Reserved by the wire protocol; javisor's store never returns it. */
    EBUSY(16),
    /** A transaction conflicted with a concurrent change and was discarded: start again. */
    EAGAIN(11),
    /** Reserved by the wire protocol; javisor's store never returns it. */
    EISCONN(106),
    /** A value is longer than the quota allows, or the domain has too many watches. */
    E2BIG(7),
    /** The caller may not do this at all, e.g. an unprivileged domain giving a node away. */
    EPERM(1);

    private final int errno;

    XenStoreError(final int errno)
    {
        this.errno = errno;
    }

    /**
     * @return the Linux errno value for this error.
     */
    public int errno()
    {
        return errno;
    }
}
