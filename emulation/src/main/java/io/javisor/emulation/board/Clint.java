package io.javisor.emulation.board;

import java.util.function.LongSupplier;

/**
 * Core-local interruptor for hart 0: {@code msip} (bit 0 → MSIP), {@code mtimecmp} and
 * {@code mtime}. {@code mtime} counts at the board's time base (10 MHz unless the machine is
 * configured finer) from an injected time source plus an offset a guest write sets. MTIP is {@code mtime >= mtimecmp} (unsigned), re-evaluated on every access
 * and on {@link #tick()}. Accepted accesses: msip 4 bytes; mtimecmp and mtime 8 bytes or either
 * 4-byte half; everything else faults.
 */
public final class Clint implements MmioDevice
{
    private final LongSupplier ticks;
    private final InterruptSink sink;
    private long offset;
    private long mtimecmp = -1L;
    private boolean msip;
    private boolean mtip;

    /** @param ticks the time source at the board's time base, e.g. {@code () -> System.nanoTime() / 100} for 10 MHz */
    public Clint(final LongSupplier ticks, final InterruptSink sink)
    {
        this.ticks = ticks;
        this.sink = sink;
        sink.setPending(InterruptSink.MSIP, false);
        sink.setPending(InterruptSink.MTIP, false);
    }

    public Clint(final InterruptSink sink)
    {
        this(() -> System.nanoTime() / 100, sink);
    }

    @Override
    public long size()
    {
        return ClintDescriptor.SIZE;
    }

    @Override
    public boolean supports(final long off, final int size)
    {
        if (off == ClintDescriptor.MSIP)
        {
            return size == 4;
        }
        if (off == ClintDescriptor.MTIMECMP || off == ClintDescriptor.MTIME)
        {
            return size == 4 || size == 8;
        }
        if (off == ClintDescriptor.MTIMECMP + 4 || off == ClintDescriptor.MTIME + 4)
        {
            return size == 4;
        }
        return false;
    }

    public long mtime()
    {
        return ticks.getAsLong() + offset;
    }

    public long mtimecmp()
    {
        return mtimecmp;
    }

    @Override
    public long read(final long off, final int size)
    {
        final long v;
        if (off == ClintDescriptor.MSIP)
        {
            v = msip ? 1 : 0;
        }
        else if (off == ClintDescriptor.MTIMECMP)
        {
            v = size == 8 ? mtimecmp : mtimecmp & 0xFFFF_FFFFL;
        }
        else if (off == ClintDescriptor.MTIMECMP + 4)
        {
            v = mtimecmp >>> 32;
        }
        else if (off == ClintDescriptor.MTIME)
        {
            final long t = mtime();
            v = size == 8 ? t : t & 0xFFFF_FFFFL;
        }
        else
        {
            v = mtime() >>> 32;
        }
        tick();
        return v;
    }

    @Override
    public void write(final long off, final int size, final long value)
    {
        if (off == ClintDescriptor.MSIP)
        {
            final boolean level = (value & 1) != 0;
            if (level != msip)
            {
                msip = level;
                sink.setPending(InterruptSink.MSIP, level);
            }
        }
        else if (off == ClintDescriptor.MTIMECMP)
        {
            mtimecmp = size == 8 ? value : (mtimecmp & 0xFFFF_FFFF_0000_0000L) | (value & 0xFFFF_FFFFL);
        }
        else if (off == ClintDescriptor.MTIMECMP + 4)
        {
            mtimecmp = (mtimecmp & 0xFFFF_FFFFL) | (value << 32);
        }
        else
        {
            final long now = mtime();
            final long t;
            if (off == ClintDescriptor.MTIME)
            {
                t = size == 8 ? value : (now & 0xFFFF_FFFF_0000_0000L) | (value & 0xFFFF_FFFFL);
            }
            else
            {
                t = (now & 0xFFFF_FFFFL) | (value << 32);
            }
            offset = t - ticks.getAsLong();
        }
        tick();
    }

    /** Re-evaluate MTIP against the current time; the runner calls this periodically. */
    public void tick()
    {
        final boolean level = Long.compareUnsigned(mtime(), mtimecmp) >= 0;
        if (level != mtip)
        {
            mtip = level;
            sink.setPending(InterruptSink.MTIP, level);
        }
    }
}
