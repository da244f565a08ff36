package io.javisor.memory;

import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hands out machine frames to domains in contiguous extents, enforcing each domain's quota.
 * <p>
 * Invariants: every frame of the pool is either in exactly one free extent or in exactly one
 * owner's extent list; free extents never touch (they are merged on free); frames are scrubbed
 * before they return to the free pool, so no owner ever sees another owner's data.
 * Allocation is a control-plane operation (domain build, grant table set-up) and is serialised
 * by this object's monitor.
 */
public final class FrameAllocator
{
    /** Owner id for frames the hypervisor keeps for itself (grant tables, shared-info pages), as Xen's DOMID_XEN. */
    public static final int DOMID_XEN = 0x7FF2;

    /** Returned by {@link #allocate} when the owner's quota would be exceeded. */
    public static final long QUOTA_EXCEEDED = -1;
    /** Returned by {@link #allocate} when the pool has no free extent large enough. */
    public static final long OUT_OF_MEMORY = -2;

    private final MachineMemory memory;
    private final TreeMap<Long, Integer> freeExtents = new TreeMap<>();
    private final Int2ObjectHashMap<Owner> owners = new Int2ObjectHashMap<>();
    private long freeFrames;

    private static final class Owner
    {
        long quota = Long.MAX_VALUE;
        long frames;
        final List<long[]> extents = new ArrayList<>();
    }

    public FrameAllocator(final MachineMemory memory)
    {
        this.memory = memory;
        freeExtents.put(0L, memory.frameCount());
        freeFrames = memory.frameCount();
    }

    public MachineMemory memory()
    {
        return memory;
    }

    /**
     * Limits how many frames {@code domid} may hold at once (its {@code memory=}).
     */
    public synchronized void setQuota(final int domid, final long maxFrames)
    {
        if (maxFrames < 0)
        {
            throw new IllegalArgumentException("negative quota: " + maxFrames);
        }
        owner(domid).quota = maxFrames;
    }

    /**
     * Allocates {@code frames} contiguous frames for {@code domid}.
     *
     * @return the first machine frame number, or {@link #QUOTA_EXCEEDED} / {@link #OUT_OF_MEMORY}.
     */
    public synchronized long allocate(final int domid, final int frames)
    {
        if (frames <= 0)
        {
            throw new IllegalArgumentException("frames must be positive: " + frames);
        }
        final Owner owner = owner(domid);
        if (owner.frames + frames > owner.quota)
        {
            return QUOTA_EXCEEDED;
        }
        for (final Iterator<Map.Entry<Long, Integer>> it = freeExtents.entrySet().iterator(); it.hasNext(); )
        {
            final Map.Entry<Long, Integer> extent = it.next();
            final int length = extent.getValue();
            if (length >= frames)
            {
                final long start = extent.getKey();
                it.remove();
                if (length > frames)
                {
                    freeExtents.put(start + frames, length - frames);
                }
                freeFrames -= frames;
                owner.frames += frames;
                owner.extents.add(new long[]{ start, frames });
                return start;
            }
        }
        return OUT_OF_MEMORY;
    }

    /**
     * Returns an extent that {@link #allocate} gave {@code domid}. The frames are scrubbed.
     */
    public synchronized void free(final int domid, final long firstMfn, final int frames)
    {
        final Owner owner = owners.get(domid);
        if (owner == null || !removeExtent(owner, firstMfn, frames))
        {
            throw new IllegalArgumentException(
                "domain " + domid + " does not own extent " + firstMfn + "+" + frames);
        }
        release(firstMfn, frames);
        owner.frames -= frames;
    }

    /**
     * Returns every frame {@code domid} holds and forgets the domain (destruction).
     *
     * @return the number of frames returned.
     */
    public synchronized long freeAll(final int domid)
    {
        final Owner owner = owners.remove(domid);
        if (owner == null)
        {
            return 0;
        }
        for (final long[] extent : owner.extents)
        {
            release(extent[0], (int)extent[1]);
        }
        return owner.frames;
    }

    public synchronized long framesOwnedBy(final int domid)
    {
        final Owner owner = owners.get(domid);
        return owner == null ? 0 : owner.frames;
    }

    public synchronized long freeFrames()
    {
        return freeFrames;
    }

    public synchronized int freeExtentCount()
    {
        return freeExtents.size();
    }

    public int totalFrames()
    {
        return memory.frameCount();
    }

    private Owner owner(final int domid)
    {
        Owner owner = owners.get(domid);
        if (owner == null)
        {
            owner = new Owner();
            owners.put(domid, owner);
        }
        return owner;
    }

    private static boolean removeExtent(final Owner owner, final long firstMfn, final int frames)
    {
        for (final Iterator<long[]> it = owner.extents.iterator(); it.hasNext(); )
        {
            final long[] extent = it.next();
            if (extent[0] == firstMfn && extent[1] == frames)
            {
                it.remove();
                return true;
            }
        }
        return false;
    }

    private void release(final long firstMfn, final int frames)
    {
        memory.scrub(firstMfn, frames);
        long start = firstMfn;
        long length = frames;
        final Map.Entry<Long, Integer> below = freeExtents.floorEntry(start);
        if (below != null && below.getKey() + below.getValue() == start)
        {
            start = below.getKey();
            length += below.getValue();
            freeExtents.remove(below.getKey());
        }
        final Integer above = freeExtents.get(firstMfn + frames);
        if (above != null)
        {
            freeExtents.remove(firstMfn + frames);
            length += above;
        }
        freeExtents.put(start, (int)length);
        freeFrames += frames;
    }
}
