package io.javisor.ringio.xenstore;

/**
 * Domain ids as XenStore sees them: who is privileged and which ids a domain may have.
 */
public final class XenDomainIds
{
    /** The control domain; XenStore lets it do anything and exempts it from quotas. */
    public static final int DOM0 = 0;

    /** Xen's DOMID_FIRST_RESERVED: ids from here up name special domains, never a real one. */
    public static final int FIRST_RESERVED = 0x7FF0;

    private XenDomainIds()
    {
    }

    /**
     * @param domid a domain id.
     * @return true when the domain bypasses permission checks and quotas.
     */
    public static boolean isPrivileged(final int domid)
    {
        return domid == DOM0;
    }

    /**
     * @param domid a domain id.
     * @return the id, when it can name a real domain.
     * @throws XenStoreException EINVAL when it is negative or reserved.
     */
    public static int requireValid(final int domid)
    {
        if (domid < 0 || domid >= FIRST_RESERVED)
        {
            throw new XenStoreException(XenStoreError.EINVAL, "domain id out of range: " + domid);
        }
        return domid;
    }
}
