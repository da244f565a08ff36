package io.javisor.memory;

/**
 * One grant copy operation ({@code gnttab_copy_t}): each side is either a grant reference of
 * another domain or a frame of the calling domain. Mutable and reusable so that a back end's
 * copy path allocates nothing.
 */
public final class GrantCopy
{
    public static final int SOURCE_GREF = 1;
    public static final int DEST_GREF = 2;

    int flags;
    int sourceRefOrFrame;
    int sourceDomid;
    int sourceOffset;
    int destRefOrFrame;
    int destDomid;
    int destOffset;
    int length;

    public GrantCopy sourceGrant(final int domid, final int ref, final int offset)
    {
        flags |= SOURCE_GREF;
        sourceDomid = domid;
        sourceRefOrFrame = ref;
        sourceOffset = offset;
        return this;
    }

    public GrantCopy sourceLocal(final int gpfn, final int offset)
    {
        flags &= ~SOURCE_GREF;
        sourceDomid = GrantEntryDescriptor.DOMID_SELF;
        sourceRefOrFrame = gpfn;
        sourceOffset = offset;
        return this;
    }

    public GrantCopy destGrant(final int domid, final int ref, final int offset)
    {
        flags |= DEST_GREF;
        destDomid = domid;
        destRefOrFrame = ref;
        destOffset = offset;
        return this;
    }

    public GrantCopy destLocal(final int gpfn, final int offset)
    {
        flags &= ~DEST_GREF;
        destDomid = GrantEntryDescriptor.DOMID_SELF;
        destRefOrFrame = gpfn;
        destOffset = offset;
        return this;
    }

    public GrantCopy length(final int length)
    {
        this.length = length;
        return this;
    }
}
