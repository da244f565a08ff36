package io.javisor.emulation.device.ata;

import io.javisor.memory.stats.SingleWriterCounters;

/**
 * Counters of one emulated ATA device, readable from any thread.
 * <p>
 * <b>Single writer: the vCPU thread</b> that runs the guest's register accesses (every counter
 * is bumped inside {@link AtaDevice}'s register handlers). A write is a plain read of the writer's
 * own value and a release store; readers load with acquire, so they see a whole, recent value.
 * Counters are independent: reading several is not a snapshot of one instant.
 * <p>
 * The headline figure of the emulated path is {@link #exitsPerIo()}: every register access is a
 * trap into the model, and a 4 KiB PIO read costs 8 × 256 data-register reads plus the task file.
 */
public final class AtaStatistics
{
    static final int REGISTER_READS = 0;
    static final int REGISTER_WRITES = 1;
    static final int DATA_ACCESSES = 2;
    static final int COMMANDS = 3;
    static final int READS = 4;
    static final int WRITES = 5;
    static final int FLUSHES = 6;
    static final int SECTORS_READ = 7;
    static final int SECTORS_WRITTEN = 8;
    static final int ERRORS = 9;
    static final int SPURIOUS_DATA = 10;
    static final int INTERRUPTS = 11;
    static final int RESETS = 12;
    static final int ABORTED_TRANSFERS = 13;
    private static final int COUNT = 14;

    private final SingleWriterCounters counters = new SingleWriterCounters(COUNT);

    void increment(final int id)
    {
        counters.increment(id);
    }

    void add(final int id, final long delta)
    {
        counters.add(id, delta);
    }

    private long get(final int id)
    {
        return counters.get(id);
    }

    /** Register reads (each one a trap), data port included. */
    public long registerReads()
    {
        return get(REGISTER_READS);
    }

    /** Register writes (each one a trap), data port included. */
    public long registerWrites()
    {
        return get(REGISTER_WRITES);
    }

    /** Every trap into the device: reads plus writes. */
    public long exits()
    {
        return registerReads() + registerWrites();
    }

    /** Accesses of the data port (a subset of the exits). */
    public long dataAccesses()
    {
        return get(DATA_ACCESSES);
    }

    /** Commands written to the command register and executed (device 0 selected, not in reset). */
    public long commands()
    {
        return get(COMMANDS);
    }

    /** Read commands that completed (READ SECTORS/MULTIPLE, with or without EXT). */
    public long reads()
    {
        return get(READS);
    }

    /** Write commands that completed. */
    public long writes()
    {
        return get(WRITES);
    }

    /** FLUSH CACHE (EXT) commands that completed. */
    public long flushes()
    {
        return get(FLUSHES);
    }

    /** IOs: completed reads, writes and flushes. */
    public long ios()
    {
        return reads() + writes() + flushes();
    }

    /** Exits per IO so far, or 0 before the first IO. */
    public double exitsPerIo()
    {
        final long ios = ios();
        return ios == 0 ? 0 : (double)exits() / ios;
    }

    public long sectorsRead()
    {
        return get(SECTORS_READ);
    }

    public long sectorsWritten()
    {
        return get(SECTORS_WRITTEN);
    }

    /** Commands that ended with ERR set (aborted, out of range, IO error). */
    public long errors()
    {
        return get(ERRORS);
    }

    /** Data port accesses while DRQ was clear: read as 0 or ignored. */
    public long spuriousDataAccesses()
    {
        return get(SPURIOUS_DATA);
    }

    /** Times INTRQ was raised towards the PLIC (nIEN clear). */
    public long interrupts()
    {
        return get(INTERRUPTS);
    }

    /** Soft resets (SRST) and EXECUTE DEVICE DIAGNOSTIC. */
    public long resets()
    {
        return get(RESETS);
    }

    /** Data transfers cut short by a new command, a reset, or a device-1 selection. */
    public long abortedTransfers()
    {
        return get(ABORTED_TRANSFERS);
    }

    @Override
    public String toString()
    {
        return "AtaStatistics{exits=" + exits() + ", ios=" + ios() + ", reads=" + reads() + ", writes=" + writes() +
            ", flushes=" + flushes() + ", sectorsRead=" + sectorsRead() + ", sectorsWritten=" + sectorsWritten() +
            ", errors=" + errors() + ", spurious=" + spuriousDataAccesses() + ", interrupts=" + interrupts() + "}";
    }
}
