package io.javisor.memory;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.javisor.memory.GrantEntryDescriptor.*;

/**
 * A domain's grant table, v1: the entries live in frames that the granting domain writes itself
 * ({@link #entries()}); the hypervisor side ({@link #pin}/{@link #unpin}) reads an entry, checks
 * it, and marks it GTF_reading/GTF_writing while another domain maps it or copies through it.
 * <p>
 * The entries start in hypervisor frames of the table's own, which Java guests write through
 * {@link #grantAccess}. A guest running its own code instead places the table in its own RAM, at a
 * frame it chooses ({@link #placeInGuestFrames}); from then on the guest writes the entries with
 * its own stores, the granter-side methods here refuse, and an entry's frame field is a
 * guest-physical frame number, from which the frame number of the guest's first RAM frame is
 * subtracted before it is checked against the guest's memory.
 * <p>
 * The entry is guest memory and may change at any time, so the hypervisor side reads the combined
 * flags/domid word once, validates that copy, and claims the entry with a compare-and-swap on that
 * same word; the frame number is read once when the first pin is taken and kept in the active
 * entry, so that a granter rewriting the frame of a pinned entry changes nothing already mapped.
 * Active-entry bookkeeping is serialised by a padded lock object of its own.
 */
public final class GrantTable implements AutoCloseable
{
    /** Xen's default maximum grant frames for a v1 table. */
    public static final int MAX_FRAMES = 64;
    private static final int MAX_CAS_RETRIES = 4;

    private final int domid;
    private final GuestMemory memory;
    private final FrameAllocator allocator;
    private final long tableMfn;
    private final int frameCount;
    // Where the entries are and how many there are: changed only under the active lock, and only
    // while no pin is held, so that a pin's bookkeeping always refers to the entries it was taken on.
    private volatile int entryCount;
    private final UnsafeBuffer entries = new UnsafeBuffer(0, 0);
    /** Subtracted from an entry's frame field to give a frame of {@link #memory}; 0 until placed. */
    private long frameBase;
    /** The guest frame the placed table starts at, or -1 while it is in the hypervisor's frames. */
    private volatile long placedGpfn = -1;
    private volatile int placedFrames;

    // Active entries, indexed by grant ref: pins held, and the frame and grantee seen at first pin.
    // Guarded by the active lock. They cover the refs pinned so far and grow (doubling, up to the
    // entry count) when a higher ref is pinned: a light domain grants a dozen refs of its hundreds,
    // and pays for those, not for the whole table. Invariant: every ref at or past their length is
    // unpinned.
    private int[] readPins = new int[INITIAL_ACTIVE_ENTRIES];
    private int[] writePins = new int[INITIAL_ACTIVE_ENTRIES];
    private int[] activeFrame = new int[INITIAL_ACTIVE_ENTRIES];
    private int[] activeDomid = new int[INITIAL_ACTIVE_ENTRIES];
    private static final int INITIAL_ACTIVE_ENTRIES = 16;
    // The monitor every pin and unpin takes, padded onto cache lines of its own: locking writes
    // the monitor's header, and the GrantTable object sits beside the domain's GuestMemory, which
    // front ends read on every request (measured: a 64 B grant copy 90 ns instead of 30 ns).
    private final ActiveLock active = new ActiveLock();

    private static final class ActiveLock
    {
        @SuppressWarnings("unused")
        long p01, p02, p03, p04, p05, p06, p07, p08;
        long activePins;
        boolean retired;
        Runnable onQuiescent;
        @SuppressWarnings("unused")
        long p11, p12, p13, p14, p15, p16, p17, p18;
    }

    /**
     * Creates the table of {@code frameCount} frames for the domain owning {@code memory}. The
     * frames come from the machine pool as hypervisor frames (they do not count against the
     * domain's memory quota), zeroed, so every entry starts GTF_invalid.
     */
    /** Written once by {@link #close()}; granter-side calls read it before they touch the entries. */
    private volatile boolean released;

