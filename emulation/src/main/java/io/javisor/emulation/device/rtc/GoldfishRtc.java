package io.javisor.emulation.device.rtc;

import io.javisor.emulation.board.MmioDevice;
import io.javisor.emulation.board.PolledDevice;

import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

import static io.javisor.emulation.device.rtc.GoldfishRtcDescriptor.*;

/**
 * The goldfish real-time clock QEMU's {@code virt} board has: the guest reads the host's wall clock
 * (nanoseconds since the epoch), may set its own (kept as an offset from the host's), and may arm
 * one alarm that raises its interrupt line when the time passes it.
 * <p>
 * Thread safety: vCPU thread only. Register accesses and {@link #poll()} (between instruction slices)
 * run there, so an alarm fires at the first poll or access at or after its time.
 */
public final class GoldfishRtc implements MmioDevice, PolledDevice
{
    private final LongSupplier hostNanos;
    private final IntConsumer irqLine;
    private final GoldfishRtcStatistics statistics = new GoldfishRtcStatistics();
    /** Guest time minus host time: 0 until the guest sets the clock. */
    private long offsetNanos;
    private long latchedHigh;
    private long pendingTimeHigh;
    private long alarmHigh;
    private long alarmNanos;
    private boolean alarmArmed;
    private boolean irqEnabled;
    private boolean interrupt;

    /**
     * @param hostNanos the host's wall clock in nanoseconds since the epoch.
     * @param irqLine   the PLIC source's level (1 raised, 0 lowered).
     */
    public GoldfishRtc(final LongSupplier hostNanos, final IntConsumer irqLine)
    {
        this.hostNanos = hostNanos;
        this.irqLine = irqLine;
    }

    /** The host's wall clock as nanoseconds since the epoch, at millisecond resolution. */
    public static long wallClockNanos()
    {
        return System.currentTimeMillis() * 1_000_000L;
    }

    public GoldfishRtcStatistics statistics()
    {
        return statistics;
    }

    @Override
    public long size()
    {
        return SIZE;
    }

    @Override
    public boolean supports(final long offset, final int size)
    {
        return size == 4 && (offset & 3) == 0 && offset <= CLEAR_INTERRUPT;
    }

    @Override
    public long read(final long offset, final int size)
    {
        statistics.exits++;
        checkAlarm();
        return switch ((int)offset)
        {
            case TIME_LOW ->
            {
                final long now = now();
                statistics.timeReads++;
                latchedHigh = now >>> 32;
                yield now & 0xFFFF_FFFFL;
            }
            case TIME_HIGH -> latchedHigh;
            case ALARM_LOW -> alarmNanos & 0xFFFF_FFFFL;
            case ALARM_HIGH -> alarmNanos >>> 32;
            case IRQ_ENABLED -> irqEnabled ? 1 : 0;
            case ALARM_STATUS -> alarmArmed ? 1 : 0;
            default -> 0;
        };
    }

    @Override
    public void write(final long offset, final int size, final long value)
    {
        statistics.exits++;
        final long v = value & 0xFFFF_FFFFL;
        switch ((int)offset)
        {
            // Linux writes the high half first, then the low half, which takes effect.
            case TIME_HIGH -> pendingTimeHigh = v;
            case TIME_LOW -> offsetNanos = (pendingTimeHigh << 32 | v) - hostNanos.getAsLong();
            case ALARM_HIGH -> alarmHigh = v;
            case ALARM_LOW ->
            {
                alarmNanos = alarmHigh << 32 | v;
                alarmArmed = true;
            }
            case IRQ_ENABLED -> irqEnabled = (v & 1) != 0;
            case CLEAR_ALARM -> alarmArmed = false;
            case CLEAR_INTERRUPT ->
            {
                interrupt = false;
                irqLine.accept(0);
            }
            default ->
            {
                // read-only registers ignore writes
            }
        }
        checkAlarm();
    }

    @Override
    public void poll()
    {
        checkAlarm();
    }

    /** @return nanoseconds until the armed alarm fires (0 when due), or {@link Long#MAX_VALUE} when none is armed */
    public long nanosUntilAlarm()
    {
        if (!alarmArmed)
        {
            return Long.MAX_VALUE;
        }
        final long now = now();
        if (Long.compareUnsigned(now, alarmNanos) >= 0)
        {
            return 0;
        }
        final long left = alarmNanos - now;
        return left < 0 ? Long.MAX_VALUE : left;
    }

    private long now()
    {
        return hostNanos.getAsLong() + offsetNanos;
    }

    private void checkAlarm()
    {
        // Unsigned: nanoseconds since 1970 stay positive as longs until 2262, but a guest may write any value.
        if (alarmArmed && Long.compareUnsigned(now(), alarmNanos) >= 0)
        {
            alarmArmed = false;
            statistics.alarmsFired++;
            if (irqEnabled && !interrupt)
            {
                interrupt = true;
                irqLine.accept(1);
            }
        }
    }
}
