package io.javisor.blkback;

import io.javisor.blkback.image.DiskImage;
import io.javisor.memory.GrantMapper;
import io.javisor.memory.HostMemoryWindow;

import java.nio.ByteBuffer;

/**
 * One validated blkif request on its way through a disk image: the operation, the byte range, the
 * host address and length of each granted segment with the grant mapping that backs it, and, once
 * executed, the image's result code. Reused: a device's ops are a fixed pool
 * ({@link ImageIoExecutor}), and the agent keeps one more for requests it executes inline.
 * <p>
 * Thread safety: handed over, never shared. The agent writes the request fields and maps the
 * grants, then passes the op through the executor's submission queue; the executor reads them,
 * runs {@link #execute} and writes {@link #result}, then passes the op back through the
 * completion queue; the agent reads the result, unmaps the transient grants and recycles the op.
 * Each queue's element publication (an ordered store, read with an acquire load) is the
 * happens-before edge for every plain field written before the hand-over, so no field here needs
 * to be volatile. The grant mappings are made and released by the agent only (the
 * {@link GrantMapper} is the agent's); the executor touches the mapped frames through its own
 * {@link HostMemoryWindow}, and only between the two hand-overs, while the mappings are live.
 */
final class BlkIoOp
{
    static final int READ = 0;
    static final int WRITE = 1;
    static final int FLUSH = 2;
    static final int DISCARD = 3;

    // Request fields: written by the agent before submission.
    Vbd vbd;
    /** The device's connection generation at submission: a response for an older one is dropped. */
    int generation;
    long id;
    /** The blkif operation to echo in the response (READ, WRITE, INDIRECT, FLUSH, BARRIER, DISCARD). */
    int operation;
    int kind;
    /** First byte on the disk. */
    long offset;
    /** Bytes moved (READ, WRITE) or discarded (DISCARD). */
    long length;
    int segments;
    final long[] address;
    final int[] bytes;
    final int[] handle;
    final boolean[] transientMap;

    // Result: written by whoever executes the op (agent inline, or the executor).
    int result;

    BlkIoOp(final int maxSegments)
    {
        address = new long[maxSegments];
        bytes = new int[maxSegments];
        handle = new int[maxSegments];
        transientMap = new boolean[maxSegments];
    }

    BlkIoOp prepare(final int kind, final int operation, final long id, final long offset, final long length)
    {
        this.kind = kind;
        this.operation = operation;
        this.id = id;
        this.offset = offset;
        this.length = length;
        this.segments = 0;
        this.result = DiskImage.E_IO;
        return this;
    }

    void addSegment(final long hostAddress, final int byteCount, final int mapHandle, final boolean isTransient)
    {
        address[segments] = hostAddress;
        bytes[segments] = byteCount;
        handle[segments] = mapHandle;
        transientMap[segments] = isTransient;
        segments++;
    }

    /**
     * Runs the op against {@code image}, the segments seen through {@code window} (the calling
     * thread's own), and stores the image's code in {@link #result}. Allocates nothing.
     */
    void execute(final DiskImage image, final HostMemoryWindow window)
    {
        result = switch (kind)
        {
            case READ, WRITE -> transfer(image, window);
            case FLUSH -> image.flush();
            case DISCARD -> image.discard(offset, length);
            default -> DiskImage.E_IO;
        };
    }

    private int transfer(final DiskImage image, final HostMemoryWindow window)
    {
        long at = offset;
        for (int i = 0; i < segments; i++)
        {
            final ByteBuffer frame = window.window(address[i], bytes[i]);
            if (frame == null)
            {
                return DiskImage.E_IO;
            }
            final int rc = kind == WRITE ? image.write(at, frame) : image.read(at, frame);
            if (rc != DiskImage.OK)
            {
                return rc;
            }
            at += bytes[i];
        }
        return DiskImage.OK;
    }

    /**
     * Unmaps the transient grant mappings (agent thread only); persistent ones stay with the device.
     */
    void releaseMappings(final GrantMapper mapper)
    {
        for (int i = 0; i < segments; i++)
        {
            if (transientMap[i])
            {
                mapper.unmap(handle[i]);
                transientMap[i] = false;
            }
        }
        segments = 0;
        vbd = null;
    }
}