    public GrantTable(final FrameAllocator allocator, final GuestMemory memory, final int frameCount)
    {
        if (frameCount < 1 || frameCount > MAX_FRAMES)
        {
            throw new IllegalArgumentException("grant table frames must be 1.." + MAX_FRAMES + ": " + frameCount);
        }
        final long mfn = allocator.allocate(FrameAllocator.DOMID_XEN, frameCount);
        if (mfn < 0)
        {
            throw new GuestMemoryAllocationException("no machine memory for a grant table of " + frameCount + " frames");
        }
        this.allocator = allocator;
        this.domid = memory.domid();
        this.memory = memory;
        this.tableMfn = mfn;
        this.frameCount = frameCount;
        this.entryCount = frameCount * ENTRIES_PER_FRAME;
        allocator.memory().wrap(mfn, frameCount, entries);
    }

    public int domid()
    {
        return domid;
    }

    public int entryCount()
    {
        return entryCount;
    }

    /**
     * @return the most frames the table may have (its hypervisor frames, and the most a guest may place).
     */
    public int frameCount()
    {
        return frameCount;
    }

    /**
     * @return the guest frame (of {@link GuestMemory}, 0-based) where the guest placed the table, or -1.
     */
    public long placedGpfn()
    {
        return placedGpfn;
    }

    /**
     * @return how many frames the guest placed, or 0 while the table is in the hypervisor's frames.
     */
    public int placedFrames()
    {
        return placedFrames;
    }

    /**
     * The guest keeps its table in {@code frames} of its own frames from {@code gpfn} on (frames of
     * {@link GuestMemory}, 0-based), as Xen's grant frames mapped into a guest's physical map; the
     * entries there are taken as the guest left them. {@code frameBase} is what the guest's frame
     * numbers in entries count from (its first RAM frame's guest-physical frame number). May be
     * called again, to move or resize the table, while no grant of it is pinned.
     *
     * @return {@link GrantStatus#OKAY}; GENERAL_ERROR for a frame count outside 1..{@link #frameCount()};
     * BAD_PAGE for frames outside the guest's memory; EAGAIN while a grant of it is mapped or being
     * copied; BAD_DOMAIN once the table is retired. On error nothing changed.
     */
    public int placeInGuestFrames(final long gpfn, final int frames, final long frameBase)
    {
        synchronized (active)
        {
            if (active.retired || released)
            {
                return GrantStatus.BAD_DOMAIN;
            }
            if (frames < 1 || frames > frameCount)
            {
                return GrantStatus.GENERAL_ERROR;
            }
            if (active.activePins != 0)
            {
                return GrantStatus.EAGAIN;
            }
            if (!memory.wrapFrames(gpfn, frames, entries))
            {
                return GrantStatus.BAD_PAGE;
            }
            this.frameBase = frameBase;
            placedGpfn = gpfn;
            placedFrames = frames;
            entryCount = frames * ENTRIES_PER_FRAME;
            return GrantStatus.OKAY;
        }
    }

    /**
     * The guest-visible entries, which the granting domain writes.
     */
    public AtomicBuffer entries()
    {
        return entries;
    }

    public boolean isValidRef(final int ref)
    {
        return ref >= 0 && ref < entryCount;
    }

    // ---------------------------------------------------------------------------------------------
    // Granter side: what the owning guest does to its own table (Linux's gnttab_grant_foreign_access
    // and gnttab_end_foreign_access_ref).
    // ---------------------------------------------------------------------------------------------

