package io.javisor.netback.bridge;

import java.util.Arrays;

/**
 * The forwarding database: MAC address → port and when it was last seen as a source. Open
 * addressing with linear probing in parallel arrays, sized at construction and never grown, so a
 * guest spraying random source addresses fills it to capacity and no further.
 * <p>
 * The arrays hold at least twice {@code capacity} slots, so a probe always meets an empty slot and
 * chains stay short. Removal shifts the rest of the chain back instead of leaving tombstones, so
 * a table churned by ageing keeps its probe lengths.
 * <p>
 * Forwarding thread only: no field here is safe to touch from another thread.
 */
final class MacTable
{
    /** An empty slot: no real MAC has bits above the low 48. */
    private static final long NO_MAC = -1L;

    private static final long HASH_MULTIPLIER = 0x9E37_79B9_7F4A_7C15L;

    private final long[] macs;
    private final long[] lastSeen;
    private final AttachedPort[] owners;
    private final int mask;
    private final int shift;
    private final int capacity;
    private final long ageingNanos;
    private final BridgeStatistics statistics;
    private int size;

    MacTable(final int capacity, final long ageingNanos, final BridgeStatistics statistics)
    {
        final int length = Integer.highestOneBit(capacity * 2 - 1) << 1; // the power of two >= 2 * capacity
        this.macs = new long[length];
        this.lastSeen = new long[length];
        this.owners = new AttachedPort[length];
        this.mask = length - 1;
        this.shift = Long.SIZE - Integer.numberOfTrailingZeros(length);
        this.capacity = capacity;
        this.ageingNanos = ageingNanos;
        this.statistics = statistics;
        Arrays.fill(macs, NO_MAC);
    }

    int size()
    {
        return size;
    }

    int capacity()
    {
        return capacity;
    }

    int slots()
    {
        return macs.length;
    }

    /**
     * Records that {@code mac} was just seen as the source of a frame from {@code port}.
     */
    void learn(final long mac, final AttachedPort port, final long nowNanos)
    {
        for (int i = home(mac); ; i = (i + 1) & mask)
        {
            final long entry = macs[i];
            if (entry == mac)
            {
                final AttachedPort owner = owners[i];
                final boolean live = owner.isAttached() && !isExpired(i, nowNanos);
                if (owner != port)
                {
                    owner.learnedMacs--;
                    port.learnedMacs++;
                    owners[i] = port;
                    statistics.increment(live ? BridgeStatistics.MOVED : BridgeStatistics.LEARNED);
                }
                else if (!live)
                {
                    statistics.increment(BridgeStatistics.LEARNED);
                }
                lastSeen[i] = nowNanos;
                return;
            }
            if (entry == NO_MAC)
            {
                if (size == capacity)
                {
                    statistics.increment(BridgeStatistics.TABLE_FULL);
                    return;
                }
                macs[i] = mac;
                lastSeen[i] = nowNanos;
                owners[i] = port;
                port.learnedMacs++;
                size++;
                statistics.increment(BridgeStatistics.LEARNED);
                return;
            }
        }
    }

    /**
     * The port {@code mac} was learned on, or null if it is unknown, aged out or its port has been
     * detached; such a stale entry is removed on the way.
     */
    AttachedPort lookup(final long mac, final long nowNanos)
    {
        final int i = indexOf(mac);
        if (i < 0)
        {
            return null;
        }
        final AttachedPort owner = owners[i];
        if (isExpired(i, nowNanos))
        {
            statistics.increment(BridgeStatistics.AGED);
            removeAt(i);
            return null;
        }
        if (!owner.isAttached())
        {
            removeAt(i);
            return null;
        }
        return owner;
    }

    /**
     * As {@link #lookup} but changing nothing.
     */
    AttachedPort peek(final long mac, final long nowNanos)
    {
        final int i = indexOf(mac);
        if (i < 0 || isExpired(i, nowNanos) || !owners[i].isAttached())
        {
            return null;
        }
        return owners[i];
    }

    /**
     * Removes the entries that have aged out or whose port has been detached.
     *
     * @return how many were removed.
     */
    int sweep(final long nowNanos)
    {
        return removeStale(true, nowNanos);
    }

    /**
     * Removes the entries whose port has been detached.
     */
    int forgetDetached()
    {
        return removeStale(false, 0);
    }

    private int removeStale(final boolean age, final long nowNanos)
    {
        int removed = 0;
        for (int i = 0; i < macs.length; i++)
        {
            // A removal shifts a later entry of the chain into slot i, so look at i again. Entries
            // only ever move into the hole, so none that is still to be visited is skipped.
            while (macs[i] != NO_MAC)
            {
                final boolean expired = age && isExpired(i, nowNanos);
                if (!expired && owners[i].isAttached())
                {
                    break;
                }
                if (expired)
                {
                    statistics.increment(BridgeStatistics.AGED);
                }
                removeAt(i);
                removed++;
            }
        }
        return removed;
    }

    private boolean isExpired(final int i, final long nowNanos)
    {
        // A difference, so that a clock crossing the sign of a long (System.nanoTime may) still ages.
        return nowNanos - lastSeen[i] > ageingNanos;
    }

    private int indexOf(final long mac)
    {
        for (int i = home(mac); ; i = (i + 1) & mask)
        {
            final long entry = macs[i];
            if (entry == mac)
            {
                return i;
            }
            if (entry == NO_MAC)
            {
                return -1;
            }
        }
    }

    private int home(final long mac)
    {
        return (int)((mac * HASH_MULTIPLIER) >>> shift);
    }

    private void removeAt(final int index)
    {
        owners[index].learnedMacs--;
        size--;
        int hole = index;
        for (int i = (index + 1) & mask; macs[i] != NO_MAC; i = (i + 1) & mask)
        {
            // The entry at i may fill the hole if the hole lies on its probe path, i.e. between its
            // home slot and i (cyclically): then it is at least as far from home as from the hole.
            if (((i - home(macs[i])) & mask) >= ((i - hole) & mask))
            {
                macs[hole] = macs[i];
                lastSeen[hole] = lastSeen[i];
                owners[hole] = owners[i];
                hole = i;
            }
        }
        macs[hole] = NO_MAC;
        owners[hole] = null;
    }
}
