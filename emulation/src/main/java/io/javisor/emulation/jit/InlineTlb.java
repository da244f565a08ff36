package io.javisor.emulation.jit;

import java.util.Arrays;

/**
 * The data TLB that translated code compares inline under Sv39: per slot, the virtual page loads and
 * stores may use without a call, and what to add to a virtual address on it for the host address and
 * for the physical one.
 * Thread safety: the hart's thread only (translated code reads it, the MMU and the interpreter write it).
 * <p>
 * <b>Invariant: a subset of the MMU's TLB.</b> Slot {@code i} here is filled only from the MMU's slot
 * {@code i} (same index function, {@link #SLOTS} entries each) right after a translation through it, and
 * cleared whenever the MMU refills or drops that slot. So an inline hit gives exactly the physical page
 * the interpreter's translation would, even where a guest edits a PTE without SFENCE.VMA. The MMU's
 * hits re-check permissions under the current privilege, MPRV, SUM and MXR; the verdicts cached here
 * were made under the {@link #stateKey} they were filled in, and everything is dropped when that changes.
 * Only RAM pages are cached; a store is allowed only where the PTE's D bit is already set (else the MMU
 * must walk to set it).
 */
public final class InlineTlb
{
    /** Slots; equal to the MMU's TLB size, with the same index: bits 12.. of the virtual address. */
    public static final int SLOTS = 256;
    /** An empty tag: its low bits are all set, which no masked address compared with it has. */
    static final long EMPTY = -1;

    /** Virtual page base that loads may use, per slot, or {@link #EMPTY}. */
    public final long[] loadTag = new long[SLOTS];
    /** Virtual page base that stores may use, per slot, or {@link #EMPTY}. */
    public final long[] storeTag = new long[SLOTS];
    /** Host address minus virtual address on the slot's page. */
    public final long[] hostAddend = new long[SLOTS];
    /** Physical address minus virtual address on the slot's page. */
    public final long[] physicalAddend = new long[SLOTS];
    /** The privilege and mstatus bits the verdicts were made under ({@link #sync}). */
    private long stateKey = -1;

    public InlineTlb()
    {
        clearAll();
    }

    /** The slot of a virtual address. */
    public static int slot(final long va)
    {
        return (int)(va >>> 12) & (SLOTS - 1);
    }

    public void clear(final int slot)
    {
        loadTag[slot] = EMPTY;
        storeTag[slot] = EMPTY;
    }

    public void clearAll()
    {
        Arrays.fill(loadTag, EMPTY);
        Arrays.fill(storeTag, EMPTY);
    }

    /** Drop every verdict unless they were made under {@code key} (data privilege, SUM, MXR). */
    public void sync(final long key)
    {
        if (key != stateKey)
        {
            clearAll();
            stateKey = key;
        }
    }

    /** Cache the RAM page at physical {@code pa} (host {@code host}) for virtual {@code va}. */
    public void fill(final long va, final long pa, final long host, final boolean loads, final boolean stores)
    {
        final int slot = slot(va);
        final long page = va & ~0xFFFL;
        hostAddend[slot] = (host & ~0xFFFL) - page;
        physicalAddend[slot] = (pa & ~0xFFFL) - page;
        loadTag[slot] = loads ? page : EMPTY;
        storeTag[slot] = stores ? page : EMPTY;
    }
}
