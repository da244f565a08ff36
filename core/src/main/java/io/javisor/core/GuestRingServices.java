package io.javisor.core;

import io.javisor.core.hypercall.ConsoleBackend;
import io.javisor.core.hypercall.DomainHypercalls;
import io.javisor.core.hypercall.GuestRam;
import io.javisor.core.hypercall.PvParams;
import io.javisor.core.hypercall.XenStoreRingService;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.memory.PageDescriptor;
import io.javisor.ringio.xenstore.XenStore;
import io.javisor.ringio.xenstore.XenStoreRingServer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.HashMap;
import java.util.Map;

/**
 * dom0's services for guest-code domains that may use PV front ends, as Xen's domain builder,
 * xenstored and xenconsoled together: each domain's xenstore and console rings at the top of its RAM,
 * their event channels bound to dom0, xenstore served over the ring by one xenstored thread (started
 * with the first domain), and the console ring drained by the domain's own vCPU.
 * <p>
 * Build and release are control-plane operations serialised by this object's monitor.
 */
final class GuestRingServices implements AutoCloseable
{
    private final XenStore xenStore;
    private final Domain dom0;
    /** dom0's end of each guest-code domain's console channel, by domain id. */
    private final Map<Integer, Integer> consolePorts = new HashMap<>();
    /** dom0's xenstored for guest-code domains, started with the first one. */
    private XenStoreRingService xenStoreRings;

    GuestRingServices(final XenStore xenStore, final Domain dom0)
    {
        this.xenStore = xenStore;
        this.dom0 = dom0;
    }

    /**
     * The domain builder's part for guest code that may use PV front ends: the xenstore ring in the
     * second-last page of RAM and the console ring in the last, each with an event channel the guest
     * owns and dom0 binds, announced in xenstore ({@code store/ring-ref}, {@code store/port},
     * {@code console/ring-ref}, {@code console/port}) and through the parameter query.
     */
    synchronized DomainHypercalls build(final Domain domain, final MachineConfig machine)
    {
        final long size = domain.memory().size();
        if (size < 4L * MachineConfig.MIB)
        {
            throw new IllegalArgumentException("domain " + domain.name() + " has too little memory for its guest");
        }
        final long storeFrame = size / PageDescriptor.PAGE_SIZE - Hypervisor.PV_RING_PAGES;
        final long consoleFrame = storeFrame + 1;
        final UnsafeBuffer storePage = new UnsafeBuffer(0, 0);
        final UnsafeBuffer consolePage = new UnsafeBuffer(0, 0);
        domain.memory().wrapFrame(storeFrame, storePage);
        domain.memory().wrapFrame(consoleFrame, consolePage);
        storePage.setMemory(0, PageDescriptor.PAGE_SIZE, (byte)0);
        consolePage.setMemory(0, PageDescriptor.PAGE_SIZE, (byte)0);

        final int id = domain.id();
        final int storePort = domain.eventChannels().allocUnbound(Hypervisor.DOM0);
        final int consolePort = domain.eventChannels().allocUnbound(Hypervisor.DOM0);
        if (storePort < 0 || consolePort < 0)
        {
            throw new IllegalStateException("domain " + domain.name() + " has no free event channel for its rings");
        }
        final int dom0StorePort = dom0.eventChannels().bindInterdomain(id, storePort);
        final int dom0ConsolePort = dom0.eventChannels().bindInterdomain(id, consolePort);
        if (dom0StorePort < 0 || dom0ConsolePort < 0)
        {
            throw new IllegalStateException("dom0 has no free event channel for domain " + domain.name() + "'s rings");
        }
        dom0.eventChannels().clearPending(dom0StorePort);
        dom0.eventChannels().clearPending(dom0ConsolePort);
        consolePorts.put(id, dom0ConsolePort);

        final long storePfn = GuestRam.RAM_BASE_FRAME + storeFrame;
        final long consolePfn = GuestRam.RAM_BASE_FRAME + consoleFrame;
        final String home = domain.xenstoreHome();
        xenStore.write(Hypervisor.DOM0, home + "/store/ring-ref", Long.toString(storePfn));
        xenStore.write(Hypervisor.DOM0, home + "/store/port", Integer.toString(storePort));
        xenStore.write(Hypervisor.DOM0, home + "/console/ring-ref", Long.toString(consolePfn));
        xenStore.write(Hypervisor.DOM0, home + "/console/port", Integer.toString(consolePort));

        if (xenStoreRings == null)
        {
            xenStoreRings = new XenStoreRingService(dom0.eventChannels());
        }
        final XenStoreRingService service = xenStoreRings;
        service.add(new XenStoreRingServer(xenStore.connect(id), storePage, service::wake), dom0StorePort);

        machine.reservedTopBytes((long)Hypervisor.PV_RING_PAGES * PageDescriptor.PAGE_SIZE);
        return new DomainHypercalls(id, domain.memory(), domain.eventChannels(), domain.grantTable(), domain.grantMapper(),
            machine.console(), new PvParams(storePfn, storePort, consolePfn, consolePort),
            new ConsoleBackend(consolePage, machine.console()));
    }

    /** The domain is dying or its guest never started: its rings are no longer served and dom0's console port closes. */
    synchronized void release(final int id)
    {
        if (xenStoreRings != null)
        {
            xenStoreRings.remove(id);
        }
        final Integer port = consolePorts.remove(id);
        if (port != null)
        {
            dom0.eventChannels().close(port);
        }
    }


    @Override
    public synchronized void close()
    {
        if (xenStoreRings != null)
        {
            xenStoreRings.close();
            xenStoreRings = null;
        }
    }
}
