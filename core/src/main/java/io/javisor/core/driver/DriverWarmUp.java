package io.javisor.core.driver;

import io.javisor.blkback.BlkRequestDecoder;
import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.RawFileImage;
import io.javisor.blkback.wire.BlkifDescriptor;
import io.javisor.blkback.wire.BlkifResponse;
import io.javisor.memory.PageDescriptor;
import io.javisor.ringio.ring.BackRing;
import io.javisor.ringio.ring.FrontRing;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What a driver domain process runs before it serves: the classes of its serving path loaded and
 * initialised, and its ring, request-decoding, image and file-mapping code run enough times to be
 * compiled, on private memory and a private temporary file (never a guest's frame). A restart then costs the handshake, not a
 * cold JVM's class loading. Called once, on the main thread.
 */
final class DriverWarmUp
{
    static final int ROUNDS = 20_000;

    private DriverWarmUp()
    {
    }

    static void run()
    {
        try
        {
            rings();
            mappings();
            XenbusState.parse(XenbusState.CONNECTED.toText());
        }
        catch (final IOException | RuntimeException ex)
        {
            // Only speed is lost.
            System.err.println("warm-up: " + ex);
        }
    }

    private static void rings()
    {
        final UnsafeBuffer page = new UnsafeBuffer(ByteBuffer.allocateDirect(PageDescriptor.PAGE_SIZE));
        final FrontRing front = new FrontRing(page, BlkifDescriptor.REQUEST_LENGTH).initialise();
        final BackRing back = new BackRing(page, BlkifDescriptor.REQUEST_LENGTH).attach();
        final UnsafeBuffer request = new UnsafeBuffer(new byte[BlkifDescriptor.REQUEST_LENGTH]);
        final BlkifResponse response = new BlkifResponse();
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[BlkifDescriptor.REQUEST_LENGTH]);
        final BlkRequestDecoder decoder = new BlkRequestDecoder();
        for (int i = 0; i < ROUNDS; i++)
        {
            final int slot = front.claimRequest();
            page.putLong(slot + BlkifDescriptor.ID_OFFSET, i);
            page.putByte(slot + BlkifDescriptor.NR_SEGMENTS_OFFSET, (byte)1);
            page.putByte(slot + BlkifDescriptor.SEGMENTS_OFFSET + BlkifDescriptor.SEGMENT_LAST_SECT_OFFSET, (byte)7);
            front.pushRequests();
            final int available = back.unconsumedRequests();
            for (int r = 0; r < available; r++)
            {
                back.copyRequest(request, 0);
                decoder.decode(request, 1 << 20, false, null);
                response.wrap(back.buffer(), back.claimResponse()).write(request.getLong(BlkifDescriptor.ID_OFFSET),
                    BlkifDescriptor.OP_READ, BlkifDescriptor.STATUS_OKAY);
            }
            back.pushResponses();
            back.finalCheckForRequests();
            for (int r = front.responsesAvailable(); r > 0; r--)
            {
                front.copyResponse(copy, 0);
            }
        }
    }

    /**
     * The image code the devices run, on the private file: opening loads its native hole punching
     * (a few hundred milliseconds in a cold JVM, which a restart must not pay), and reads, writes,
     * flushes and discards run enough to be compiled.
     */
    private static void images(final Path file)
    {
        try (DiskImage image = RawFileImage.open(file, false))
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(PageDescriptor.PAGE_SIZE);
            for (int i = 0; i < 500; i++)
            {
                image.write(0, buffer.clear());
                image.read(0, buffer.clear());
            }
            image.flush();
            image.discard(0, PageDescriptor.PAGE_SIZE);
        }
    }

    private static void mappings() throws IOException
    {
        final Path file = Files.createTempFile("javisor-ddom-warmup-", ".bin");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(PageDescriptor.PAGE_SIZE), 0);
            images(file);
            for (int i = 0; i < 200; i++)
            {
                try (Arena arena = Arena.ofConfined())
                {
                    final MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, PageDescriptor.PAGE_SIZE, arena);
                    final ByteBuffer buffer = segment.asByteBuffer();
                    buffer.limit(PageDescriptor.PAGE_SIZE).position(0);
                    channel.read(buffer, 0);
                    buffer.position(0);
                    channel.write(buffer, 0);
                }
            }
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }
}
