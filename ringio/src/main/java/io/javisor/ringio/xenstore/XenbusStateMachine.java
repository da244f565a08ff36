package io.javisor.ringio.xenstore;

import java.util.EnumSet;
import java.util.Map;

import static io.javisor.ringio.xenstore.XenbusState.CLOSED;
import static io.javisor.ringio.xenstore.XenbusState.CLOSING;
import static io.javisor.ringio.xenstore.XenbusState.CONNECTED;
import static io.javisor.ringio.xenstore.XenbusState.INITIALISED;
import static io.javisor.ringio.xenstore.XenbusState.INITIALISING;
import static io.javisor.ringio.xenstore.XenbusState.INIT_WAIT;
import static io.javisor.ringio.xenstore.XenbusState.RECONFIGURED;
import static io.javisor.ringio.xenstore.XenbusState.RECONFIGURING;
import static io.javisor.ringio.xenstore.XenbusState.UNKNOWN;

/**
 * Which state changes an end of a split device may make, so that a driver can refuse nonsense
 * from its own logic before publishing it. The transitions are those Linux's front and back ends make:
 * <pre>
 * from            to
 * Unknown         Initialising, Closed
 * Initialising    InitWait (back end), Initialised (front end), Connected (front ends that need no
 *                 Initialised, like netfront)
 * InitWait        Initialised, Connected
 * Initialised     Connected
 * Connected       Reconfiguring
 * Reconfiguring   Reconfigured
 * Reconfigured    Connected
 * Closing         Closed
 * Closed          Initialising, InitWait (an end starting over after its peer went away)
 * any but Closed  Closing
 * any             Closed (an end may give up at any time)
 * </pre>
 * Staying in the same state is always legal (rewriting a state is harmless); nothing may go to
 * Unknown, which is no state at all.
 */
public final class XenbusStateMachine
{
    private static final Map<XenbusState, EnumSet<XenbusState>> FORWARD = Map.of(
        UNKNOWN, EnumSet.of(INITIALISING),
        INITIALISING, EnumSet.of(INIT_WAIT, INITIALISED, CONNECTED),
        INIT_WAIT, EnumSet.of(INITIALISED, CONNECTED),
        INITIALISED, EnumSet.of(CONNECTED),
        CONNECTED, EnumSet.of(RECONFIGURING),
        RECONFIGURING, EnumSet.of(RECONFIGURED),
        RECONFIGURED, EnumSet.of(CONNECTED),
        CLOSING, EnumSet.noneOf(XenbusState.class),
        CLOSED, EnumSet.of(INITIALISING, INIT_WAIT));

    private XenbusStateMachine()
    {
    }

    /**
     * @return true when an end in state {@code from} may switch to {@code to}.
     */
    public static boolean isLegal(final XenbusState from, final XenbusState to)
    {
        if (to == from)
        {
            return true;
        }
        if (to == UNKNOWN)
        {
            return false;
        }
        if (to == CLOSED || (to == CLOSING && from != CLOSED))
        {
            return true;
        }
        return FORWARD.get(from).contains(to);
    }

    /**
     * @throws IllegalStateException when the switch is not legal.
     */
    public static void requireLegal(final XenbusState from, final XenbusState to)
    {
        if (!isLegal(from, to))
        {
            throw new IllegalStateException("illegal xenbus state change " + from + " -> " + to);
        }
    }
}
