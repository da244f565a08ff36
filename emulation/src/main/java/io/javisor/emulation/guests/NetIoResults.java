package io.javisor.emulation.guests;

/**
 * What a net-io guest recorded for a {@link NetIoJob}, in guest ticks: each timed round trip, the
 * stream's span from its first frame to the peer's count and that count, the resends, the failed
 * step (0: none) and the receive interrupts taken over the timed pings. Immutable once built; the
 * array is not copied on access.
 */
public record NetIoResults(NetIoJob job, long[] rttTicks, long streamTicks, long streamCounted, long resent, int failedStep,
    long rxInterrupts)
{
}
