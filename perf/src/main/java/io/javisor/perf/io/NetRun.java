package io.javisor.perf.io;

/**
 * One net run of a variant: each timed round trip in ns, the stream's frames sent, counted by the
 * peer and its span in ns (from the first frame to the peer's count), the exits the timed round
 * trips took (NaN where none can be counted) and the resends. Immutable once returned; the array is
 * not copied.
 */
record NetRun(long[] rttNs, long streamSent, long streamCounted, long streamNs, double exits, long resent)
{
}
