package io.javisor.perf.io;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.core.BackendThreading;
import io.javisor.core.DiskAccess;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.emulation.guests.DiskIoJob;
import io.javisor.emulation.guests.DiskIoJobDescriptor;
import io.javisor.emulation.guests.DiskIoResults;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;

import java.util.Locale;

/**
 * Disk-io guests in guest code over the Xen PV block path (variants 2 and 3): per run a fresh domain
 * of a {@link Hypervisor} of the launcher's own, a PV domain ({@code startPv}, the PV board: RAM and
 * hypercalls only) or an HVM domain whose guest uses blkfront (PV-on-HVM, {@code startHvm} under the
 * builtin firmware), with the bench's RAM disk lent to it as {@code xvda}. The job is preloaded at the
 * guest's {@code __heap_start} and its results read back from the domain's RAM after the guest powers
 * off; the domain is destroyed after every run. The back end is a dedicated busy-spinning blkback
 * agent of that domain (as variant 1's back end spins while it runs), so nothing of it runs between
 * runs. Exits are the hypercalls the guest made over the timed requests (and, on PV-on-HVM, its MMIO
 * accesses), counted by the hypervisor at the console lines around them; the vCPU drains the console
 * ring when the guest notifies it, so the counts are taken between two guest instructions, and the
 * end line's own notify is taken out. Driven from one thread.
 */
final class PvLauncher implements GuestLauncher
{
    /** Which domain type runs the guest. */
    enum DomainKind
    {
        PV,
        PV_ON_HVM
    }

    private static final long RUN_TIMEOUT_SECONDS = 600;

    private final DomainKind kind;
    private final long timebaseHz;
    private Hypervisor hypervisor;
    private RamDiskImage image;
    private int runs;

    PvLauncher(final DomainKind kind, final long timebaseHz)
    {
        this.kind = kind;
        this.timebaseHz = timebaseHz;
    }

    @Override
    public String unavailable(final String guest)
    {
        return GuestImages.names().contains(guest) ? null : "not built yet (no " + guest + ".elf among the guests)";
    }

    @Override
    public String clock()
    {
        return String.format(Locale.ROOT, "guest time CSR, %s (javisor %s)", IoBenchmark.hz(timebaseHz),
            kind == DomainKind.PV ? "PV board" : "board");
    }

    @Override
    public long timebaseHz()
    {
        return timebaseHz;
    }

    @Override
    public void open(final long diskBytes)
    {
        image = new RamDiskImage(diskBytes);
        HvmLauncher.fillPattern(image);
        hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256)
            .withBackendThreading(BackendThreading.DEDICATED));
    }

    @Override
    public GuestRun run(final String guest, final DiskIoJob job)
    {
        final String name = "io-" + kind.name().toLowerCase(Locale.ROOT) + "-" + ++runs;
        final GuestJobRun.Outcome outcome;
        try
        {
            outcome = GuestJobRun.run(hypervisor, guest, DiskIoJobDescriptor.SYMBOL, job.encode(), name, kind == DomainKind.PV,
                domain -> hypervisor.backends().attachDisk(domain, "xvda", new BorrowedDiskImage(image), DiskAccess.READ_WRITE),
                (hv, domain, machine) -> kind == DomainKind.PV ? hv.startPv(domain, machine) :
                    hv.startHvm(domain, machine.bootMode(BootMode.BUILTIN)),
                "disk-io: start", "disk-io: end", timebaseHz, RUN_TIMEOUT_SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + guest + " ran", ex);
        }
        DiskIoResults results = null;
        try
        {
            results = job.decode(outcome.job());
        }
        catch (final IllegalArgumentException unfinished)
        {
            // Reported below with the exit and the console's end.
        }
        if (outcome.exit() == null || results == null || outcome.console().exits() < 0)
        {
            throw new IllegalStateException(guest + " did not finish its job: " + (outcome.exit() == null ?
                "still running after " + RUN_TIMEOUT_SECONDS + " s" : outcome.exit()) + "\n" + outcome.consoleTail());
        }
        return new GuestRun(results, timebaseHz, outcome.console().exits(), true);
    }

    @Override
    public void close()
    {
        if (hypervisor != null)
        {
            hypervisor.close();
            hypervisor = null;
        }
        if (image != null)
        {
            image.close();
            image = null;
        }
    }
}