    /**
     * Grants {@code grantee} access to guest frame {@code gpfn}: domid and frame are written first,
     * then the flags are published with a release store so that a hypervisor that sees
     * GTF_permit_access also sees the domid and frame it goes with.
     */
    public void grantAccess(final int ref, final int grantee, final long gpfn, final boolean readOnly)
    {
        if (!isValidRef(ref))
        {
            throw new IllegalArgumentException("grant ref out of range: " + ref);
        }
        if (released)
        {
            throw new IllegalStateException("the grant table of domain " + domid() + " is released (domain destroyed)");
        }
        requireHypervisorFrames();
        final int offset = entryOffset(ref);
        entries.putShort(offset + DOMID_OFFSET, (short)grantee);
        entries.putInt(offset + FRAME_OFFSET, (int)gpfn);
        entries.putShortVolatile(offset + FLAGS_OFFSET, (short)(GTF_PERMIT_ACCESS | (readOnly ? GTF_READONLY : 0)));
    }

    /**
     * Revokes a grant if no other domain has it mapped or is copying through it.
     *
     * @return false, leaving the entry as it is, while GTF_reading or GTF_writing is set.
     */
    public boolean endForeignAccess(final int ref)
    {
        if (!isValidRef(ref))
        {
            throw new IllegalArgumentException("grant ref out of range: " + ref);
        }
        if (released)
        {
            return true; // the table went with its domain: no grant of it can be in use any more
        }
        requireHypervisorFrames();
        final int offset = entryOffset(ref);
        while (true)
        {
            final int combined = entries.getIntVolatile(offset);
            if ((flagsOf(combined) & (GTF_READING | GTF_WRITING)) != 0)
            {
                return false;
            }
            if (entries.compareAndSetInt(offset, combined, combine(0, domidOf(combined))))
            {
                return true;
            }
        }
    }

