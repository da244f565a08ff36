package io.javisor.perf.io;

import io.javisor.core.Hypervisor;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.guests.NetIoJob;
import io.javisor.emulation.guests.NetIoJobDescriptor;
import io.javisor.emulation.guests.NetIoResults;
import io.javisor.emulation.machine.BootMode;

import java.util.Locale;

/**
 * A net-io guest ({@code emulation/guests/src/net-io.c}) on javisor, per run in a fresh domain of the
 * net section's hypervisor with one NIC on the bench's bridge: netfront in a PV domain or as
 * PV-on-HVM, or a virtio-net or LAN9118 NIC on the HVM board. The job is preloaded at
 * {@code __heap_start}, the results read back from the domain's RAM after power-off, the domain
 * destroyed after every run. Exits over the timed round trips are counted by a
 * {@link GuestExitWindow}. Driven from one thread.
 */
final class GuestNetVariant implements NetVariant
{
    /** Which domain and NIC run the guest. */
    enum Kind
    {
        PV("net-io-pv", "type=vif"),
        PV_ON_HVM("net-io-pv", "type=vif"),
        VIRTIO("net-io-virtio", "model=virtio"),
        LAN9118("net-io-lan9118", "model=lan9118");

        final String guest;
        final String nic;

        Kind(final String guest, final String nic)
        {
            this.guest = guest;
            this.nic = nic;
        }
    }

    private static final long RUN_TIMEOUT_SECONDS = 300;

    private final String key;
    private final String label;
    private final Kind kind;
    private final Hypervisor hypervisor;
    private final String bridge;
    private final long timebaseHz;
    private final boolean interrupts;
    private int runs;

    GuestNetVariant(final String key, final String label, final Kind kind, final Hypervisor hypervisor, final String bridge,
        final long timebaseHz, final boolean interrupts)
    {
        this.key = key;
        this.label = label;
        this.kind = kind;
        this.hypervisor = hypervisor;
        this.bridge = bridge;
        this.timebaseHz = timebaseHz;
        this.interrupts = interrupts;
    }

    @Override
    public String key()
    {
        return key;
    }

    @Override
    public String label()
    {
        return label;
    }

    @Override
    public String unavailable()
    {
        return GuestImages.names().contains(kind.guest) ? null : "not built yet (no " + kind.guest + ".elf among the guests)";
    }

    @Override
    public NetRun run(final int warmup, final int pings, final int streamFrames, final int streamLength)
    {
        final NetIoJob job = new NetIoJob(pings, warmup, streamFrames, streamLength,
            interrupts ? NetIoJobDescriptor.FLAG_WAIT_INTERRUPT : 0, timebaseHz / 1000);
        final String name = "io-net-" + kind.name().toLowerCase(Locale.ROOT) + "-" + ++runs;
        final String mac = String.format(Locale.ROOT, "00:16:3e:10:%02x:%02x", kind.ordinal() + 1, runs & 0xFF);
        final String spec = kind.nic + ", mac=" + mac + ", bridge=" + bridge;
        final boolean pv = kind == Kind.PV;
        final GuestJobRun.Outcome outcome;
        try
        {
            outcome = GuestJobRun.run(hypervisor, kind.guest, NetIoJobDescriptor.SYMBOL, job.encode(), name, pv,
                domain ->
                {
                    if (pv)
                    {
                        hypervisor.backends().attachVif(domain, spec);
                    }
                    else
                    {
                        hypervisor.backends().attachHvmVif(domain, spec);
                    }
                },
                (hv, domain, machine) -> switch (kind)
                {
                    case PV -> hv.startPv(domain, machine);
                    case PV_ON_HVM -> hv.startHvm(domain, machine.bootMode(BootMode.BUILTIN));
                    case VIRTIO, LAN9118 -> hv.startHvm(domain, machine.bootMode(BootMode.BARE));
                },
                "net-io: start", "net-io: end", timebaseHz, RUN_TIMEOUT_SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + kind.guest + " ran", ex);
        }
        final NetIoResults results;
        try
        {
            results = job.decode(outcome.job());
        }
        catch (final IllegalArgumentException unfinished)
        {
            throw new IllegalStateException(kind.guest + " did not finish its job (" + unfinished.getMessage() + "): " +
                (outcome.exit() == null ? "still running after " + RUN_TIMEOUT_SECONDS + " s" : outcome.exit()) + "\n" +
                outcome.consoleTail());
        }
        if (results.failedStep() != 0)
        {
            throw new IllegalStateException(kind.guest + " failed at step " + results.failedStep() + "\n" + outcome.consoleTail());
        }
        final long[] rttNs = new long[pings];
        for (int i = 0; i < pings; i++)
        {
            rttNs[i] = Math.round(results.rttTicks()[i] * 1e9 / timebaseHz);
        }
        return new NetRun(rttNs, streamFrames, results.streamCounted(), Math.round(results.streamTicks() * 1e9 / timebaseHz),
            outcome.console().exits(), results.resent());
    }

    @Override
    public void close()
    {
        // Every run's domain is destroyed at its end; the hypervisor belongs to the net section.
    }
}
