package io.javisor.core.stubdom;

import io.javisor.core.ProcessCensus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.core.DomainState;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.MachineExit;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An HVM guest's ATA disk model in a stub domain: the ata-disk guest passes through it, and destroy leaves nothing. */
@Timeout(120)
class StubDomainGuestTest
{
    @TempDir
    Path dir;

    @Test
    void theAtaDiskGuestPassesThroughAStubDomainAndDestroyLeavesNothingBehind() throws Exception
    {
        final Path image = StubGuests.image(dir, "disk.img");
        try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128)))
        {
            runAndDestroy(hypervisor, image, 0);
            final ProcessCensus before = StubGuests.CENSUS.take();
            runAndDestroy(hypervisor, image, 1);
            StubGuests.CENSUS.settledEqualTo(before).assertSameAs(before);
        }
        final byte[] sector = new byte[8 * 512];
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "r"))
        {
            file.seek(16 * 512);
            file.readFully(sector);
        }
        final byte[] expected = new byte[8 * 512];
        for (int i = 0; i < expected.length; i++)
        {
            expected[i] = (byte)(i * 13 + 1 + (i >> 9));
        }
        assertArrayEquals(expected, sector, "the guest's pattern is on the image the stub domain wrote");
    }

    private static void runAndDestroy(final Hypervisor hypervisor, final Path image, final int round) throws Exception
    {
        final StubGuests.Started started = StubGuests.ataDisk(hypervisor, "stubbed-" + round, image, true);
        assertEquals(1, StubGuests.stubProcesses().size(), "the guest's stub domain runs while it does");
        final MachineExit exit = started.guest().awaitExit(1, TimeUnit.MINUTES);
        assertEquals(0, exit.exitCode(), exit + "\n" + started.console().text());
        assertEquals(GuestImages.expectedOutput("ata-disk"), started.console().text(), "output vs expected/ata-disk.out");
        assertEquals(DomainState.SHUTDOWN, started.domain().state());
        assertTrue(hypervisor.destroyDomain(started.domain().id()));
    }
}
