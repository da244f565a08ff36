package io.javisor.blkback;

import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantStatus;
import org.agrona.collections.Int2IntHashMap;

/**
 * The grants a front end offered as persistent (feature-persistent): each reference is mapped
 * writable once, on first use, and stays mapped until the device disconnects, so a steady-state
 * request maps nothing. Bounded: beyond {@code capacity} references, callers fall back to a
 * transient map per segment. Used only by the device's serving agent.
 */
final class PersistentGrants
{
    private static final int MISSING = -1;

    private final GrantMapper mapper;
    private final int granterDomid;
    private final int capacity;
    private final Int2IntHashMap handleByRef = new Int2IntHashMap(MISSING);

    PersistentGrants(final GrantMapper mapper, final int granterDomid, final int capacity)
    {
        this.mapper = mapper;
        this.granterDomid = granterDomid;
        this.capacity = capacity;
    }

    /**
     * @return the mapping handle for {@code ref}, mapping it now if needed; a GNTST error (< 0) if
     * it cannot be mapped writable; or {@link Integer#MIN_VALUE} when the cache is full.
     */
    int handleFor(final int ref)
    {
        final int cached = handleByRef.get(ref);
        if (cached != MISSING)
        {
            return cached;
        }
        if (handleByRef.size() >= capacity)
        {
            return Integer.MIN_VALUE;
        }
        final int handle = mapper.map(granterDomid, ref, false);
        if (handle >= 0)
        {
            handleByRef.put(ref, handle);
        }
        return handle;
    }

    int size()
    {
        return handleByRef.size();
    }

    /**
     * Unmaps every persistent grant (disconnect).
     */
    void clear()
    {
        handleByRef.forEachInt((ref, handle) ->
        {
            final int status = mapper.unmap(handle);
            assert status == GrantStatus.OKAY : GrantStatus.describe(status);
        });
        handleByRef.clear();
    }
}
