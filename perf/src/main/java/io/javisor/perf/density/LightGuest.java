package io.javisor.perf.density;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.Vbd;
import io.javisor.core.Domain;
import io.javisor.core.Hypervisor;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.Vif;
import io.javisor.netback.VifStatistics;

/**
 * One light Java guest of the density benchmark: a PV domain with a RAM disk ({@code xvda}) and a
 * vif, whose Java front ends ({@link BlkFront}, {@link NetFront}) are attached and connected, plus
 * the guest's own progress through the workload.
 * <p>
 * Single-threaded: the benchmark's driving thread owns every guest (as each front end requires).
 */
final class LightGuest
{
    private final Domain domain;
    private final long mac;
    private final long partnerMac;
    private final Vbd vbd;
    private final Vif vif;
    private final BlkFront disk;
    private final NetFront nic;
    private int readsLeft;
    private int framesLeft;
    private int framesReceived;
    private boolean closed;

    LightGuest(final Domain domain, final long mac, final long partnerMac, final Vbd vbd, final Vif vif,
        final BlkFront disk, final NetFront nic)
    {
        this.domain = domain;
        this.mac = mac;
        this.partnerMac = partnerMac;
        this.vbd = vbd;
        this.vif = vif;
        this.disk = disk;
        this.nic = nic;
    }

    Domain domain()
    {
        return domain;
    }

    long mac()
    {
        return mac;
    }

    /** Where this guest's frames go: another guest on its bridge. */
    long partnerMac()
    {
        return partnerMac;
    }

    BlkFront disk()
    {
        return disk;
    }

    NetFront nic()
    {
        return nic;
    }

    Vbd vbd()
    {
        return vbd;
    }

    Vif vif()
    {
        return vif;
    }

    int readsLeft()
    {
        return readsLeft;
    }

    void readsLeft(final int reads)
    {
        readsLeft = reads;
    }

    void readIssued()
    {
        readsLeft--;
    }

    int framesLeft()
    {
        return framesLeft;
    }

    void framesLeft(final int frames)
    {
        framesLeft = frames;
    }

    void frameSent()
    {
        framesLeft--;
    }

    int framesReceived()
    {
        return framesReceived;
    }

    void frameReceived()
    {
        framesReceived++;
    }

    /**
     * Frames the back end could not carry for this guest: transmit errors and receive drops.
     */
    long drops()
    {
        final VifStatistics s = vif.statistics();
        return s.txErrors() + s.rxDroppedNoBuffer() + s.rxDroppedQueueFull() + s.rxDroppedTooBig();
    }

    /**
     * Destroys the domain (its devices go first, as {@code xl destroy} does), then lets the guest's
     * front ends go, as when a guest process is killed.
     */
    void destroy(final Hypervisor hypervisor)
    {
        if (closed)
        {
            return;
        }
        closed = true;
        hypervisor.destroyDomain(domain.id());
        disk.close();
        nic.close();
    }

    static BlkFrontConfig diskConfig()
    {
        // One request in flight on one data page: a light guest's closed loop.
        return BlkFrontConfig.defaults().withQueueDepth(1).withSegmentsPerSlot(1);
    }

    static NetFrontConfig nicConfig(final int buffers)
    {
        return NetFrontConfig.defaults().withBuffers(buffers, buffers);
    }
}
