package io.javisor.ringio.event;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The hypervisor's index of every domain's event channels, so that a send on one domain's port
 * reaches the bound port of the peer domain. Lookups are lock-free array reads; binding and
 * closing (control plane) hold this hub's monitor so that both ends of a channel change together.
 */
public final class EventChannelHub
{
    /** Domain ids from 0x7FF0 up are reserved, as in Xen. */
    public static final int MAX_DOMAINS = 0x7FF0;

    private final AtomicReferenceArray<EventChannels> byDomid = new AtomicReferenceArray<>(MAX_DOMAINS);

    void register(final EventChannels channels)
    {
        if (!byDomid.compareAndSet(channels.domid(), null, channels))
        {
            throw new IllegalStateException("domain " + channels.domid() + " already has event channels");
        }
    }

    /**
     * Removes a dying domain: every channel it had bound to another domain is returned to that
     * domain as unbound, as Xen does when one end of an interdomain channel goes away.
     */
    public void unregister(final EventChannels channels)
    {
        synchronized (this)
        {
            channels.closeAll();
            byDomid.compareAndSet(channels.domid(), channels, null);
        }
    }

    public EventChannels lookup(final int domid)
    {
        return domid >= 0 && domid < MAX_DOMAINS ? byDomid.get(domid) : null;
    }
}
