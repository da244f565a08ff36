package io.javisor.blkback;

import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.wire.BlkifResponse;
import io.javisor.memory.GrantMapper;
import io.javisor.memory.HostMemoryWindow;
import io.javisor.ringio.ring.BackRing;
import org.agrona.concurrent.UnsafeBuffer;

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
 * <p>
 * Threads: runs on the serving agent's thread only, which is the single writer of every ring it
 * serves, of the grant mappings and of the device statistics. The agent only moves requests and
 * responses: a validated request whose image operation may block (every operation of a file
 * image, a large discard of a RAM disk, and anything of a device whose executor still has work,
 * to keep the device's order) is prepared as a {@link BlkIoOp} with its grants mapped and handed
 * to the device's {@link ImageIoExecutor}; its response is written when the op comes back
 * ({@link #completeFinished}). RAM disk reads, writes and flushes are memory copies and run
 * inline, with the same op code, on a private op.
 */
final class BlkRequestServer
{
    private static final int MAX_SEGMENTS = Vbd.MAX_INDIRECT_SEGMENTS;
    private static final int SECTOR_SHIFT = 9;

    private final UnsafeBuffer request = new UnsafeBuffer(new byte[REQUEST_LENGTH]);
    private final UnsafeBuffer mappedPage = new UnsafeBuffer(0, 0);
    private final BlkifResponse response = new BlkifResponse();
    private final HostMemoryWindow window;
    private final Runnable wakeAgent;
    /** The op for requests executed inline on the agent thread; never handed to another thread. */
    private final BlkIoOp inlineOp = new BlkIoOp(MAX_SEGMENTS);

    /** The request being served, taken apart and checked (shared with a driver domain's back end). */
    private final BlkRequestDecoder decoder = new BlkRequestDecoder();
    private final MapperPages indirectPages = new MapperPages();

    /** {@link #execute}: the request went to the IO executor; its response comes later. */
    private static final int PENDING = Integer.MIN_VALUE;

    /**
     * A RAM disk discard of at least this many bytes runs on the device's IO executor. Measured on
     * this 2-core machine ({@code DiskIsolationMeasurement#whatARamDiskDiscardCosts}):
     * madvise(MADV_DONTNEED) gives back 2.8-4.3 GiB/s of written pages (511 MiB in 117-177 ms),
     * a warm 1 MiB costs 0.15-0.18 ms, pages already released cost next to nothing. So below
     * 1 MiB a discard costs the agent less than a fifth of a millisecond, and a whole written
     * 2 GiB disk (about half a second) never runs on it.
     */
    static final long INLINE_DISCARD_LIMIT = 1L << 20;

    BlkRequestServer(final HostMemoryWindow window, final Runnable wakeAgent)
    {
        this.window = window;
        this.wakeAgent = wakeAgent;
    }

    /**
     * Serves what the device's ring holds now.
     *
     * @return the number of requests answered (work count for the agent).
     */
    int serve(final Vbd vbd)
    {
        int work = completeFinished(vbd);
        final BackRing ring = vbd.ring();
        if (ring == null)
        {
            return work;
        }
        vbd.backend().eventChannels().clearPending(vbd.port());
        final int available = ring.unconsumedRequests();
        if (available < 0)
        {
            vbd.disconnect("ring broken: " + ring.brokenReason());
            return work + 1;
        }
        int answered = 0;
        for (int i = 0; i < available; i++)
        {
            final ImageIoExecutor io = vbd.io();
            if (io != null && !io.hasFreeOp())
            {
                // Every op of the device is in flight (only after a reconnect, while the old
                // connection's ops drain): leave the rest in the ring for a later duty cycle.
                break;
            }
            ring.copyRequest(request, 0);
            work++;
            final int status = execute(vbd);
            if (status != PENDING)
            {
                respond(vbd, ring, request.getLong(ID_OFFSET), request.getByte(OPERATION_OFFSET) & 0xFF, status);
                answered++;
            }
        }
        if (answered > 0 && ring.pushResponses())
        {
            vbd.backend().eventChannels().send(vbd.port());
        }
        return work;
    }

    /**
     * Drains the ops the device's executor finished: releases their grant mappings, and writes
     * their responses if the connection they came from is still the current one.
     *
     * @return the number of ops drained.
     */
    int completeFinished(final Vbd vbd)
    {
        final ImageIoExecutor io = vbd.io();
        if (io == null)
        {
            return 0;
        }
        final GrantMapper mapper = vbd.backend().grantMapper();
        final BackRing ring = vbd.ring();
        int drained = 0;
        int answered = 0;
        BlkIoOp op;
        while ((op = io.pollCompletion()) != null)
        {
            drained++;
            final int status = account(vbd, op);
            final boolean current = ring != null && op.generation == vbd.generation();
            final long id = op.id;
            final int operation = op.operation;
            op.releaseMappings(mapper);
            io.release(op);
            if (current)
            {
                respond(vbd, ring, id, operation, status);
                answered++;
            }
        }
        if (answered > 0 && ring.pushResponses())
        {
            vbd.backend().eventChannels().send(vbd.port());
        }
        if (drained > 0 && io.inFlight() == 0)
        {
            vbd.releaseRetiredGrants();
        }
        return drained;
    }

    private void respond(final Vbd vbd, final BackRing ring, final long id, final int operation, final int status)
    {
        response.wrap(ring.buffer(), ring.claimResponse()).write(id, operation, status);
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

    /**
     * Counts an executed op in the device's statistics.
     *
     * @return its blkif status.
     */
    private static int account(final Vbd vbd, final BlkIoOp op)
    {
        final VbdStatistics statistics = vbd.statistics();
        final boolean ok = op.result == DiskImage.OK;
        switch (op.kind)
        {
            case BlkIoOp.READ -> statistics.sectorsRead += ok ? op.length >> SECTOR_SHIFT : 0;
            case BlkIoOp.WRITE -> statistics.sectorsWritten += ok ? op.length >> SECTOR_SHIFT : 0;
            case BlkIoOp.FLUSH -> statistics.flushes++;
            case BlkIoOp.DISCARD -> statistics.discards++;
            default ->
            {
            }
        }
        return ok ? STATUS_OKAY : STATUS_ERROR;
    }

    /**
     * The op for a request of {@code kind} over {@code bytes}: the inline op when it may run on
     * the agent, else one from the device's executor (started now if the device has none).
     */
    private BlkIoOp opFor(final Vbd vbd, final int kind, final long bytes)
    {
        ImageIoExecutor io = vbd.io();
        final boolean offload = vbd.image().mayBlock() ||
            kind == BlkIoOp.DISCARD && bytes >= INLINE_DISCARD_LIMIT ||
            io != null && io.inFlight() > 0; // keep the device's order behind what it has queued
        if (!offload)
        {
            return inlineOp;
        }
        if (io == null)
        {
            io = vbd.startIo(MAX_SEGMENTS, wakeAgent);
        }
        return io.acquire(); // non-null: serve() checked before taking the request
    }

    /**
     * Runs a prepared op inline, or hands it to the device's executor.
     *
     * @return the blkif status, or {@link #PENDING}.
     */
    private int dispatch(final Vbd vbd, final BlkIoOp op)
    {
        if (op == inlineOp)
        {
            op.execute(vbd.image(), window);
            final int status = account(vbd, op);
            op.releaseMappings(vbd.backend().grantMapper());
            return status;
        }
        op.vbd = vbd;
        op.generation = vbd.generation();
        vbd.io().submit(op);
        return PENDING;
    }

    /**
     * Gives back an op that failed before dispatch (its mappings so far are released).
     */
    private void abandon(final Vbd vbd, final BlkIoOp op)
    {
        op.releaseMappings(vbd.backend().grantMapper());
        if (op != inlineOp)
        {
            vbd.io().release(op);
        }
    }

    private int execute(final Vbd vbd)
    {
        indirectPages.vbd = vbd;
        final int status = decoder.decode(request, vbd.image().sectors(), vbd.isReadOnly(), indirectPages);
        indirectPages.vbd = null;
        if (status != STATUS_OKAY)
        {
            return status;
        }
        return switch (decoder.kind())
        {
            case BlkRequestDecoder.READ, BlkRequestDecoder.WRITE -> readWrite(vbd, decoder.kind() == BlkRequestDecoder.WRITE);
            case BlkRequestDecoder.FLUSH -> flush(vbd);
            default -> discard(vbd);
        };
    }

    /**
     * An indirect request's descriptor pages, mapped read-only through the device's grant mapper.
     */
    private static final class MapperPages implements BlkRequestDecoder.IndirectPages
    {
        Vbd vbd;
        private int handle = -1;

        @Override
        public boolean map(final int ref, final UnsafeBuffer page)
        {
            final GrantMapper mapper = vbd.backend().grantMapper();
            handle = mapper.map(vbd.frontendDomid(), ref, true);
            if (handle < 0)
            {
                return false;
            }
            vbd.statistics().transientMaps++;
            mapper.wrap(handle, page);
            return true;
        }

        @Override
        public void unmap()
        {
            vbd.backend().grantMapper().unmap(handle);
            handle = -1;
        }
    }

    private int readWrite(final Vbd vbd, final boolean write)
    {
        final GrantMapper mapper = vbd.backend().grantMapper();
        final PersistentGrants persistent = vbd.persistentGrants();
        final int kind = write ? BlkIoOp.WRITE : BlkIoOp.READ;
        final long bytesTotal = decoder.sectors() << SECTOR_SHIFT;
        final BlkIoOp op = opFor(vbd, kind, bytesTotal)
            .prepare(kind, request.getByte(OPERATION_OFFSET) & 0xFF, request.getLong(ID_OFFSET),
                decoder.sector() << SECTOR_SHIFT, bytesTotal);
        final int segments = decoder.segments();
        for (int i = 0; i < segments; i++)
        {
            final int ref = decoder.ref(i);
            // A READ fills the guest's frame (writable mapping); a WRITE only reads it.
            int handle = persistent != null ? persistent.handleFor(ref) : Integer.MIN_VALUE;
            boolean transientMap = false;
            if (handle == Integer.MIN_VALUE || handle < 0 && !write)
            {
                handle = mapper.map(vbd.frontendDomid(), ref, write);
                transientMap = true;
            }
            else if (handle < 0)
            {
                // A WRITE's data page may be granted read-only, which no persistent map accepts.
                handle = mapper.map(vbd.frontendDomid(), ref, true);
                transientMap = true;
            }
            if (handle < 0)
            {
                abandon(vbd, op);
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
            op.addSegment(mappedPage.addressOffset() + decoder.pageOffset(i), decoder.bytes(i), handle, transientMap);
        }
        return dispatch(vbd, op);
    }

    private int flush(final Vbd vbd)
    {
        return dispatch(vbd, opFor(vbd, BlkIoOp.FLUSH, 0)
            .prepare(BlkIoOp.FLUSH, request.getByte(OPERATION_OFFSET) & 0xFF, request.getLong(ID_OFFSET), 0, 0));
    }

    private int discard(final Vbd vbd)
    {
        final long bytes = decoder.sectors() << SECTOR_SHIFT;
        return dispatch(vbd, opFor(vbd, BlkIoOp.DISCARD, bytes)
            .prepare(BlkIoOp.DISCARD, OP_DISCARD, request.getLong(ID_OFFSET), decoder.sector() << SECTOR_SHIFT, bytes));
    }

    static
    {
        // A segment is at most one page: first/last sector are within one frame.
        assert SECTORS_PER_PAGE << SECTOR_SHIFT == PAGE_SIZE;
    }
}
