package io.javisor.memory;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static io.javisor.memory.PageDescriptor.PAGE_SIZE;

/**
 * The grant operations of one domain acting as grantee (a back end in dom0 or a driver domain):
 * map, unmap and copy, each answered with a GNTST code. Mappings are tracked in this domain's
 * maptrack table; a handle names a mapping until it is unmapped.
 * <p>
 * This is the only way a domain reaches another domain's frames. Map and unmap are serialised by
 * this object's monitor (maptrack) and the granter's (active entries); neither allocates once the
 * maptrack has grown to the working set.
 */
public final class GrantMapper implements AutoCloseable
{
    /** Upper bound on simultaneous mappings of one domain, as Xen's maptrack limit. */
    public static final int MAX_MAPPINGS = 1 << 18;

    private final int domid;
    private final GuestMemory ownMemory;
    private final GrantTables tables;
    private final int maxMappings;

    // The maptrack, grown (doubling) to the working set on first use: a guest that never maps a
    // grant (most of a host's thousands) holds four empty arrays.
    private GrantTable[] mappedTable = new GrantTable[0];
    private int[] mappedRef = new int[0];
    private boolean[] mappedReadOnly = new boolean[0];
    private int[] freeHandles = new int[0];
    private int freeCount;
    private int highWater;
    private int liveMappings;

    public GrantMapper(final GuestMemory ownMemory, final GrantTables tables)
    {
        this(ownMemory, tables, MAX_MAPPINGS);
    }

    public GrantMapper(final GuestMemory ownMemory, final GrantTables tables, final int maxMappings)
    {
        this.domid = ownMemory.domid();
        this.ownMemory = ownMemory;
        this.tables = tables;
        this.maxMappings = maxMappings;
    }

    public int domid()
    {
        return domid;
    }

    /**
     * Maps grant {@code ref} of domain {@code granterDomid}.
     *
     * @return a handle (≥ 0) or a GNTST error (< 0).
     */
    public synchronized int map(final int granterDomid, final int ref, final boolean readOnly)
    {
        final GrantTable table = tables.lookup(granterDomid);
        if (table == null)
        {
            return GrantStatus.BAD_DOMAIN;
        }
        final int handle = takeHandle();
        if (handle < 0)
        {
            return GrantStatus.NO_DEVICE_SPACE;
        }
        final int status = table.pin(domid, ref, readOnly);
        if (status != GrantStatus.OKAY)
        {
            freeHandles[freeCount++] = handle;
            return status;
        }
        mappedTable[handle] = table;
        mappedRef[handle] = ref;
        mappedReadOnly[handle] = readOnly;
        liveMappings++;
        return handle;
    }

    /**
     * Points {@code buffer} at the 4 KiB frame that {@code handle} maps.
     *
     * @return false when {@code handle} is not a live mapping.
     */
    public synchronized boolean wrap(final int handle, final UnsafeBuffer buffer)
    {
        if (!isLive(handle))
        {
            return false;
        }
        buffer.wrap(mappedTable[handle].pinnedFrameAddress(mappedRef[handle]), PAGE_SIZE);
        return true;
    }

    public synchronized boolean isReadOnly(final int handle)
    {
        return isLive(handle) && mappedReadOnly[handle];
    }

    /**
     * Unmaps {@code handle}; buffers wrapped over it must not be used after.
     */
    public synchronized int unmap(final int handle)
    {
        if (!isLive(handle))
        {
            return GrantStatus.BAD_HANDLE;
        }
        final GrantTable table = mappedTable[handle];
        mappedTable[handle] = null;
        table.unpin(mappedRef[handle], mappedReadOnly[handle]);
        freeHandles[freeCount++] = handle;
        liveMappings--;
        return GrantStatus.OKAY;
    }

    public synchronized int liveMappings()
    {
        return liveMappings;
    }

