package io.javisor.core;

import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantReferencePool;
import io.javisor.memory.GuestPageAllocator;
import io.javisor.ringio.DomainResources;
import io.javisor.memory.GrantTable;
import io.javisor.memory.GuestMemory;
import io.javisor.ringio.event.EventChannels;

/**
 * A domain: an id, a name, guest memory, an event channel table, a grant table (as granter), a
 * grant mapper (as grantee), and a xenstore home at {@code /local/domain/<id>}. Built and torn
 * down by the {@link Hypervisor}; life-cycle transitions are serialised by this object's monitor.
 */
public final class Domain
{
    private final Hypervisor hypervisor;
    private final int id;
    private final DomainConfig config;
    /** Written under the hypervisor's monitor (a rename), read by anyone. */
    private volatile String name;
    private final GuestMemory memory;
    private final GrantTable grantTable;
    private final GrantMapper grantMapper;
    private final EventChannels eventChannels;
    private final long sharedInfoMfn;
    private final DomainResources resources;
    private volatile DomainState state = DomainState.CREATED;
    private volatile ShutdownReason shutdownReason;
    private volatile String crashReason;
    /** The HVM guest's vCPU, once started; pause and unpause reach it. */
    private volatile HvmGuest vcpu;

    Domain(
        final Hypervisor hypervisor,
        final int id,
        final DomainConfig config,
        final GuestMemory memory,
        final GrantTable grantTable,
        final GrantMapper grantMapper,
        final EventChannels eventChannels,
        final long sharedInfoMfn)
    {
        this.hypervisor = hypervisor;
        this.id = id;
        this.config = config;
        this.name = config.name();
        this.memory = memory;
        this.grantTable = grantTable;
        this.grantMapper = grantMapper;
        this.eventChannels = eventChannels;
        this.sharedInfoMfn = sharedInfoMfn;
        this.resources = new DomainResources(
            id,
            memory,
            new GuestPageAllocator(memory, 0),
            grantTable,
            // The first 8 references are reserved (console, xenstore), as GNTTAB_NR_RESERVED_ENTRIES.
            new GrantReferencePool(RESERVED_GRANT_REFS, grantTable.entryCount() - RESERVED_GRANT_REFS),
            grantMapper,
            eventChannels,
            hypervisor.xenStore().connect(id));
    }

    /** Grant references a domain keeps for itself, as Xen's GNTTAB_NR_RESERVED_ENTRIES. */
    public static final int RESERVED_GRANT_REFS = 8;

    /**
     * What drivers running in this domain (Java front ends, back ends in dom0) use of it.
     */
    public DomainResources resources()
    {
        return resources;
    }

    public int id()
    {
        return id;
    }

    /** Its name: the config's, until the toolstack renames it ({@link Hypervisor#renameDomain}). */
    public String name()
    {
        return name;
    }

    /** Under the hypervisor's monitor, which also keeps the name index. */
    void rename(final String newName)
    {
        name = newName;
    }

    public DomainConfig config()
    {
        return config;
    }

    public DomainType type()
    {
        return config.type();
    }

    public GuestMemory memory()
    {
        return memory;
    }

    public GrantTable grantTable()
    {
        return grantTable;
    }

    public GrantMapper grantMapper()
    {
        return grantMapper;
    }

    public EventChannels eventChannels()
    {
        return eventChannels;
    }

    long sharedInfoMfn()
    {
        return sharedInfoMfn;
    }

    /**
     * This domain's xenstore home, {@code /local/domain/<id>}.
     */
    public String xenstoreHome()
    {
        return "/local/domain/" + id;
    }

    public DomainState state()
    {
        return state;
    }

    public ShutdownReason shutdownReason()
    {
        return shutdownReason;
    }

    public String crashReason()
    {
        return crashReason;
    }

    public synchronized void unpause()
    {
        requireState("unpause", DomainState.CREATED, DomainState.PAUSED, DomainState.RUNNING);
        state = DomainState.RUNNING;
        final HvmGuest guest = vcpu;
        if (guest != null)
        {
            guest.resume();
        }
    }

    /**
     * Stop the domain's vCPU (an HVM guest runs no instruction until {@link #unpause()}); returns
     * once it has stopped. The vCPU never needs this monitor while it runs, so waiting here under
     * it cannot deadlock.
     */
    public synchronized void pause()
    {
        requireState("pause", DomainState.RUNNING, DomainState.PAUSED, DomainState.CREATED);
        state = DomainState.PAUSED;
        final HvmGuest guest = vcpu;
        if (guest != null)
        {
            guest.pause();
        }
    }

    void attach(final HvmGuest guest)
    {
        this.vcpu = guest;
    }

    /**
     * The guest (or the toolstack) shuts the domain down; it stays until destroyed.
     */
    public synchronized void shutdown(final ShutdownReason reason)
    {
        requireState("shut down", DomainState.CREATED, DomainState.RUNNING, DomainState.PAUSED);
        shutdownReason = reason;
        state = reason == ShutdownReason.CRASH ? DomainState.CRASHED : DomainState.SHUTDOWN;
    }

    /**
     * The domain did something it cannot survive; the reason is kept for {@code xl list -l}.
     * Only this domain is affected.
     */
    public synchronized void crash(final String reason)
    {
        if (state == DomainState.DYING || state == DomainState.GONE)
        {
            return;
        }
        crashReason = reason;
        shutdownReason = ShutdownReason.CRASH;
        state = DomainState.CRASHED;
    }

    /**
     * Destroys the domain: see {@link Hypervisor#destroyDomain(int)}.
     */
    public void destroy()
    {
        hypervisor.destroyDomain(id);
    }

    synchronized boolean markDying()
    {
        if (state == DomainState.DYING || state == DomainState.GONE)
        {
            return false;
        }
        state = DomainState.DYING;
        return true;
    }

    void markGone()
    {
        state = DomainState.GONE;
    }

    /** @throws IllegalStateException (one line) when the domain is dying or gone: nothing more is attached to it */
    void requireAlive()
    {
        final DomainState now = state();
        if (now == DomainState.DYING || now == DomainState.GONE)
        {
            throw new IllegalStateException("domain " + id + " (" + name() + ") is " + now);
        }
    }

    private void requireState(final String action, final DomainState... allowed)
    {
        for (final DomainState s : allowed)
        {
            if (state == s)
            {
                return;
            }
        }
        throw new IllegalStateException("cannot " + action + " domain " + id + " (" + name() + ") in state " + state);
    }

    @Override
    public String toString()
    {
        return "Domain{" + id + ", " + name() + ", " + state + "}";
    }
}
