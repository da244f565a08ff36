package io.javisor.netback.bridge;

/**
 * One control-plane request to a {@link Bridge} (attach or detach a port), carried through the
 * bridge's bounded command queue to its forwarding thread and acknowledged there.
 * <p>
 * <b>Threading.</b> The requesting thread writes the arguments before offering the command; the
 * forwarding thread (single writer of the outcome) writes {@code result} or {@code error}, then
 * sets {@code done} with a volatile store. The requester reads {@code done} (volatile) before the
 * outcome, so the queue's publication orders the arguments and {@code done} orders the outcome.
 */
final class BridgeCommand
{
    enum Type
    {
        ATTACH, DETACH
    }

    final Type type;
    final BridgePort port;
    final int portNumber;
    /** Written by the forwarding thread before {@link #done}; read by the requester after it. */
    private int result;
    private RuntimeException error;
    private volatile boolean done;

    private BridgeCommand(final Type type, final BridgePort port, final int portNumber)
    {
        this.type = type;
        this.port = port;
        this.portNumber = portNumber;
    }

    static BridgeCommand attach(final BridgePort port)
    {
        return new BridgeCommand(Type.ATTACH, port, -1);
    }

    static BridgeCommand detach(final int portNumber)
    {
        return new BridgeCommand(Type.DETACH, null, portNumber);
    }

    /**
     * Runs the command on the forwarding thread and acknowledges it; never throws.
     */
    void execute(final Bridge bridge)
    {
        try
        {
            result = type == Type.ATTACH ? bridge.attachOnForwardingThread(port) : bridge.detachOnForwardingThread(portNumber);
        }
        catch (final RuntimeException ex)
        {
            error = ex;
        }
        // Volatile store last: the acknowledgement publishes result/error and, for a detach, says
        // that no delivery to the port is running (the forwarding thread is here, between frames).
        done = true;
    }

    boolean isDone()
    {
        return done;
    }

    /**
     * The outcome, once {@link #isDone()}; rethrows what the forwarding thread caught.
     */
    int outcome()
    {
        if (error != null)
        {
            throw error;
        }
        return result;
    }

    @Override
    public String toString()
    {
        return type == Type.ATTACH ? "attach of " + port.name() : "detach of port " + portNumber;
    }
}
