package io.javisor.blkback;

import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.wire.BlkifResponse;
import io.javisor.memory.GrantMapper;
import io.javisor.memory.HostMemoryWindow;
import io.javisor.ringio.ring.BackRing;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static io.javisor.blkback.wire.BlkifDescriptor.*;
import static io.javisor.memory.PageDescriptor.PAGE_SIZE;

/**
 * The blkif data plane of one agent: takes each request out of a device's ring once into a
 * private copy, validates the copy, moves the data between the disk image and the front end's
 * granted frames in place (a ByteBuffer window onto the mapped frame: no intermediate copy), and
 * writes a complete response in the request's slot.
 * <p>
 * Every field is read from the private copy; every failure of one request (bad segment, sector
 * out of range, foreign or bad grant, write to a read-only disk) is an error response for that
 * request alone; a ring whose indices are broken disconnects the device with a reason. Nothing is
 * thrown to the agent, and the path allocates nothing.
 */
final class BlkRequestServer
{
    private static final int MAX_SEGMENTS = Vbd.MAX_INDIRECT_SEGMENTS;
    private static final int SECTOR_SHIFT = 9;

    private final UnsafeBuffer request = new UnsafeBuffer(new byte[REQUEST_LENGTH]);
    private final UnsafeBuffer mappedPage = new UnsafeBuffer(0, 0);
    private final BlkifResponse response = new BlkifResponse();
    private final HostMemoryWindow window;

    // The segments of the request being served, copied out of the request or its indirect pages.
    private final int[] segmentRefs = new int[MAX_SEGMENTS];
    private final int[] segmentFirst = new int[MAX_SEGMENTS];
    private final int[] segmentLast = new int[MAX_SEGMENTS];

    BlkRequestServer(final HostMemoryWindow window)
    {
        this.window = window;
    }

    /**
     * Serves what the device's ring holds now.
     *
     * @return the number of requests answered (work count for the agent).
     */
    int serve(final Vbd vbd)
    {
        final BackRing ring = vbd.ring();
        vbd.backend().eventChannels().clearPending(vbd.port());
        final int available = ring.unconsumedRequests();
        if (available < 0)
        {
            vbd.disconnect("ring broken: " + ring.brokenReason());
            return 1;
        }
        for (int i = 0; i < available; i++)
        {
            ring.copyRequest(request, 0);
            final int status = execute(vbd);
            response.wrap(ring.buffer(), ring.claimResponse())
                .write(request.getLong(ID_OFFSET), request.getByte(OPERATION_OFFSET) & 0xFF, status);
            vbd.statistics().requests++;
            if (status == STATUS_ERROR)
            {
                vbd.statistics().errors++;
            }
            else if (status == STATUS_EOPNOTSUPP)
            {
                vbd.statistics().unsupported++;
            }
        }
        if (available > 0 && ring.pushResponses())
        {
            vbd.backend().eventChannels().send(vbd.port());
        }
        return available;
    }

    private int execute(final Vbd vbd)
    {
        final int operation = request.getByte(OPERATION_OFFSET) & 0xFF;
        return switch (operation)
        {
            case OP_READ, OP_WRITE -> readWrite(vbd, operation, directSegments());
            case OP_INDIRECT -> indirect(vbd);
            case OP_FLUSH_DISKCACHE, OP_WRITE_BARRIER -> flush(vbd);
            case OP_DISCARD -> discard(vbd);
            default -> STATUS_EOPNOTSUPP;
        };
    }

    /**
     * Copies the segments of a direct request into the segment arrays.
     *
     * @return the segment count, or -1 when it is not 1..11.
     */
    private int directSegments()
    {
        final int count = request.getByte(NR_SEGMENTS_OFFSET) & 0xFF;
        if (count == 0 || count > MAX_SEGMENTS_PER_REQUEST)
        {
            return -1;
        }
        for (int i = 0; i < count; i++)
        {
            final int offset = SEGMENTS_OFFSET + i * SEGMENT_LENGTH;
            segmentRefs[i] = request.getInt(offset + SEGMENT_GREF_OFFSET);
            segmentFirst[i] = request.getByte(offset + SEGMENT_FIRST_SECT_OFFSET) & 0xFF;
            segmentLast[i] = request.getByte(offset + SEGMENT_LAST_SECT_OFFSET) & 0xFF;
        }
        return count;
    }

