package io.javisor.netback.bridge;

import io.javisor.memory.stats.SingleWriterCounters;

/**
 * What a {@link Bridge} has done. <b>Single writer: the bridge's forwarding thread</b>; readable from
 * any thread: each counter is a release store read with an acquire load (see {@link SingleWriterCounters}), so a
 * value is whole and recent; the set is not a snapshot of one instant.
 * <p>
 * Frame counts: a frame is forwarded as unicast, flooded, or dropped as short, invalid source,
 * unknown ingress or filtered. Refusals are counted per delivery: a flooded frame refused by two
 * ports counts two.
 */
public final class BridgeStatistics
{
    static final int FORWARDED_UNICAST = 0;
    static final int FLOODED = 1;
    static final int DROPPED_SHORT = 2;
    static final int DROPPED_INVALID_SOURCE = 3;
    static final int DROPPED_NO_PORT = 4;
    static final int DROPPED_FILTERED = 5;
    static final int DROPPED_REFUSED = 6;
    static final int DELIVERY_ERRORS = 7;
    static final int LEARNED = 8;
    static final int MOVED = 9;
    static final int TABLE_FULL = 10;
    static final int AGED = 11;
    private static final int COUNT = 12;

    private final SingleWriterCounters counters = new SingleWriterCounters(COUNT);

    void increment(final int id)
    {
        counters.increment(id);
    }

    /**
     * Frames sent to the one port their destination was learned on.
     */
    public long forwardedUnicast()
    {
        return counters.get(FORWARDED_UNICAST);
    }

    /**
     * Frames sent to every port but their ingress: broadcast, multicast, unknown or aged destination.
     */
    public long flooded()
    {
        return counters.get(FLOODED);
    }

    /**
     * Frames shorter than an Ethernet header, or not inside the buffer they were passed in.
     */
    public long droppedShort()
    {
        return counters.get(DROPPED_SHORT);
    }

    /**
     * Frames whose source MAC is multicast, broadcast or zero; never learned.
     */
    public long droppedInvalidSource()
    {
        return counters.get(DROPPED_INVALID_SOURCE);
    }

    /**
     * Frames offered on a port number that is not attached (a vif still sending after detach).
     */
    public long droppedNoPort()
    {
        return counters.get(DROPPED_NO_PORT);
    }

    /**
     * Frames whose destination was learned on their own ingress port: a switch does not send them back.
     */
    public long droppedFiltered()
    {
        return counters.get(DROPPED_FILTERED);
    }

    /**
     * Deliveries a port refused (returned false or threw).
     */
    public long droppedRefused()
    {
        return counters.get(DROPPED_REFUSED);
    }

    /**
     * Every drop: whole frames plus refused deliveries.
     */
    public long dropped()
    {
        return droppedShort() + droppedInvalidSource() + droppedNoPort() + droppedFiltered() + droppedRefused();
    }

    /**
     * Deliveries in which the port threw; also counted in {@link #droppedRefused()}.
     */
    public long deliveryErrors()
    {
        return counters.get(DELIVERY_ERRORS);
    }

    /**
     * Addresses entered in the MAC table: new, or back after ageing out or losing their port.
     */
    public long learned()
    {
        return counters.get(LEARNED);
    }

    /**
     * Live addresses seen on a different port than the one they were learned on, and moved there.
     */
    public long moved()
    {
        return counters.get(MOVED);
    }

    /**
     * Source addresses not learned because the MAC table was at capacity; frames to them flood.
     */
    public long tableFull()
    {
        return counters.get(TABLE_FULL);
    }

    /**
     * Entries removed for not being seen within the ageing time (on lookup or by a sweep).
     */
    public long aged()
    {
        return counters.get(AGED);
    }

    @Override
    public String toString()
    {
        return "unicast=" + forwardedUnicast() + " flooded=" + flooded() +
            " dropped[short=" + droppedShort() + " invalid-source=" + droppedInvalidSource() +
            " no-port=" + droppedNoPort() + " filtered=" + droppedFiltered() + " refused=" + droppedRefused() +
            "] errors=" + deliveryErrors() + " learned=" + learned() + " moved=" + moved() +
            " table-full=" + tableFull() + " aged=" + aged();
    }
}
