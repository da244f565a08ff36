package io.javisor.emulation.device.rtc;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.javisor.emulation.device.rtc.GoldfishRtcDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest that writes anything to the RTC while time runs on (and jumps): the model never throws,
 * its clock stays the host's plus whatever the guest last set (modulo 2^64), the line only rises
 * while the interrupt is enabled and never twice without falling between, and a normal alarm works after.
 */
@Seeded
class GoldfishRtcHostileTest
{
    private long host = 1_764_000_000_000_000_000L;
    private int line;
    private int raises;

    @Test
    void randomRegisterWritesAndReadsLeaveAConsistentClockAndLine(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        final GoldfishRtc rtc = new GoldfishRtc(() -> host, level ->
        {
            if (level == 1)
            {
                assertEquals(0, line, "never raised twice without falling between");
            }
            line = level;
            raises += level;
        });
        long offset = 0;       // what the guest set, as the model should keep it
        long pendingHigh = 0;  // TIME_HIGH as last written
        for (int i = 0; i < 200_000; i++)
        {
            host += random.nextInt(8) == 0 ? random.nextLong() >>> 8 : random.nextInt(1_000_000);
            final int register = random.nextInt(8) * 4;
            final long value = random.nextInt(4) == 0 ? random.nextInt(2) : random.nextLong() & 0xFFFF_FFFFL;
            final boolean enabledBefore = rtc.read(IRQ_ENABLED, 4) == 1;
            final int raisesBefore = raises;
            if (random.nextBoolean())
            {
                rtc.write(register, 4, value);
                if (register == TIME_HIGH)
                {
                    pendingHigh = value;
                }
                else if (register == TIME_LOW)
                {
                    offset = (pendingHigh << 32 | value) - host;
                }
            }
            else if (register == TIME_LOW)
            {
                final long low = rtc.read(TIME_LOW, 4);
                assertEquals((host + offset) & 0xFFFF_FFFFL, low, "low half of host time plus the guest's offset");
                assertEquals((host + offset) >>> 32, rtc.read(TIME_HIGH, 4), "and its latched high half");
            }
            else
            {
                rtc.read(register, 4);
            }
            if (random.nextInt(16) == 0)
            {
                rtc.poll();
            }
            if (raises != raisesBefore)
            {
                assertTrue(enabledBefore || rtc.read(IRQ_ENABLED, 4) == 1, "a rise only with the interrupt enabled");
            }
        }
        // A normal alarm afterwards.
        rtc.write(CLEAR_INTERRUPT, 4, 1);
        rtc.write(IRQ_ENABLED, 4, 1);
        final long now = host + offset;
        final long at = now + 1_000_000L;
        rtc.write(ALARM_HIGH, 4, at >>> 32);
        rtc.write(ALARM_LOW, 4, at & 0xFFFF_FFFFL);
        assertEquals(0, line);
        host += 1_000_000L;
        rtc.poll();
        assertEquals(1, line, "the alarm fires on time after the abuse");
        assertTrue(rtc.statistics().exits() > 200_000);
    }
}
