package io.javisor.emulation.machine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The board's time base: 10 MHz unless configured finer, up to one tick per host nanosecond. */
class TimeBaseTest
{
    @ParameterizedTest
    @ValueSource(longs = {0, -1, 3, 7_000_000, 2_000_000_000L})
    void aTimeBaseThatDoesNotDivideOneGigahertzIsRefused(final long hz)
    {
        final MachineConfig config = new MachineConfig().kernel(GuestPrograms.image("hello")).timebaseHz(hz);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, config::validate);
        assertTrue(ex.getMessage().contains("time base"), ex.getMessage());
    }

    @Test
    void theDefaultIsQemuVirtsTenMegahertz()
    {
        assertEquals(10_000_000L, new MachineConfig().timebaseHz());
        assertEquals(100, new MachineConfig().nanosPerTick());
    }

    @ParameterizedTest
    @ValueSource(longs = {10_000_000L, 100_000_000L, 1_000_000_000L})
    void mtimeCountsAtTheConfiguredRate(final long hz) throws Exception
    {
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().memoryMiB(8).timebaseHz(hz)
            .kernel(GuestPrograms.image("hello"))))
        {
            final long t0 = machine.clint().mtime();
            final long n0 = System.nanoTime();
            Thread.sleep(30);
            final long n1 = System.nanoTime();
            final long t1 = machine.clint().mtime();
            final double expected = (n1 - n0) * hz / 1e9;
            // Both come from System.nanoTime: the ticks are the host's nanoseconds at the rate, to a tick either way
            // (and the few microseconds between the paired readings).
            assertEquals(expected, t1 - t0, 1 + expected * 0.01, hz + " Hz over " + (n1 - n0) + " ns");
        }
    }
}
