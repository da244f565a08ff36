package io.javisor.memory;

/**
 * An access through a {@link GuestMemory} whose domain has been destroyed (or whose hypervisor has
 * shut down): its frames are back in the pool, so the access is refused instead of reaching them.
 */
public final class GuestMemoryReleasedException extends IllegalStateException
{
    public GuestMemoryReleasedException(final int domid)
    {
        super("domain " + domid + "'s memory has been released (the domain was destroyed)");
    }
}
