package io.javisor.perf.io;

/** A closed loop at a queue depth: requests completed in the measured time, and each request logged. Immutable once returned. */
public record DeepRun(IoOp op, int queueDepth, long completed, long elapsedNs, RequestLog log)
{
    public double iops()
    {
        return elapsedNs == 0 ? 0 : completed * 1e9 / elapsedNs;
    }
}
