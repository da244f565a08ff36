package io.javisor.perf.io;

import io.javisor.core.BackendThreading;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.emulation.guests.NetIoJobDescriptor;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The network side of {@code bench io}: one hypervisor of its own with a bridge, the Java echo peer
 * on it, and every net variant talking to that peer in interleaved rounds (each variant once per
 * round, in table order). dom0's shared network back end serves every vif (one agent that parks
 * when idle: on two cores, agents that spin per vif would take the cores the guests run on).
 * Driven from one thread.
 */
final class NetSection
{
    static final String BRIDGE = "io-net";

    private final NetConfig config;
    private final long timebaseHz;
    private final boolean interrupts;
    private final List<String> only;

    /**
     * @param only the disk variant keys chosen; a net variant runs when its slot is among them
     */
    NetSection(final NetConfig config, final long timebaseHz, final boolean interrupts, final List<String> only)
    {
        this.config = config;
        this.timebaseHz = timebaseHz;
        this.interrupts = interrupts;
        this.only = List.copyOf(only);
    }

    /** Runs the rounds and returns each variant's totals in table order. */
    List<NetTotals> run(final int warmupRounds, final int rounds, final PrintWriter progress)
    {
        final List<NetTotals> totals = new ArrayList<>();
        if (!config.enabled())
        {
            return totals;
        }
        try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256)
                .withBackendThreading(BackendThreading.SHARED));
             NetEchoPeer peer = new NetEchoPeer(hypervisor, BRIDGE))
        {
            try
            {
                for (final NetVariant variant : variants(hypervisor, peer))
                {
                    totals.add(new NetTotals(variant, variant.unavailable()));
                }
                peer.start();
                for (int round = -warmupRounds; round < rounds; round++)
                {
                    for (final NetTotals t : totals)
                    {
                        if (t.unavailable == null && t.stopped == null)
                        {
                            runRound(t, round);
                        }
                    }
                    if (progress != null)
                    {
                        progress.println(progressLine(round, totals));
                        progress.flush();
                    }
                }
            }
            finally
            {
                peer.stop();
                for (final NetTotals t : totals)
                {
                    t.variant.close();
                }
            }
        }
        return totals;
    }

    private List<NetVariant> variants(final Hypervisor hypervisor, final NetEchoPeer peer)
    {
        final List<NetVariant> variants = new ArrayList<>();
        if (only.contains(IoVariants.JAVA_PV))
        {
            variants.add(new JavaNetVariant(hypervisor, BRIDGE, peer.mac()));
        }
        addGuest(variants, hypervisor, IoVariants.PV_DOMAIN, "2 RISC-V guest -> PV (PV domain, netfront)",
            GuestNetVariant.Kind.PV);
        addGuest(variants, hypervisor, IoVariants.PV_ON_HVM, "3 RISC-V guest -> PV-on-HVM (netfront)",
            GuestNetVariant.Kind.PV_ON_HVM);
        addGuest(variants, hypervisor, IoVariants.JAVISOR_VIRTIO, "4 RISC-V guest -> virtio-net (javisor)",
            GuestNetVariant.Kind.VIRTIO);
        if (only.contains(IoVariants.JAVISOR_ATA))
        {
            variants.add(new GuestNetVariant(IoVariants.JAVISOR_LAN9118, "5 RISC-V guest -> emulated LAN9118 (javisor)",
                GuestNetVariant.Kind.LAN9118, hypervisor, BRIDGE, timebaseHz, interrupts));
        }
        if (only.contains(IoVariants.QEMU_VIRTIO))
        {
            variants.add(new UnavailableNetVariant(IoVariants.QEMU_VIRTIO, "6 same virtio guest ELF -> QEMU TCG virtio-net",
                "not measured: QEMU's NIC cannot join javisor's bridge (the bridge has no socket port)"));
        }
        return variants;
    }

    private void addGuest(final List<NetVariant> variants, final Hypervisor hypervisor, final String key, final String label,
        final GuestNetVariant.Kind kind)
    {
        if (only.contains(key))
        {
            variants.add(new GuestNetVariant(key, label, kind, hypervisor, BRIDGE, timebaseHz, interrupts));
        }
    }

    private void runRound(final NetTotals t, final int round)
    {
        try
        {
            final long startMs = System.currentTimeMillis();
            final NetRun small = t.variant.run(config.warmupPings(), config.pings(), config.streamFrames(),
                NetIoJobDescriptor.PING_LENGTH);
            final NetRun large = t.variant.run(1, 1, config.streamFrames(), NetIoJobDescriptor.MAX_FRAME_LENGTH);
            final long endMs = System.currentTimeMillis();
            if (round >= 0)
            {
                t.add(small, large, startMs, endMs);
            }
        }
        catch (final RuntimeException ex)
        {
            final String message = String.valueOf(ex.getMessage());
            final int nl = message.indexOf('\n');
            t.stopped = "stopped in round " + round + ": " + ex.getClass().getSimpleName() + ": " +
                (nl < 0 ? message : message.substring(0, nl));
        }
    }

    private static String progressLine(final int round, final List<NetTotals> totals)
    {
        final StringBuilder line = new StringBuilder(round < 0 ? "net warm-up round" : "net round " + (round + 1)).append(':');
        for (final NetTotals t : totals)
        {
            if (t.unavailable != null)
            {
                continue;
            }
            line.append(' ').append(t.variant.key()).append(' ');
            if (t.stopped != null)
            {
                line.append("stopped");
            }
            else if (t.rtt.getTotalCount() == 0)
            {
                line.append("ok");
            }
            else
            {
                line.append(String.format(Locale.ROOT, "rtt p50 %.2f us", t.rtt.getValueAtPercentile(50) / 1000.0));
            }
            line.append(';');
        }
        return line.toString();
    }
}
