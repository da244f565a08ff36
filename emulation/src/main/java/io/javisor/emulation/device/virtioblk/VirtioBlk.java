package io.javisor.emulation.device.virtioblk;

import io.javisor.blkback.image.DiskImage;
import io.javisor.emulation.device.virtio.DescriptorChain;
import io.javisor.emulation.device.virtio.GuestRam;
import io.javisor.emulation.device.virtio.SplitVirtqueue;
import io.javisor.emulation.device.virtio.VirtioDevice;
import io.javisor.emulation.device.virtio.VirtioMmioTransport;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static io.javisor.emulation.device.virtioblk.VirtioBlkDescriptor.*;

/**
 * A virtio-blk device (virtio 1.x, 5.2) on a blkback {@link DiskImage}: one request queue; read,
 * write, flush, get-id, and discard and write-zeroes on writable images; {@code seg_max},
 * {@code blk_size}, and the RO feature for read-only images.
 * <p>
 * <b>Threading: single writer, the vCPU thread.</b> A notify processes every available request
 * synchronously on the vCPU thread, straight between the image and guest RAM (no copy). This is the
 * cheapest path for a RAM disk ({@code mayBlock()} false) and makes a request complete before the
 * notify returns, so a polling guest sees it at once; for an image that may block (a raw file) the
 * guest's own vCPU waits on the host's page cache or disk, as QEMU's vCPU does without an IO thread,
 * and no other domain is delayed because every machine has its own vCPU thread. Handing such images
 * to an IO executor is future work.
 * <p>
 * Requests the driver frames wrongly (no header, no status byte) put the device into
 * DEVICE_NEEDS_RESET; requests with bad contents (a sector past the end, a length that is not whole
 * sectors, a write to a read-only image) are answered with IOERR, unknown types with UNSUPP.
 */
public final class VirtioBlk implements VirtioDevice
{
    public static final int QUEUE_NUM_MAX = 256;
    /** Data segments per request: the queue minus header and status, as QEMU. */
    public static final int SEG_MAX = QUEUE_NUM_MAX - 2;
    /** Largest discard or write-zeroes, in sectors (16 MiB: bounded work per request on the vCPU thread). */
    public static final int MAX_DISCARD_SECTORS = 32 * 1024;
    public static final int MAX_DISCARD_SEGMENTS = 16;
    private static final int ZERO_CHUNK = 64 * 1024;

