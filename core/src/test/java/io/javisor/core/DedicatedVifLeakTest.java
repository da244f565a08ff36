package io.javisor.core;

import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.Vif;
import io.javisor.netback.bridge.Bridge;
import org.agrona.concurrent.UnsafeBuffer;
import io.javisor.netback.spec.MacAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * DEDICATED back-end threading starts a netback agent per vif; attaching and detaching a vif over
 * and over must give back everything it took: dom0's pages (the agent's frame buffers), the agent's
 * thread and the bridge port.
 */
class DedicatedVifLeakTest
{
    private static final int ROUNDS = 300;

    private final Hypervisor hypervisor = new Hypervisor(
        HypervisorConfig.defaults().withMachineMemoryMiB(256).withBackendThreading(BackendThreading.DEDICATED));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @Test
    @Timeout(120)
    void threeHundredAttachDetachRoundsGiveBackDom0PagesThreadsAndPorts()
    {
        final Domain guest = hypervisor.createDomain(DomainConfig.pv("churn", 16));
        final Domain peer = hypervisor.createDomain(DomainConfig.pv("peer", 16));
        final Vif peerVif = hypervisor.backends().attachVif(peer, "bridge=xenbr0");
        final Bridge bridge = hypervisor.backends().bridges().get("xenbr0");
        final int dom0FreeBefore = hypervisor.dom0().resources().pages().freeFrames();
        final long netbackThreadsBefore = netbackThreads();
        final int portsBefore = bridge.portCount();
        try (NetFront peerFront = NetFront.attach(peer.resources(), 0, peerVif.handle(), NetFrontConfig.defaults()))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
            for (int round = 0; round < ROUNDS; round++)
            {
                final Vif vif = hypervisor.backends().attachVif(guest, "bridge=xenbr0");
                assertEquals(portsBefore + 1, bridge.portCount(), "round " + round);
                if (round % 50 == 0)
                {
                    // Now and then the data path too: a frame from the churned vif reaches the peer
                    // through the bridge, whichever agent forwards for it.
                    try (NetFront front = NetFront.attach(guest.resources(), 0, vif.handle(), NetFrontConfig.defaults()))
                    {
                        MacAddress.write(peerVif.macAddress(), frame, 0);
                        MacAddress.write(vif.macAddress(), frame, 6);
                        assertTrue(front.send(frame, 0, frame.capacity()));
                        front.flush();
                        assertEquals(64, receiveOne(peerFront), "round " + round);
                    }
                }
                hypervisor.backends().detachVif(vif);
            }
        }
        assertEquals(dom0FreeBefore, hypervisor.dom0().resources().pages().freeFrames(), "dom0 free pages");
        assertEquals(netbackThreadsBefore, netbackThreads(), "netback agent threads");
        assertEquals(portsBefore, bridge.portCount(), "bridge ports");
    }

    private static int receiveOne(final NetFront front)
    {
        final int[] received = { 0 };
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (received[0] == 0 && System.nanoTime() < deadline)
        {
            front.poll((buffer, offset, length) -> received[0] = length);
            front.awaitActivity(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return received[0];
    }

    private static long netbackThreads()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.isAlive() && thread.getName().startsWith("netback"))
            .count();
    }
}