    private void requireHypervisorFrames()
    {
        if (placedGpfn >= 0)
        {
            throw new IllegalStateException("domain " + domid + " keeps its grant table in its own memory and writes it itself");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Hypervisor side: pins taken on behalf of another domain.
    // ---------------------------------------------------------------------------------------------

    /**
     * Pins entry {@code ref} for {@code grantee}, read-only or writable, and marks it in use.
     *
     * @return {@link GrantStatus#OKAY} or a GNTST error; on error nothing changed.
     */
    int pin(final int grantee, final int ref, final boolean readOnly)
    {
        synchronized (active)
        {
            if (active.retired)
            {
                return GrantStatus.BAD_DOMAIN;
            }
            if (!isValidRef(ref))
            {
                return GrantStatus.BAD_GNTREF;
            }
            final int offset = entryOffset(ref);
            ensureActive(ref);
            final boolean firstPin = readPins[ref] == 0 && writePins[ref] == 0;
            if (!firstPin && activeDomid[ref] != grantee)
            {
                return GrantStatus.GENERAL_ERROR;
            }
            int combined = entries.getIntVolatile(offset);
            for (int retries = 0; ; retries++)
            {
                final int flags = flagsOf(combined);
                if ((flags & GTF_TYPE_MASK) != GTF_PERMIT_ACCESS || domidOf(combined) != grantee)
                {
                    return GrantStatus.GENERAL_ERROR;
                }
                if (!readOnly && (flags & GTF_READONLY) != 0)
                {
                    return GrantStatus.GENERAL_ERROR;
                }
                final int wanted = combine(flags | GTF_READING | (readOnly ? 0 : GTF_WRITING), grantee);
                if (wanted == combined || entries.compareAndSetInt(offset, combined, wanted))
                {
                    break;
                }
                if (retries == MAX_CAS_RETRIES)
                {
                    // The granter keeps rewriting the entry under us.
                    return GrantStatus.GENERAL_ERROR;
                }
                combined = entries.getIntVolatile(offset);
            }
            if (firstPin)
            {
                // Read once: the frame is what the granter had published when the entry was claimed.
                final long frame = (entries.getIntVolatile(offset + FRAME_OFFSET) & 0xFFFF_FFFFL) - frameBase;
                if (!memory.isValidFrame(frame))
                {
                    clearInUseFlags(ref, true, true);
                    return GrantStatus.BAD_PAGE;
                }
                activeFrame[ref] = (int)frame;
                activeDomid[ref] = grantee;
            }
            if (readOnly)
            {
                readPins[ref]++;
            }
            else
            {
                writePins[ref]++;
            }
            active.activePins++;
            return GrantStatus.OKAY;
        }
    }

    /** Grows the active entries to cover {@code ref}; under the active lock. */
    private void ensureActive(final int ref)
    {
        if (ref >= readPins.length)
        {
            final int length = Math.max(ref + 1, Math.min(2 * readPins.length, frameCount * ENTRIES_PER_FRAME));
            readPins = java.util.Arrays.copyOf(readPins, length);
            writePins = java.util.Arrays.copyOf(writePins, length);
            activeFrame = java.util.Arrays.copyOf(activeFrame, length);
            activeDomid = java.util.Arrays.copyOf(activeDomid, length);
        }
    }

    /**
     * Drops a pin taken by {@link #pin}; clears GTF_writing when the last writable pin goes and
     * GTF_reading when the last pin goes.
     */
    void unpin(final int ref, final boolean readOnly)
    {
        synchronized (active)
        {
            if (readOnly)
            {
                readPins[ref]--;
            }
            else
            {
                writePins[ref]--;
            }
            clearInUseFlags(ref, writePins[ref] == 0, readPins[ref] == 0 && writePins[ref] == 0);
            active.activePins--;
            if (active.retired && active.activePins == 0 && active.onQuiescent != null)
            {
                final Runnable callback = active.onQuiescent;
                active.onQuiescent = null;
                callback.run();
            }
        }
    }

    /**
     * Host address of the frame a pinned entry refers to.
     */
    long pinnedFrameAddress(final int ref)
    {
        synchronized (active)
        {
            return memory.hostAddressOfFrame(activeFrame[ref] & 0xFFFF_FFFFL);
        }
    }

    public long activePins()
    {
        synchronized (active)
        {
            return active.activePins;
        }
    }

    public boolean isPinned(final int ref)
    {
        synchronized (active)
        {
            return isValidRef(ref) && ref < readPins.length && (readPins[ref] | writePins[ref]) != 0;
        }
    }

    /**
     * Refuses every new pin from now on and runs {@code onQuiescent} once no pin is held (at once
     * if none is). The domain's memory must outlive the pins, as Xen keeps a dying domain's pages
     * until its grantees let go of them.
     */
    public void retire(final Runnable onQuiescent)
    {
        final boolean quiescent;
        synchronized (active)
        {
            active.retired = true;
            quiescent = active.activePins == 0;
            if (!quiescent)
            {
                active.onQuiescent = onQuiescent;
            }
        }
        if (quiescent)
        {
            onQuiescent.run();
        }
    }

    private void clearInUseFlags(final int ref, final boolean clearWriting, final boolean clearReading)
    {
        final int mask = (clearWriting ? GTF_WRITING : 0) | (clearReading ? GTF_READING : 0);
        if (mask == 0)
        {
            return;
        }
        final int offset = entryOffset(ref);
        // Bounded: a granter that rewrites its entry without end only keeps its own grant busy.
        for (int retries = 0; retries <= MAX_CAS_RETRIES * 4; retries++)
        {
            final int combined = entries.getIntVolatile(offset);
            final int cleared = combine(flagsOf(combined) & ~mask, domidOf(combined));
            if (cleared == combined || entries.compareAndSetInt(offset, combined, cleared))
            {
                return;
            }
        }
    }

    /**
     * Gives the table's frames back to the pool. Call after {@link #retire} has reported quiescence.
     */
    @Override
    public synchronized void close()
    {
        if (entries.capacity() != 0)
        {
            // Set before the frames go back to the pool: a late granter-side call must not reach them.
            released = true;
            entries.wrap(0, 0);
            allocator.free(FrameAllocator.DOMID_XEN, tableMfn, frameCount);
        }
    }
}