    private int indirect(final Vbd vbd)
    {
        final int operation = request.getByte(INDIRECT_OP_OFFSET) & 0xFF;
        if (operation != OP_READ && operation != OP_WRITE)
        {
            return STATUS_ERROR;
        }
        final int count = request.getShort(INDIRECT_NR_SEGMENTS_OFFSET) & 0xFFFF;
        if (count == 0 || count > MAX_SEGMENTS)
        {
            return STATUS_ERROR;
        }
        final int pages = (count + SEGMENTS_PER_INDIRECT_PAGE - 1) / SEGMENTS_PER_INDIRECT_PAGE;
        final GrantMapper mapper = vbd.backend().grantMapper();
        int copied = 0;
        for (int page = 0; page < pages; page++)
        {
            final int ref = request.getInt(INDIRECT_GREFS_OFFSET + page * 4);
            final int handle = mapper.map(vbd.frontendDomid(), ref, true);
            if (handle < 0)
            {
                return STATUS_ERROR;
            }
            vbd.statistics().transientMaps++;
            mapper.wrap(handle, mappedPage);
            // Copy the segment descriptors out once; the guest may rewrite the page meanwhile.
            final int inPage = Math.min(count - copied, SEGMENTS_PER_INDIRECT_PAGE);
            for (int i = 0; i < inPage; i++, copied++)
            {
                final int offset = i * SEGMENT_LENGTH;
                segmentRefs[copied] = mappedPage.getInt(offset + SEGMENT_GREF_OFFSET);
                segmentFirst[copied] = mappedPage.getByte(offset + SEGMENT_FIRST_SECT_OFFSET) & 0xFF;
                segmentLast[copied] = mappedPage.getByte(offset + SEGMENT_LAST_SECT_OFFSET) & 0xFF;
            }
            mapper.unmap(handle);
        }
        return readWrite(vbd, operation, count);
    }

    private int readWrite(final Vbd vbd, final int operation, final int segments)
    {
        if (segments < 0)
        {
            return STATUS_ERROR;
        }
        final boolean write = operation == OP_WRITE;
        if (write && vbd.isReadOnly())
        {
            return STATUS_ERROR;
        }
        long sectors = 0;
        for (int i = 0; i < segments; i++)
        {
            if (segmentFirst[i] > segmentLast[i] || segmentLast[i] >= SECTORS_PER_PAGE)
            {
                return STATUS_ERROR;
            }
            sectors += segmentLast[i] - segmentFirst[i] + 1;
        }
        final long sector = request.getLong(SECTOR_NUMBER_OFFSET);
        final long diskSectors = vbd.image().sectors();
        if (sector < 0 || sector > diskSectors - sectors)
        {
            return STATUS_ERROR;
        }

        final DiskImage image = vbd.image();
        final GrantMapper mapper = vbd.backend().grantMapper();
        final PersistentGrants persistent = vbd.persistentGrants();
        long diskOffset = sector << SECTOR_SHIFT;
        for (int i = 0; i < segments; i++)
        {
            // A READ fills the guest's frame (writable mapping); a WRITE only reads it.
            int handle = persistent != null ? persistent.handleFor(segmentRefs[i]) : Integer.MIN_VALUE;
            boolean transientMap = false;
            if (handle == Integer.MIN_VALUE || handle < 0 && !write)
            {
                handle = mapper.map(vbd.frontendDomid(), segmentRefs[i], write);
                transientMap = true;
            }
            else if (handle < 0)
            {
                // A WRITE's data page may be granted read-only, which no persistent map accepts.
                handle = mapper.map(vbd.frontendDomid(), segmentRefs[i], true);
                transientMap = true;
            }
            if (handle < 0)
            {
                return STATUS_ERROR;
            }
            if (transientMap)
            {
                vbd.statistics().transientMaps++;
            }
            else if (persistent.size() > vbd.statistics().persistentGrantsMapped)
            {
                vbd.statistics().persistentGrantsMapped = persistent.size();
            }
            mapper.wrap(handle, mappedPage);
            final int bytes = (segmentLast[i] - segmentFirst[i] + 1) << SECTOR_SHIFT;
            final ByteBuffer frame = window.window(mappedPage.addressOffset() + ((long)segmentFirst[i] << SECTOR_SHIFT), bytes);
            final int rc = frame == null ? DiskImage.E_IO : write ? image.write(diskOffset, frame) : image.read(diskOffset, frame);
            if (transientMap)
            {
                mapper.unmap(handle);
            }
            if (rc != 0)
            {
                return STATUS_ERROR;
            }
            diskOffset += bytes;
        }
        if (write)
        {
            vbd.statistics().sectorsWritten += sectors;
        }
        else
        {
            vbd.statistics().sectorsRead += sectors;
        }
        return STATUS_OKAY;
    }

    private int flush(final Vbd vbd)
    {
        vbd.statistics().flushes++;
        return vbd.image().flush() == 0 ? STATUS_OKAY : STATUS_ERROR;
    }

    private int discard(final Vbd vbd)
    {
        if (vbd.isReadOnly())
        {
            return STATUS_ERROR;
        }
        final long sector = request.getLong(DISCARD_SECTOR_NUMBER_OFFSET);
        final long count = request.getLong(DISCARD_NR_SECTORS_OFFSET);
        final long diskSectors = vbd.image().sectors();
        if (sector < 0 || count <= 0 || count > diskSectors || sector > diskSectors - count)
        {
            return STATUS_ERROR;
        }
        vbd.statistics().discards++;
        return vbd.image().discard(sector << SECTOR_SHIFT, count << SECTOR_SHIFT) == 0 ? STATUS_OKAY : STATUS_ERROR;
    }

    static
    {
        // A segment is at most one page: first/last sector are within one frame.
        assert SECTORS_PER_PAGE << SECTOR_SHIFT == PAGE_SIZE;
    }
}
