package io.javisor.netback.bridge;

import org.agrona.DirectBuffer;

/**
 * One side of a link into a {@link Bridge}: typically a vif, whose netback hands the frames the
 * bridge delivers to the guest's receive ring.
 * <p>
 * {@link #deliver} is called on the bridge's forwarding thread, in the middle of a forward, so it
 * must not block: a port with nowhere to put a frame (no receive buffer posted, over its rate)
 * refuses it and the bridge counts the drop.
 */
public interface BridgePort
{
    /**
     * Offers one Ethernet frame (destination MAC at 0, source at 6, ethertype at 12) to this port.
     * The bytes belong to the caller: the port copies what it keeps before returning.
     *
     * @return true if the port took the frame, false if it dropped it.
     */
    boolean deliver(DirectBuffer frame, int offset, int length);

    /**
     * The name shown in listings, e.g. {@code vif3.0}.
     */
    String name();

    /**
     * The port's own MAC address in the low 48 bits, most significant byte first as on the wire,
     * or -1 when it is not known. Informational: the bridge learns addresses from traffic.
     */
    default long macAddress()
    {
        return -1;
    }
}
