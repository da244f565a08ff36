package io.javisor.emulation.device.rtc;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.javisor.emulation.device.rtc.GoldfishRtcDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The goldfish RTC as Linux's rtc-goldfish drives it: the time in nanoseconds since the epoch is read
 * low half first (which latches the high half), set high half first, and an armed alarm raises the
 * interrupt once its time has passed, if enabled, until cleared.
 */
class GoldfishRtcTest
{
    private long host = 1_764_000_000_123_456_789L; // late 2025, in ns
    private final List<Integer> irq = new ArrayList<>();
    private final GoldfishRtc rtc = new GoldfishRtc(() -> host, irq::add);

    @Test
    void readsTheHostsWallClockLowHalfFirst()
    {
        final long low = rtc.read(TIME_LOW, 4);
        host += 5L << 32; // the high half moves after the low read: the latched one must not
        final long high = rtc.read(TIME_HIGH, 4);
        assertEquals(1_764_000_000_123_456_789L, high << 32 | low);
        assertEquals(1, rtc.statistics().timeReads());
    }

    @Test
    void theGuestSetsItsOwnClockAsAnOffsetFromTheHosts()
    {
        final long wanted = 946_684_800_000_000_000L; // 2000-01-01
        rtc.write(TIME_HIGH, 4, wanted >>> 32);
        rtc.write(TIME_LOW, 4, wanted & 0xFFFF_FFFFL);
        host += 1_000_000_000L;
        final long low = rtc.read(TIME_LOW, 4);
        assertEquals(wanted + 1_000_000_000L, rtc.read(TIME_HIGH, 4) << 32 | low);
    }

    @Test
    void anEnabledAlarmRaisesTheLineOnceItsTimePassesUntilCleared()
    {
        final long at = host + 2_000_000L;
        rtc.write(IRQ_ENABLED, 4, 1);
        rtc.write(ALARM_HIGH, 4, at >>> 32);
        rtc.write(ALARM_LOW, 4, at & 0xFFFF_FFFFL);
        assertEquals(1, rtc.read(ALARM_STATUS, 4));
        rtc.poll();
        assertTrue(irq.isEmpty(), "not yet");
        host = at;
        rtc.poll();
        assertEquals(List.of(1), irq);
        assertEquals(0, rtc.read(ALARM_STATUS, 4), "fired");
        rtc.write(CLEAR_INTERRUPT, 4, 1);
        assertEquals(List.of(1, 0), irq);
        assertEquals(1, rtc.statistics().alarmsFired());
    }

    @Test
    void aDisabledOrClearedAlarmRaisesNothing()
    {
        rtc.write(ALARM_HIGH, 4, host >>> 32);
        rtc.write(ALARM_LOW, 4, (host & 0xFFFF_FFFFL) + 10);
        host += 100;
        rtc.poll();
        assertTrue(irq.isEmpty(), "interrupt not enabled");
        rtc.write(IRQ_ENABLED, 4, 1);
        rtc.write(ALARM_LOW, 4, (host & 0xFFFF_FFFFL) + 1_000);
        rtc.write(CLEAR_ALARM, 4, 1);
        host += 10_000;
        rtc.poll();
        assertTrue(irq.isEmpty(), "cleared alarm");
    }

    @Test
    void onlyAlignedWordAccessesInsideTheRegisters()
    {
        assertTrue(rtc.supports(TIME_LOW, 4));
        assertTrue(rtc.supports(CLEAR_INTERRUPT, 4));
        assertFalse(rtc.supports(TIME_LOW, 8));
        assertFalse(rtc.supports(2, 4));
        assertFalse(rtc.supports(0x20, 4));
    }
}
