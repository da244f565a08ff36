package io.javisor.perf.io;

import io.javisor.blkback.BlkCompletionHandler;
import io.javisor.blkback.BlkFront;
import io.javisor.perf.blk.BlkRig;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Variant 1: a Java guest's {@link BlkFront} over the blkif ring to {@code BlkBackend} in dom0
 * (a {@link BlkRig}: RAM disk, persistent grants, the back end busy-spinning on its own thread while
 * this variant runs and stopped otherwise, so that it takes no core from the others). Timed with
 * {@link System#nanoTime()} around each request; queue depth up to {@link #QUEUE_DEPTH}. A Java guest
 * has no vCPU, so it takes no exits and has no instruction count. Driven from one thread.
 */
final class JavaPvVariant implements IoVariant
{
    static final String KEY = "java_pv";
    static final int QUEUE_DEPTH = 32;
    private static final int REGIONS = 64;
    private static final long STALL_LIMIT_NS = TimeUnit.SECONDS.toNanos(10);

    private BlkRig rig;
    private BlkFront front;
    private UnsafeBuffer readBuffer;
    private UnsafeBuffer writeBuffer;
    private final Completions completions = new Completions();
    /** The log of the run in progress; completion tags are its indices. */
    private RequestLog log;
    /** System.nanoTime of time zero of the log in progress. */
    private long logBase;
    /** The deep loop in progress: its depth (0: none), op, deadline and random state. */
    private int deepDepth;
    private IoOp deepOp;
    private long deepDeadline;
    private long deepState;
    private int failures;

    @Override
    public String key()
    {
        return KEY;
    }

    @Override
    public String label()
    {
        return "1 Java guest -> PV (BlkFront, blkif ring, BlkBackend)";
    }

    @Override
    public String unavailable()
    {
        return null;
    }

    @Override
    public int deepestQueue()
    {
        return QUEUE_DEPTH;
    }

    @Override
    public String clock()
    {
        return "host System.nanoTime";
    }

    @Override
    public void open(final long diskBytes)
    {
        rig = new BlkRig(diskBytes, QUEUE_DEPTH, "io");
        front = rig.front();
        readBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect((REGIONS + 1) * IoRequests.BLOCK_BYTES)
            .alignedSlice(IoRequests.BLOCK_BYTES));
        writeBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(2 * IoRequests.BLOCK_BYTES).alignedSlice(IoRequests.BLOCK_BYTES),
            0, IoRequests.BLOCK_BYTES);
        long word = 0x5DEE_CE66_DL;
        for (int i = 0; i < IoRequests.BLOCK_BYTES; i += Long.BYTES)
        {
            word = IoRequests.mix(word + i);
            writeBuffer.putLong(i, word);
        }
    }

    @Override
    public VariantRun run(final IoRequests requests)
    {
        return requests.openLoop() ? replay(requests) : closedQd1(requests);
    }

    private VariantRun closedQd1(final IoRequests requests)
    {
        rig.startBackEnd();
        try
        {
            warmUp(requests);
            failures = 0;
            log = new RequestLog(requests.timed());
            logBase = System.nanoTime();
            for (int i = requests.warmup(); i < requests.count(); i++)
            {
                final long start = System.nanoTime() - logBase;
                oneRequest(requests.op(i), requests.sector(i),
                    log.add(requests.op(i), requests.sector(i), IoRequests.BLOCK_BYTES, 1, start, start, 0));
            }
            return new VariantRun(log, 0, Double.NaN, failures);
        }
        finally
        {
            rig.stopBackEnd();
        }
    }

    /** The untimed requests at the front, one at a time, into a log of their own. */
    private void warmUp(final IoRequests requests)
    {
        log = new RequestLog(Math.max(1, requests.warmup()));
        logBase = System.nanoTime();
        for (int i = 0; i < requests.warmup(); i++)
        {
            oneRequest(requests.op(i), requests.sector(i), log.add(requests.op(i), requests.sector(i), IoRequests.BLOCK_BYTES, 1, 0, 0, 0));
        }
    }

    /** One request issued and completed; the handler stamps its end into the log at index {@code tag}. */
    private void oneRequest(final IoOp op, final long sector, final int tag)
    {
        completions.base = logBase;
        if (!queue(op, sector, tag))
        {
            throw new IllegalStateException("block front end queue full at queue depth 1");
        }
        front.submit();
        final long since = System.nanoTime();
        while (front.poll(completions) == 0)
        {
            Thread.onSpinWait();
            if (System.nanoTime() - since > STALL_LIMIT_NS)
            {
                throw stalled();
            }
        }
    }

    private boolean queue(final IoOp op, final long sector, final int tag)
    {
        return op == IoOp.WRITE ?
            front.write(sector, IoRequests.SECTORS_PER_BLOCK, writeBuffer, 0, tag) :
            front.read(sector, IoRequests.SECTORS_PER_BLOCK, readBuffer, (tag % REGIONS) * IoRequests.BLOCK_BYTES, tag);
    }

    @Override
    public VariantRun replay(final IoRequests requests)
    {
        rig.startBackEnd();
        try
        {
            warmUp(requests);
            log = new RequestLog(requests.timed());
            failures = 0;
            final long base = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(20);
            logBase = base;
            completions.base = base;
            int next = requests.warmup();
            long lastProgress = System.nanoTime();
            while (next < requests.count() || front.inFlight() > 0)
            {
                final long now = System.nanoTime();
                int queued = 0;
                while (next < requests.count() && front.inFlight() + queued < QUEUE_DEPTH &&
                    base + requests.intendedNs(next) <= now)
                {
                    final int index = log.add(requests.op(next), requests.sector(next), IoRequests.BLOCK_BYTES,
                        front.inFlight() + queued + 1, requests.intendedNs(next), now - base, 0);
                    if (!queue(requests.op(next), requests.sector(next), index))
                    {
                        throw new IllegalStateException("block front end refused a request with a free slot");
                    }
                    queued++;
                    next++;
                }
                if (queued > 0)
                {
                    front.submit();
                }
                if (front.poll(completions) > 0)
                {
                    lastProgress = now;
                }
                else if (front.inFlight() > 0 && now - lastProgress > STALL_LIMIT_NS)
                {
                    throw stalled();
                }
                else if (front.inFlight() == 0)
                {
                    lastProgress = now;
                }
            }
            return new VariantRun(log, 0, Double.NaN, failures);
        }
        finally
        {
            rig.stopBackEnd();
        }
    }

    /**
     * Closed loop at {@code queueDepth}: each completion queues and submits its replacement at once,
     * from the completion handler, so the back end gets new work while the rest of a batch of responses
     * is still being consumed.
     */
    @Override
    public DeepRun deep(final IoOp op, final int queueDepth, final long durationNs, final long seed)
    {
        if (queueDepth < 1 || queueDepth > QUEUE_DEPTH)
        {
            throw new IllegalArgumentException("queue depth " + queueDepth + " outside 1.." + QUEUE_DEPTH);
        }
        rig.startBackEnd();
        try
        {
            failures = 0;
            log = new RequestLog(1 << 16);
            deepState = seed;
            deepOp = op;
            deepDepth = queueDepth;
            final long base = System.nanoTime();
            logBase = base;
            completions.base = base;
            deepDeadline = base + durationNs;
            long completed = 0;
            long lastProgress = base;
            long now = base;
            int queued = 0;
            while (front.inFlight() + queued < queueDepth)
            {
                queueNext(now);
                queued++;
            }
            front.submit();
            while (true)
            {
                final int done = front.poll(completions);
                now = System.nanoTime();
                if (done > 0)
                {
                    if (now <= deepDeadline)
                    {
                        completed += done;
                    }
                    lastProgress = now;
                }
                else if (now - lastProgress > STALL_LIMIT_NS)
                {
                    throw stalled();
                }
                if (now >= deepDeadline && front.inFlight() == 0)
                {
                    break;
                }
            }
            return new DeepRun(op, queueDepth, completed, Math.min(now, deepDeadline) - base, log);
        }
        finally
        {
            deepDepth = 0;
            rig.stopBackEnd();
        }
    }

    /** Queues the deep loop's next random request, logged as starting at {@code now}. */
    private void queueNext(final long now)
    {
        deepState += 0x9E37_79B9_7F4A_7C15L;
        final long sector = Long.remainderUnsigned(IoRequests.mix(deepState), rig.blocks()) * IoRequests.SECTORS_PER_BLOCK;
        final long at = now - logBase;
        final int index = log.add(deepOp, sector, IoRequests.BLOCK_BYTES, deepDepth, at, at, 0);
        if (!queue(deepOp, sector, index))
        {
            throw new IllegalStateException("block front end refused a request with a free slot");
        }
    }

    private IllegalStateException stalled()
    {
        final String fault = rig.backEndFault();
        return new IllegalStateException("block back end: no response for " + STALL_LIMIT_NS / 1_000_000_000L + " s" +
            (fault == null ? "" : ": " + fault));
    }

    @Override
    public void close()
    {
        if (rig != null)
        {
            rig.close();
            rig = null;
        }
    }

    /**
     * Stamps each completed request's end (ns after {@link #base}) into the log, counts error statuses,
     * and in a deep loop queues the replacement.
     */
    private final class Completions implements BlkCompletionHandler
    {
        long base;

        @Override
        public void onComplete(final long tag, final int status)
        {
            if (status != 0)
            {
                failures++;
            }
            final long now = System.nanoTime();
            log.end((int)tag, now - base);
            // BlkFront.poll freed this request's slot before calling here: in a deep loop its replacement takes it.
            if (deepDepth > 0 && now < deepDeadline && front.inFlight() < deepDepth)
            {
                queueNext(now);
                front.submit();
            }
        }
    }
}
