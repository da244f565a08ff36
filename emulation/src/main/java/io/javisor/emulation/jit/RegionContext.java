package io.javisor.emulation.jit;

/**
 * What translated code needs from the interpreter that runs it: data address translation under
 * paging, and the bookkeeping after a store that may have hit code or the LR/SC reservation.
 * Thread safety: used by the hart's thread only, apart from {@link #stopRequested}, which any thread
 * may set (a volatile write) and translated code reads at every loop header.
 */
public abstract class RegionContext
{
    /** Access kinds for {@link #translate}. */
    public static final int LOAD = 1;
    public static final int STORE = 2;

    /**
     * One byte per 4 KiB RAM page: non-zero when the page holds pre-decoded or translated code or the
     * LR/SC reservation, so a store there must call {@link #codeWritten}. Invariant: a page with a
     * decoded slot, a translated region or the reserved address is flagged; a flag may outlive its
     * reason (a spurious call is harmless). The reservation is only ever set by LR, which flags its page.
     */
    public final byte[] codePages;

    /** {@link #deviceOutcome}: the device access completed; the region goes on. */
    public static final int DEVICE_DONE = 0;
    /**
     * {@link #deviceOutcome}: the access completed, and then an enabled interrupt became pending, a stop
     * was requested or translated code was invalidated (device DMA onto code): the region must leave right
     * after the instruction.
     */
    public static final int DEVICE_DONE_LEAVE = 1;
    /**
     * {@link #deviceOutcome}: nothing was done (no device there, or RAM that the inline path left to the
     * interpreter); the region leaves before the instruction and the interpreter runs it (and traps).
     */
    public static final int DEVICE_REFUSED = 2;

    /** The data TLB translated code compares inline under Sv39. */
    public final InlineTlb tlb = new InlineTlb();

    /** Set by {@code Interpreter.requestStop}; translated loops leave at their next header. */
    public volatile boolean stopRequested;

    /**
     * What the last {@link #deviceLoad} or {@link #deviceStore} did: one of {@link #DEVICE_DONE},
     * {@link #DEVICE_DONE_LEAVE}, {@link #DEVICE_REFUSED}. Written and read by the hart's thread only.
     */
    public int deviceOutcome;

    /** Host address of guest RAM minus its physical base: host = pa + hostOffset. */
    public final long hostOffset;
    /** RAM size minus 8: the largest RAM offset the inline check lets any access start at. */
    public final long ramLimit;

    protected RegionContext(final long ramAddress, final long ramSize)
    {
        this.hostOffset = ramAddress - RegionCompiler.RAM_BASE;
        this.ramLimit = ramSize - 8;
        this.codePages = new byte[(int)((ramSize + 4095) >>> 12) + 1];
    }

    /**
     * Translate a data address under the current translation state.
     *
     * @return the physical address, or -1 on a fault (the interpreter re-executes the access and traps)
     */
    public abstract long translate(long va, int access);

    /**
     * Bookkeeping after translated code stored {@code size} bytes at physical {@code pa} in RAM on a
     * flagged page or with a reservation held: drop decoded instructions and translated regions that
     * cover the bytes, and the reservation if it covers them.
     *
     * @return whether a translated region was invalidated: the caller must leave right after the store
     */
    public abstract boolean codeWritten(long pa, int size);

    /**
     * A load from translated code at a naturally aligned physical address outside the inline RAM path:
     * a direct call into the bus and the device model on the hart's thread, not a trip through the
     * interpreter. Sets {@link #deviceOutcome}.
     *
     * @return the value, zero-extended (the caller sign-extends), when the outcome is not refused
     */
    public abstract long deviceLoad(long pa, int size);

    /** The store counterpart of {@link #deviceLoad}; sets {@link #deviceOutcome}. */
    public abstract void deviceStore(long pa, int size, long value);
}
