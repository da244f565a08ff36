package io.javisor.ringio.xenstore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.javisor.ringio.xenstore.XenbusState.CLOSED;
import static io.javisor.ringio.xenstore.XenbusState.CLOSING;
import static io.javisor.ringio.xenstore.XenbusState.CONNECTED;
import static io.javisor.ringio.xenstore.XenbusState.INITIALISED;
import static io.javisor.ringio.xenstore.XenbusState.INITIALISING;
import static io.javisor.ringio.xenstore.XenbusState.INIT_WAIT;
import static io.javisor.ringio.xenstore.XenbusState.RECONFIGURED;
import static io.javisor.ringio.xenstore.XenbusState.RECONFIGURING;
import static io.javisor.ringio.xenstore.XenbusState.UNKNOWN;
import static io.javisor.ringio.xenstore.XenbusStateMachine.isLegal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XenbusStateTest
{
    @Test
    void statesCarryXensNumbers()
    {
        final XenbusState[] inOrder =
            {UNKNOWN, INITIALISING, INIT_WAIT, INITIALISED, CONNECTED, CLOSING, CLOSED, RECONFIGURING, RECONFIGURED};
        for (int value = 0; value < inOrder.length; value++)
        {
            assertEquals(value, inOrder[value].value());
            assertEquals(inOrder[value], XenbusState.fromValue(value));
            assertEquals(inOrder[value], XenbusState.parse(Integer.toString(value)));
            assertEquals(Integer.toString(value), inOrder[value].toText());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 9, 100, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void numbersThatAreNoStateMeanUnknown(final int value)
    {
        assertEquals(UNKNOWN, XenbusState.fromValue(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 4", "4 ", "+4", "-1", "04x", "Connected", "999", "9"})
    void textThatIsNoStateMeansUnknown(final String text)
    {
        assertEquals(UNKNOWN, XenbusState.parse(text));
    }

    @Test
    void theHandshakeTransitionsAreLegal()
    {
        assertTrue(isLegal(INITIALISING, INIT_WAIT), "back end publishes features");
        assertTrue(isLegal(INITIALISING, INITIALISED), "front end publishes rings");
        assertTrue(isLegal(INIT_WAIT, CONNECTED), "back end connects");
        assertTrue(isLegal(INITIALISED, CONNECTED), "front end connects");
        assertTrue(isLegal(INITIALISING, CONNECTED), "front end without Initialised, like netfront");
        assertTrue(isLegal(CONNECTED, CLOSING));
        assertTrue(isLegal(CLOSING, CLOSED));
        assertTrue(isLegal(CLOSED, INITIALISING), "reconnect after the peer went away");
        assertTrue(isLegal(CONNECTED, RECONFIGURING));
        assertTrue(isLegal(RECONFIGURING, RECONFIGURED));
        assertTrue(isLegal(RECONFIGURED, CONNECTED));
    }

    @ParameterizedTest
    @EnumSource(XenbusState.class)
    void anyStateMayCloseOrStayAndNoneMayBecomeUnknown(final XenbusState from)
    {
        assertTrue(isLegal(from, CLOSED));
        assertTrue(isLegal(from, from));
        assertEquals(from != CLOSED, isLegal(from, CLOSING));
        if (from != UNKNOWN)
        {
            assertFalse(isLegal(from, UNKNOWN));
        }
    }

    @Test
    void nonsenseTransitionsAreIllegal()
    {
        assertFalse(isLegal(CONNECTED, INITIALISING), "connected ends close before they start over");
        assertFalse(isLegal(CONNECTED, INIT_WAIT));
        assertFalse(isLegal(INITIALISED, INIT_WAIT));
        assertFalse(isLegal(CLOSED, CONNECTED), "must set up again first");
        assertFalse(isLegal(CLOSING, CONNECTED));
        assertFalse(isLegal(INITIALISING, RECONFIGURING));
        assertFalse(isLegal(UNKNOWN, CONNECTED));

        assertThrows(IllegalStateException.class, () -> XenbusStateMachine.requireLegal(CLOSED, CONNECTED));
    }
}
