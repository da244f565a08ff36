package io.javisor.ringio.xenstore;

/**
 * The state of one end of a split device, as each end publishes it in its {@code state} node
 * (Xen's {@code enum xenbus_state}, written as a decimal number).
 */
public enum XenbusState
{
    /** No state: the node is missing or unreadable, or holds something that is not a state. */
    UNKNOWN(0),
    /** The end is setting itself up. */
    INITIALISING(1),
    /** A back end has published its features and waits for the front end's ring details. */
    INIT_WAIT(2),
    /** A front end has published its rings and event channel. */
    INITIALISED(3),
    /** The end is ready: requests may flow. */
    CONNECTED(4),
    /** The end is shutting down the connection. */
    CLOSING(5),
    /** The connection is gone. */
    CLOSED(6),
    /** A connected end is changing its configuration. */
    RECONFIGURING(7),
    /** The reconfiguration is done. */
    RECONFIGURED(8);

    private static final XenbusState[] BY_VALUE = values();

    private final int value;

    XenbusState(final int value)
    {
        this.value = value;
    }

    /**
     * @return the number Xen uses for the state.
     */
    public int value()
    {
        return value;
    }

    /**
     * @param value a number read from a {@code state} node.
     * @return the state with that number, or {@link #UNKNOWN} for any number that is not a state:
     * like Linux's xenbus, a peer that writes nonsense is treated as having no state, never trusted.
     */
    public static XenbusState fromValue(final int value)
    {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : UNKNOWN;
    }

    /**
     * @param text the contents of a {@code state} node.
     * @return the state it names, or {@link #UNKNOWN} when it is not a decimal state number.
     */
    public static XenbusState parse(final String text)
    {
        if (null == text || text.isEmpty() || text.length() > 2)
        {
            return UNKNOWN;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return UNKNOWN;
            }
            value = value * 10 + (c - '0');
        }
        return fromValue(value);
    }

    /**
     * @return the text to write to a {@code state} node.
     */
    public String toText()
    {
        return Integer.toString(value);
    }
}