    private final DiskImage image;
    private final byte[] id = new byte[ID_BYTES];
    private final long features;
    private final long sectors;
    private final UnsafeBuffer config = new UnsafeBuffer(new byte[CONFIG_SIZE]);
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(
        Math.max(HEADER_SIZE, SEGMENT_SIZE * MAX_DISCARD_SEGMENTS)).order(ByteOrder.LITTLE_ENDIAN));
    private final UnsafeBuffer idBuffer = new UnsafeBuffer(id);
    private final UnsafeBuffer statusByte = new UnsafeBuffer(new byte[1]);
    private final ByteBuffer zeros;
    private final VirtioBlkStatistics statistics = new VirtioBlkStatistics();
    private DescriptorChain chain;
    private VirtioMmioTransport transport;
    private GuestRam ram;

    /**
     * @param image  the disk; its size is the capacity, whole sectors
     * @param serial what GET_ID answers (at most 20 bytes of it), e.g. the vdev name
     */
    public VirtioBlk(final DiskImage image, final String serial)
    {
        this.image = image;
        this.sectors = image.sizeInBytes() >>> SECTOR_SHIFT;
        final byte[] s = serial.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, id, 0, Math.min(s.length, ID_BYTES));
        long f = 1L << F_SEG_MAX | 1L << F_BLK_SIZE | 1L << F_FLUSH;
        if (image.isReadOnly())
        {
            f |= 1L << F_RO;
            zeros = null;
        }
        else
        {
            f |= 1L << F_DISCARD | 1L << F_WRITE_ZEROES;
            zeros = ByteBuffer.allocateDirect(ZERO_CHUNK);
        }
        this.features = f;
        config.putLong(CONFIG_CAPACITY, sectors, ByteOrder.LITTLE_ENDIAN);
        config.putInt(CONFIG_SEG_MAX, SEG_MAX, ByteOrder.LITTLE_ENDIAN);
        config.putInt(CONFIG_BLK_SIZE, SECTOR_SIZE, ByteOrder.LITTLE_ENDIAN);
        config.putShort(CONFIG_NUM_QUEUES, (short)1, ByteOrder.LITTLE_ENDIAN);
        if (!image.isReadOnly())
        {
            config.putInt(CONFIG_MAX_DISCARD_SECTORS, MAX_DISCARD_SECTORS, ByteOrder.LITTLE_ENDIAN);
            config.putInt(CONFIG_MAX_DISCARD_SEG, MAX_DISCARD_SEGMENTS, ByteOrder.LITTLE_ENDIAN);
            config.putInt(CONFIG_DISCARD_SECTOR_ALIGNMENT, 4096 / SECTOR_SIZE, ByteOrder.LITTLE_ENDIAN);
            config.putInt(CONFIG_MAX_WRITE_ZEROES_SECTORS, MAX_DISCARD_SECTORS, ByteOrder.LITTLE_ENDIAN);
            config.putInt(CONFIG_MAX_WRITE_ZEROES_SEG, MAX_DISCARD_SEGMENTS, ByteOrder.LITTLE_ENDIAN);
            config.putByte(CONFIG_WRITE_ZEROES_MAY_UNMAP, (byte)1);
        }
    }

    public DiskImage image()
    {
        return image;
    }

    public VirtioBlkStatistics statistics()
    {
        return statistics;
    }

    @Override
    public int deviceId()
    {
        return DEVICE_ID;
    }

    @Override
    public String name()
    {
        return "virtio-blk";
    }

    @Override
    public long deviceFeatures()
    {
        return features;
    }

    @Override
    public int queueCount()
    {
        return 1;
    }

    @Override
    public int queueNumMax()
    {
        return QUEUE_NUM_MAX;
    }

    @Override
    public int configSize()
    {
        return CONFIG_SIZE;
    }

    @Override
    public long readConfig(final int offset, final int size)
    {
        return switch (size)
        {
            case 1 -> config.getByte(offset) & 0xFFL;
            case 2 -> config.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFFL;
            case 4 -> config.getInt(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            default -> config.getLong(offset, ByteOrder.LITTLE_ENDIAN);
        };
    }

    @Override
    public void attach(final VirtioMmioTransport transport)
    {
        this.transport = transport;
        this.ram = transport.ram();
        this.chain = new DescriptorChain(QUEUE_NUM_MAX);
    }

    @Override
    public void activate()
    {
        process();
    }

    @Override
    public void reset()
    {
        // Requests complete synchronously: nothing is in flight to forget.
    }

    @Override
    public void queueNotify(final int queue)
    {
        process();
    }

    private void process()
    {
        final SplitVirtqueue queue = transport.queue(0);
        if (!queue.isReady())
        {
            return;
        }
        boolean completed = false;
        while (queue.pop(chain) == SplitVirtqueue.CHAIN)
        {
            final long written = handle(chain);
            if (written < 0)
            {
                break; // the transport is in NEEDS_RESET now
            }
            queue.pushUsed(chain.head(), written);
            completed = true;
        }
        if (completed)
        {
            transport.usedBuffers(0);
        }
    }

    /** @return bytes written into the chain (data and status), or -1 after a device error. */
    private long handle(final DescriptorChain c)
    {
        if (c.readableBytes() < HEADER_SIZE || c.writableBytes() < 1)
        {
            transport.deviceError("request from head " + c.head() + " has " + c.readableBytes() +
                " readable bytes (a header is 16) and " + c.writableBytes() + " writable (a status byte is 1)");
            return -1;
        }
        c.readOut(ram, 0, scratch, 0, HEADER_SIZE);
        final int type = scratch.getInt(HEADER_TYPE, ByteOrder.LITTLE_ENDIAN);
        final long sector = scratch.getLong(HEADER_SECTOR, ByteOrder.LITTLE_ENDIAN);
        final long statusAt = c.writableBytes() - 1;
        long dataWritten = 0;
        final int status;
        switch (type)
        {
            case T_IN ->
            {
                final long length = statusAt;
                status = transfer(c, sector, length, true);
                if (status == S_OK)
                {
                    dataWritten = length;
                    statistics.bytesRead += length;
                }
                statistics.reads++;
            }
            case T_OUT ->
            {
                status = image.isReadOnly() ? S_IOERR : transfer(c, sector, c.readableBytes() - HEADER_SIZE, false);
                if (status == S_OK)
                {
                    statistics.bytesWritten += c.readableBytes() - HEADER_SIZE;
                }
                statistics.writes++;
            }
            case T_FLUSH ->
            {
                status = image.flush() == DiskImage.OK ? S_OK : S_IOERR;
                statistics.flushes++;
            }
            case T_GET_ID ->
            {
                final int n = (int)Math.min(ID_BYTES, statusAt);
                c.writeIn(ram, 0, idBuffer, 0, n);
                dataWritten = n;
                status = S_OK;
                statistics.getIds++;
            }
            case T_DISCARD, T_WRITE_ZEROES ->
            {
                final boolean discard = type == T_DISCARD;
                final int bit = discard ? F_DISCARD : F_WRITE_ZEROES;
                status = (features & 1L << bit) == 0 || !transport.driverHasFeature(bit) ? S_UNSUPP : discard(c, discard);
                if (discard)
                {
                    statistics.discards++;
                }
                else
                {
                    statistics.writeZeroes++;
                }
            }
            default ->
            {
                status = S_UNSUPP;
                statistics.unsupported++;
            }
        }
        if (status == S_IOERR)
        {
            statistics.ioErrors++;
        }
        statusByte.putByte(0, (byte)status);
        c.writeIn(ram, statusAt, statusByte, 0, 1);
        return dataWritten + 1;
    }

    /** Moves {@code length} bytes between the image at {@code sector} and the chain's data part. */
    private int transfer(final DescriptorChain c, final long sector, final long length, final boolean read)
    {
        if ((length & (SECTOR_SIZE - 1)) != 0 || sector < 0 || sector > sectors ||
            !DiskImage.inRange(sector << SECTOR_SHIFT, length, image.sizeInBytes()))
        {
            return S_IOERR;
        }
        long offset = sector << SECTOR_SHIFT;
        long left = length;
        // Readable data starts after the header; writable data starts at 0 and ends before the status byte.
        long skip = read ? 0 : HEADER_SIZE;
        final int first = read ? c.readableCount() : 0;
        final int end = read ? c.segmentCount() : c.readableCount();
        for (int i = first; i < end && left > 0; i++)
        {
            final long segLen = c.segmentLength(i);
            if (skip >= segLen)
            {
                skip -= segLen;
                continue;
            }
            final int n = (int)Math.min(segLen - skip, left);
            final ByteBuffer window = ram.window(c.segmentOffset(i) + skip, n);
            final int rc = read ? image.read(offset, window) : image.write(offset, window);
            if (rc != DiskImage.OK)
            {
                return rc == DiskImage.E_NOTSUP ? S_UNSUPP : S_IOERR;
            }
            offset += n;
            left -= n;
            skip = 0;
        }
        return S_OK;
    }

    private int discard(final DescriptorChain c, final boolean discard)
    {
        final long dataBytes = c.readableBytes() - HEADER_SIZE;
        if (dataBytes <= 0 || dataBytes % SEGMENT_SIZE != 0 || dataBytes > (long)SEGMENT_SIZE * MAX_DISCARD_SEGMENTS)
        {
            return S_IOERR;
        }
        final int segments = (int)(dataBytes / SEGMENT_SIZE);
        c.readOut(ram, HEADER_SIZE, scratch, 0, (int)dataBytes);
        for (int s = 0; s < segments; s++)
        {
            final int at = s * SEGMENT_SIZE;
            final long sector = scratch.getLong(at + SEGMENT_SECTOR, ByteOrder.LITTLE_ENDIAN);
            final long count = scratch.getInt(at + SEGMENT_NUM_SECTORS, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            final int flags = scratch.getInt(at + SEGMENT_FLAGS, ByteOrder.LITTLE_ENDIAN);
            if (count > MAX_DISCARD_SECTORS || sector < 0 || sector > sectors || count > sectors - sector ||
                (discard && flags != 0) || (flags & ~SEGMENT_F_UNMAP) != 0)
            {
                return discard && flags != 0 ? S_UNSUPP : S_IOERR;
            }
            final long offset = sector << SECTOR_SHIFT;
            final long length = count << SECTOR_SHIFT;
            // Discarded ranges of a DiskImage read as zeros, so both requests may deallocate.
            int rc = image.discard(offset, length);
            if (rc == DiskImage.E_NOTSUP && !discard)
            {
                rc = writeZeros(offset, length);
            }
            if (rc != DiskImage.OK)
            {
                return rc == DiskImage.E_NOTSUP ? S_UNSUPP : S_IOERR;
            }
        }
        return S_OK;
    }

    private int writeZeros(final long offset, final long length)
    {
        long done = 0;
        while (done < length)
        {
            final int n = (int)Math.min(ZERO_CHUNK, length - done);
            zeros.limit(n).position(0);
            final int rc = image.write(offset + done, zeros);
            if (rc != DiskImage.OK)
            {
                return rc;
            }
            done += n;
        }
        return DiskImage.OK;
    }
}
