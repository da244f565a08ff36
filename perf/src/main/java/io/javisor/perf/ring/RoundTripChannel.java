package io.javisor.perf.ring;

/**
 * One request/response transport under test, split into its front-end half (the caller's thread)
 * and its back-end half (an agent's thread). A round trip is {@link #sendRequest}, then on the back
 * end {@link #serveRequests} echoes the request as the response, then {@link #pollResponse} returns
 * true on the front end and {@link #responseSeq} is the sequence number that was sent.
 * <p>
 * Both halves copy exactly what a real endpoint copies: the front end writes the payload from a
 * private buffer, the back end copies the request into a private buffer before looking at it and
 * writes the response from there, and the front end copies the response out once. No method
 * allocates.
 */
public interface RoundTripChannel extends AutoCloseable
{
    /** Short name, used as the metric prefix: {@code sharedring}, {@code agrona}. */
    String name();

    /** What is measured, for tables. */
    String description();

    int payload();

    /**
     * Front end, before a round, while no back-end thread runs: brings the transport to a clean
     * state (and, where the back end keeps private state, forgets it).
     */
    void prepareRound();

    /**
     * Back end, on its own thread when it starts: sets up the back end's private state there,
     * so that it lives in that thread's allocation buffer and not beside the front end's.
     */
    void attachBackEnd();

    /** Front end: writes the request carrying {@code seq} and publishes it. */
    void sendRequest(long seq);

    /** Back end: answers every waiting request; returns how many (0 when idle). */
    int serveRequests();

    /** Front end: consumes one response if there is one. */
    boolean pollResponse();

    /** Front end: the sequence number in the response last consumed. */
    long responseSeq();

    /** Why the back end cannot go on (a broken ring), or null. Read from another thread: advisory. */
    String backEndFault();

    @Override
    void close();
}
