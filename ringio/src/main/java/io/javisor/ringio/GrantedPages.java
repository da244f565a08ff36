package io.javisor.ringio;

/**
 * A front end's pages shared with its back end: a free guest page and a grant reference for it,
 * granted to the back-end domain; and their release, which leaves a page the back end still maps
 * granted and allocated (it leaks rather than being reused under the back end's feet).
 */
public final class GrantedPages
{
    private final DomainResources guest;
    private final int backendDomid;
    private final String owner;

    /**
     * @param owner names the front end in errors, e.g. "block front end".
     */
    public GrantedPages(final DomainResources guest, final int backendDomid, final String owner)
    {
        this.guest = guest;
        this.backendDomid = backendDomid;
        this.owner = owner;
    }

    /**
     * @throws IllegalStateException (one line) when the guest has no free page.
     */
    public long allocatePage()
    {
        final long gpfn = guest.pages().allocate();
        if (gpfn < 0)
        {
            throw new IllegalStateException("guest " + guest.domid() + " has no free page for the " + owner);
        }
        return gpfn;
    }

    /**
     * @throws IllegalStateException (one line) when the guest has no free grant reference.
     */
    public int claimReference()
    {
        final int ref = guest.grantReferences().claim();
        if (ref < 0)
        {
            throw new IllegalStateException("guest " + guest.domid() + " has no free grant reference for the " + owner);
        }
        return ref;
    }

    public void grant(final int ref, final long gpfn, final boolean readOnly)
    {
        guest.grantTable().grantAccess(ref, backendDomid, gpfn, readOnly);
    }

    /**
     * Revokes {@code ref} and frees its page, unless the back end still has it mapped.
     *
     * @return true when released.
     */
    public boolean release(final int ref, final long gpfn)
    {
        if (guest.grantTable().endForeignAccess(ref))
        {
            guest.grantReferences().release(ref);
            guest.pages().free(gpfn);
            return true;
        }
        return false;
    }
}
