package io.javisor.core;

import io.javisor.memory.GrantStatus;
import io.javisor.ringio.event.EventChannelStatus;
import io.javisor.ringio.xenstore.XenStoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class HypervisorTest
{
    private final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @Test
    void dom0ExistsFromStartUpAndIsRunning()
    {
        final Domain dom0 = hypervisor.dom0();
        assertEquals(0, dom0.id());
        assertEquals("Domain-0", dom0.name());
        assertEquals(DomainState.RUNNING, dom0.state());
        assertSame(dom0, hypervisor.domain(0));
        assertFalse(hypervisor.destroyDomain(0), "dom0 cannot be destroyed while the hypervisor runs");
    }

    @Test
    void aCreatedDomainHasItsMemoryGrantTableEventChannelsAndXenstoreHome()
    {
        final Domain domain = hypervisor.createDomain(DomainConfig.pv("guest", 8));
        assertTrue(domain.id() > 0);
        assertEquals(DomainState.CREATED, domain.state());
        assertEquals(8L << 20, domain.memory().size());
        assertEquals(domain.id(), domain.grantTable().domid());
        assertEquals("guest", hypervisor.xenStore().readString(0, domain.xenstoreHome() + "/name"));
        assertSame(domain.grantTable(), hypervisor.grantTables().lookup(domain.id()));
        assertSame(domain.eventChannels(), hypervisor.eventChannelHub().lookup(domain.id()));
        domain.unpause();
        assertEquals(DomainState.RUNNING, domain.state());
        domain.pause();
        assertEquals(DomainState.PAUSED, domain.state());
    }

    @Test
    void badConfigurationsAreRefusedWithAOneLineReasonAndLeaveNothingBehind()
    {
        final long free = hypervisor.freeFrames();
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> hypervisor.createDomain(DomainConfig.pv("x", 0))).getMessage().startsWith("memory:"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> hypervisor.createDomain(DomainConfig.pv("bad name!", 8))).getMessage().startsWith("name:"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> hypervisor.createDomain(DomainConfig.pv("x", 8).withGrantFrames(0))).getMessage().startsWith("grant frames:"));
        hypervisor.createDomain(DomainConfig.pv("twin", 8));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> hypervisor.createDomain(DomainConfig.pv("twin", 8))).getMessage().contains("already exists"));
        final DomainCreationException tooBig = assertThrows(DomainCreationException.class,
            () -> hypervisor.createDomain(DomainConfig.pv("huge", 1024)));
        assertFalse(tooBig.getMessage().contains("\n"));
        assertNull(hypervisor.domainByName("huge"));
        assertEquals(free - (8L << 20) / 4096 - 4 - 1, hypervisor.freeFrames(), "only 'twin' holds frames");
    }

    @Test
    void tenThousandCreateDestroyCyclesLeakNoFramePortOrXenstoreNode()
    {
        final long free = hypervisor.freeFrames();
        final int dom0Nodes = hypervisor.xenStore().ownedNodeCount(0);
        for (int i = 0; i < 10_000; i++)
        {
            final Domain domain = hypervisor.createDomain(DomainConfig.pv("d" + i, 1));
            final int port = domain.eventChannels().allocUnbound(0);
            assertTrue(port > 0);
            final int backPort = hypervisor.dom0().eventChannels().bindInterdomain(domain.id(), port);
            assertTrue(backPort > 0, "dom0 port " + backPort + " at cycle " + i);
            assertTrue(hypervisor.destroyDomain(domain.id()));
            assertEquals(DomainState.GONE, domain.state());
            // The peer is gone: dom0's end fell back to unbound, and its back end closes it.
            assertEquals(EventChannelStatus.UNBOUND, hypervisor.dom0().eventChannels().status(backPort));
            assertEquals(0, hypervisor.dom0().eventChannels().close(backPort));
        }
        assertEquals(free, hypervisor.freeFrames(), "every frame returned");
        assertEquals(1, hypervisor.domains().size(), "only dom0 left");
        assertEquals(dom0Nodes, hypervisor.xenStore().ownedNodeCount(0), "no xenstore node left behind");
        final int[] open = { 0 };
        for (int port = 1; port < hypervisor.dom0().eventChannels().maxPorts(); port++)
        {
            if (hypervisor.dom0().eventChannels().status(port) != EventChannelStatus.CLOSED)
            {
                open[0]++;
            }
        }
        assertEquals(0, open[0], "no dom0 port left open");
    }

    @Test
    void aDestroyedDomainKeepsItsFramesUntilItsGranteesUnmap()
    {
        final Domain guest = hypervisor.createDomain(DomainConfig.pv("guest", 4));
        guest.grantTable().grantAccess(1, 0, 2, false);
        final int handle = hypervisor.dom0().grantMapper().map(guest.id(), 1, false);
        assertTrue(handle >= 0);
        final long free = hypervisor.freeFrames();
        assertTrue(hypervisor.destroyDomain(guest.id()));
        assertEquals(DomainState.DYING, guest.state());
        assertEquals(free, hypervisor.freeFrames(), "the mapped frame must not be reused yet");
        assertThrows(XenStoreException.class, () -> hypervisor.xenStore().read(0, guest.xenstoreHome() + "/name"));
        assertEquals(GrantStatus.BAD_DOMAIN, hypervisor.dom0().grantMapper().map(guest.id(), 1, false));
        assertEquals(GrantStatus.OKAY, hypervisor.dom0().grantMapper().unmap(handle));
        assertEquals(DomainState.GONE, guest.state());
        assertTrue(hypervisor.freeFrames() > free);
    }

    @Test
    void aCrashedDomainRecordsWhyAndOthersKeepRunning()
    {
        final Domain a = hypervisor.createDomain(DomainConfig.pv("a", 1));
        final Domain b = hypervisor.createDomain(DomainConfig.pv("b", 1));
        a.unpause();
        b.unpause();
        a.crash("illegal instruction at 0x80200000 with no trap handler");
        assertEquals(DomainState.CRASHED, a.state());
        assertEquals(ShutdownReason.CRASH, a.shutdownReason());
        assertTrue(a.crashReason().contains("illegal instruction"));
        assertEquals(DomainState.RUNNING, b.state());
        assertThrows(IllegalStateException.class, a::unpause);
    }

    @Test
    void aDomainCannotExceedItsMemoryQuota()
    {
        final Domain domain = hypervisor.createDomain(DomainConfig.pv("q", 1));
        assertEquals(-1, hypervisor.frameAllocator().allocate(domain.id(), 1), "the quota is its memory=");
    }
}
