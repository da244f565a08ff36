package io.javisor.emulation.hypercall;

/**
 * The host side of javisor's hypercall extension ({@link HypercallDescriptor}) for one domain's
 * vCPU: the board's SBI firmware hands it every ECALL naming {@link HypercallDescriptor#EID}, and asks
 * it what the upcall line and a blocked vCPU should do.
 * <p>
 * Called on the vCPU's thread only, apart from the kick given to {@link #attach}, which the
 * implementation may run on any thread. Nothing here throws for anything the guest did: a bad
 * argument is an error code in a0.
 */
public interface Hypercalls
{
    /** {@link #call} result: the guest goes on. */
    int CONTINUE = 0;
    /** {@link #call} result: the vCPU sleeps until {@link #wakeable()} (or its deadline), then {@link #endBlock}. */
    int BLOCK = 1;
    /** {@link #call} result: the domain shut down with {@link #shutdownReason()}. */
    int SHUTDOWN = 2;

    /**
     * Answers one hypercall: {@code x} are the hart's registers (a0..a5 = x[10..15]); the result goes
     * into x[10] (error) and x[11] (value), sometimes x[12], x[13].
     *
     * @param fid the function id from a6, or -1 when a6 is no 32-bit value
     * @return {@link #CONTINUE}, {@link #BLOCK} or {@link #SHUTDOWN}
     */
    int call(int fid, long[] x);

    /** @return whether a blocked vCPU may wake (its event or polled port is pending) */
    boolean wakeable();

    /** @return the time-CSR tick at which a blocked vCPU wakes anyway, or -1 for none */
    long wakeDeadline();

    /** The block (or poll) ended, {@code timedOut} or not: write its result into {@code x}. */
    void endBlock(long[] x, boolean timedOut);

    /** @return the upcall line's level now: an unmasked event upcall pending on vCPU 0 */
    boolean upcallLevel();

    /** @return the reason of the shutdown a {@link #SHUTDOWN} result announced ({@link HypercallDescriptor#SHUTDOWN_POWEROFF}...) */
    int shutdownReason();

    /**
     * The board's kick, run (from any thread) when an event for this domain arrives so that the vCPU
     * re-evaluates its upcall line or wakes from a block soon; null when the board goes away.
     */
    void attach(Runnable kick);
}