    /**
     * Copies between a grant and this domain's memory, or between two grants, never crossing a page.
     * The grant side is pinned (GTF_reading, and GTF_writing for a destination) only for the copy.
     *
     * @return a GNTST code; on error nothing was written.
     */
    public int copy(final GrantCopy op)
    {
        final int length = op.length;
        if (length < 0 || length > PAGE_SIZE ||
            op.sourceOffset < 0 || op.sourceOffset > PAGE_SIZE - length ||
            op.destOffset < 0 || op.destOffset > PAGE_SIZE - length)
        {
            return GrantStatus.BAD_COPY_ARG;
        }
        final boolean sourceIsGrant = (op.flags & GrantCopy.SOURCE_GREF) != 0;
        final boolean destIsGrant = (op.flags & GrantCopy.DEST_GREF) != 0;

        GrantTable sourceTable = null;
        long sourceFrame = 0;
        if (sourceIsGrant)
        {
            sourceTable = tables.lookup(op.sourceDomid);
            if (sourceTable == null)
            {
                return GrantStatus.BAD_DOMAIN;
            }
        }
        else
        {
            if (!isSelf(op.sourceDomid))
            {
                return GrantStatus.PERMISSION_DENIED;
            }
            sourceFrame = op.sourceRefOrFrame & 0xFFFF_FFFFL;
            if (!ownMemory.isValidFrame(sourceFrame))
            {
                return GrantStatus.BAD_PAGE;
            }
        }

        GrantTable destTable = null;
        long destFrame = 0;
        if (destIsGrant)
        {
            destTable = tables.lookup(op.destDomid);
            if (destTable == null)
            {
                return GrantStatus.BAD_DOMAIN;
            }
        }
        else
        {
            if (!isSelf(op.destDomid))
            {
                return GrantStatus.PERMISSION_DENIED;
            }
            destFrame = op.destRefOrFrame & 0xFFFF_FFFFL;
            if (!ownMemory.isValidFrame(destFrame))
            {
                return GrantStatus.BAD_PAGE;
            }
        }

        if (sourceIsGrant)
        {
            final int status = sourceTable.pin(domid, op.sourceRefOrFrame, true);
            if (status != GrantStatus.OKAY)
            {
                return status;
            }
        }
        try
        {
            if (destIsGrant)
            {
                final int status = destTable.pin(domid, op.destRefOrFrame, false);
                if (status != GrantStatus.OKAY)
                {
                    return status;
                }
            }
            try
            {
                final long src = sourceIsGrant ?
                    sourceTable.pinnedFrameAddress(op.sourceRefOrFrame) : ownMemory.hostAddressOfFrame(sourceFrame);
                final long dst = destIsGrant ?
                    destTable.pinnedFrameAddress(op.destRefOrFrame) : ownMemory.hostAddressOfFrame(destFrame);
                UnsafeApi.copyMemory(src + op.sourceOffset, dst + op.destOffset, length);
                return GrantStatus.OKAY;
            }
            finally
            {
                if (destIsGrant)
                {
                    destTable.unpin(op.destRefOrFrame, false);
                }
            }
        }
        finally
        {
            if (sourceIsGrant)
            {
                sourceTable.unpin(op.sourceRefOrFrame, true);
            }
        }
    }

    /**
     * Unmaps everything this domain still has mapped (its destruction).
     */
    @Override
    public synchronized void close()
    {
        for (int handle = 0; handle < highWater; handle++)
        {
            if (mappedTable[handle] != null)
            {
                unmap(handle);
            }
        }
    }

    private boolean isSelf(final int domidField)
    {
        return domidField == GrantEntryDescriptor.DOMID_SELF || domidField == domid;
    }

    private boolean isLive(final int handle)
    {
        return handle >= 0 && handle < highWater && mappedTable[handle] != null;
    }

    private int takeHandle()
    {
        if (freeCount > 0)
        {
            return freeHandles[--freeCount];
        }
        if (highWater == maxMappings)
        {
            return -1;
        }
        if (highWater == mappedTable.length)
        {
            final int capacity = Math.min(maxMappings, Math.max(16, highWater * 2));
            mappedTable = Arrays.copyOf(mappedTable, capacity);
            mappedRef = Arrays.copyOf(mappedRef, capacity);
            mappedReadOnly = Arrays.copyOf(mappedReadOnly, capacity);
            freeHandles = Arrays.copyOf(freeHandles, capacity);
        }
        return highWater++;
    }
}
