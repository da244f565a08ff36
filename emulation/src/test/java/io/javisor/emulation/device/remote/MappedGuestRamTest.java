package io.javisor.emulation.device.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.device.virtio.GuestRam;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stub's mapping of its guest's RAM is exactly the range it is told, over the file's own bytes (what
 * it writes is in the file at that offset, and nothing before or after is reachable), and a range that
 * is not whole pages or runs past the file is refused in one line without growing the file.
 */
class MappedGuestRamTest
{
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    @Test
    void theMappingIsTheGuestsRangeOfTheFileAndNothingElse() throws IOException
    {
        final Path file = file(4 * PAGE);
        try (MappedGuestRam mapped = MappedGuestRam.map(file, PAGE, 2 * PAGE))
        {
            final GuestRam ram = mapped.ram();
            assertEquals(2 * PAGE, ram.size());
            ram.putInt(0, 0x1234_5678);
            ram.putInt(2 * PAGE - 4, 0x0BAD_CAFE);
            assertEquals(-1, ram.offsetOf(RamBus.RAM_BASE + 2 * PAGE - 2, 4), "a range past the guest's RAM is not RAM");
        }
        final byte[] bytes = Files.readAllBytes(file);
        assertEquals(0x78, bytes[PAGE] & 0xFF, "guest byte 0 is file byte " + PAGE);
        assertEquals(0xFE, bytes[3 * PAGE - 4] & 0xFF, "the guest's last word is just before the range's end");
        for (final int outside : new int[] {0, PAGE - 1, 3 * PAGE, 4 * PAGE - 1})
        {
            assertEquals(0, bytes[outside], "file byte " + outside + " is outside the guest's range");
        }
    }

    @Test
    void aRangeThatIsNotWholePagesOrRunsPastTheFileIsRefusedInOneLine() throws IOException
    {
        final Path file = file(2 * PAGE);
        final IllegalArgumentException unaligned = assertThrows(IllegalArgumentException.class,
            () -> MappedGuestRam.map(file, 100, PAGE));
        assertEquals("guest RAM of 4096 bytes at offset 100 is not whole pages of at most 2 GiB", unaligned.getMessage());
        final IOException past = assertThrows(IOException.class, () -> MappedGuestRam.map(file, PAGE, 2 * PAGE));
        assertEquals("guest RAM file " + file + " has 8192 bytes, fewer than offset 4096 + length 8192", past.getMessage());
        assertEquals(2 * PAGE, Files.size(file), "the refused mapping did not grow the file");
        assertThrows(IOException.class, () -> MappedGuestRam.map(dir.resolve("missing"), 0, PAGE));
    }

    private Path file(final int length) throws IOException
    {
        final Path file = dir.resolve("machine-memory");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(length);
        }
        return file;
    }
}
