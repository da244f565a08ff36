package io.javisor.blkback.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

import static io.javisor.blkback.image.DiskImage.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class RawFileImageTest extends DiskImageContract
{
    private static final byte FILL = 0x5A;

    @TempDir
    Path dir;

    private int files;

    private Path file(final int size, final byte fill) throws IOException
    {
        final Path path = dir.resolve("disk-" + files++ + ".img");
        final byte[] content = new byte[size];
        Arrays.fill(content, fill);
        Files.write(path, content);
        return path;
    }

    @Override
    DiskImage newImage(final int size) throws IOException
    {
        return RawFileImage.open(file(size, (byte)0), false);
    }

    @Override
    DiskImage newReadOnlyImage(final int size) throws IOException
    {
        return RawFileImage.open(file(size, FILL), true);
    }

    @Override
    byte readOnlyFill()
    {
        return FILL;
    }

    @Test
    void aReadOnlyImageLeavesTheFileUnchanged() throws IOException
    {
        final Path path = file(SIZE, FILL);
        final byte[] before = Files.readAllBytes(path);
        try (RawFileImage image = RawFileImage.open(path, true))
        {
            assertEquals(E_ROFS, image.write(0, pattern(4096, 1)));
            assertEquals(E_ROFS, image.discard(0, SIZE));
            assertEquals("raw " + path + " (ro)", image.description());
        }
        assertArrayEquals(before, Files.readAllBytes(path));
    }

    @Test
    void aRefusedOutOfRangeWriteLeavesTheFileUnchangedAndUngrown() throws IOException
    {
        final Path path = file(SIZE, (byte)0);
        try (RawFileImage image = RawFileImage.open(path, false))
        {
            assertEquals(E_RANGE, image.write(SIZE - 512, pattern(1024, 1)));
            assertEquals(E_RANGE, image.write(SIZE, pattern(512, 1)));
        }
        assertArrayEquals(new byte[SIZE], Files.readAllBytes(path));
    }

    @Test
    void dataWrittenAndFlushedIsThereWhenTheImageIsOpenedAgain() throws IOException
    {
        final Path path = file(SIZE, (byte)0);
        try (RawFileImage image = RawFileImage.open(path, false))
        {
            assertEquals("raw " + path + " (rw)", image.description());
            assertEquals(OK, image.write(12288, pattern(2048, 4)));
            assertEquals(OK, image.flush());
        }
        try (DiskImage image = DiskImages.open("format=raw, vdev=xvda, access=ro, target=" + path))
        {
            final ByteBuffer dst = window(0, 2048);
            assertEquals(OK, image.read(12288, dst));
            assertPattern(dst, 0, 2048, 4);
        }
        final ByteBuffer onDisk = ByteBuffer.wrap(Files.readAllBytes(path));
        assertPattern(onDisk, 12288, 2048, 4);
        assertEquals(SIZE, onDisk.capacity(), "the file kept its size");
    }

    @Test
    void aMissingFileIsReportedByPath()
    {
        final Path path = dir.resolve("nope.img");
        final DiskImageException ex = assertThrows(DiskImageException.class, () -> RawFileImage.open(path, false));
        assertEquals("disk image not found: " + path, ex.getMessage());
    }

    @Test
    void aSizeThatIsNotWholeSectorsIsRefusedAtOpen() throws IOException
    {
        final Path path = file(1000, (byte)0);
        final DiskImageException ex = assertThrows(DiskImageException.class, () -> RawFileImage.open(path, true));
        assertEquals("disk image " + path + ": size 1000 is not a multiple of 512", ex.getMessage());
    }

    @Test
    void aDirectoryOrAnEmptyFileIsRefusedAtOpen() throws IOException
    {
        final DiskImageException directory = assertThrows(DiskImageException.class, () -> RawFileImage.open(dir, false));
        assertEquals("disk image " + dir + " is a directory, not an image file", directory.getMessage());

        final Path empty = file(0, (byte)0);
        final DiskImageException ex = assertThrows(DiskImageException.class, () -> RawFileImage.open(empty, false));
        assertEquals("disk image " + empty + " is empty (size 0)", ex.getMessage());
    }

    @Test
    void aFileWithoutWritePermissionOpensReadOnlyButNotReadWrite() throws IOException
    {
        final Path path = file(SIZE, FILL);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("r--r--r--"));
        assumeFalse(Files.isWritable(path), "root may write anything");

        final DiskImageException ex = assertThrows(DiskImageException.class, () -> RawFileImage.open(path, false));
        assertEquals("disk image " + path + ": permission denied for read-write access (access=ro opens it read-only)",
            ex.getMessage());
        try (RawFileImage image = RawFileImage.open(path, true))
        {
            assertEquals(SIZE, image.sizeInBytes());
        }
    }

    @Test
    void aFileThatShrankUnderTheImageGivesAnIoErrorNotAShortRead() throws IOException
    {
        final Path path = file(SIZE, FILL);
        try (RawFileImage image = RawFileImage.open(path, false))
        {
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE))
            {
                channel.truncate(SIZE / 2);
            }
            assertEquals(OK, image.read(0, window(0, 512)));
            assertEquals(E_IO, image.read(SIZE - 512, window(0, 512)));
        }
    }

    @Test
    void anInterruptedRequestFailsButTheImageStaysUsable() throws IOException
    {
        final Path path = file(SIZE, FILL);
        try (RawFileImage image = RawFileImage.open(path, false))
        {
            Thread.currentThread().interrupt();
            try
            {
                assertEquals(E_IO, image.read(0, window(0, 512)), "NIO closed the channel on interrupt");
            }
            finally
            {
                assertTrue(Thread.interrupted(), "the interrupt is left for the caller to see");
            }

            final ByteBuffer dst = window(0, 512);
            assertEquals(OK, image.read(0, dst), "the channel was opened again");
            assertEquals(FILL, dst.get(0));
            assertEquals(OK, image.write(0, pattern(512, 6)));
            assertEquals(OK, image.flush());
        }
        assertPattern(ByteBuffer.wrap(Files.readAllBytes(path)), 0, 512, 6);
    }

    @Test
    void ioAfterCloseFails() throws IOException
    {
        final RawFileImage image = RawFileImage.open(file(SIZE, FILL), false);
        image.close();
        image.close();
        assertEquals(E_IO, image.read(0, window(0, 512)));
        assertEquals(E_IO, image.write(0, pattern(512, 1)));
        assertEquals(E_IO, image.flush());
        assertEquals(E_IO, image.discard(0, 512));
    }

    @Test
    void errorMessagesAreOneLine() throws IOException
    {
        final Path bad = file(700, (byte)0);
        for (final Path path : new Path[] {dir.resolve("missing"), dir, bad})
        {
            final DiskImageException ex = assertThrows(DiskImageException.class, () -> RawFileImage.open(path, false));
            assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
            assertTrue(ex.getMessage().contains(path.toString()), ex.getMessage());
        }
    }
}
