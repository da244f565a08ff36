package io.javisor.perf.io;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.core.BackendThreading;
import io.javisor.core.DiskAccess;
import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.guests.DiskIoJob;
import io.javisor.emulation.guests.DiskIoJobDescriptor;
import io.javisor.emulation.guests.DiskIoResults;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

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

    private static final int MIN_MEMORY_MIB = 16;
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
        final ElfImage elf = GuestImages.load(guest);
        final long at = elf.symbol(DiskIoJobDescriptor.SYMBOL).orElseThrow(() ->
            new IllegalStateException(guest + " has no " + DiskIoJobDescriptor.SYMBOL + ": not a disk-io guest"));
        final byte[] bytes = job.encode();
        // The job must lie in the lower half of RAM (the device tree and the ring pages sit above).
        final long needed = 2 * (at - RamBus.RAM_BASE + bytes.length);
        final int mib = (int)Math.max(MIN_MEMORY_MIB, (needed + MachineConfig.MIB - 1) / MachineConfig.MIB);
        final String name = "io-" + kind.name().toLowerCase(Locale.ROOT) + "-" + ++runs;
        final Domain domain = hypervisor.createDomain(kind == DomainKind.PV ? DomainConfig.pv(name, mib) : DomainConfig.hvm(name, mib));
        try
        {
            hypervisor.backends().attachDisk(domain, "xvda", new BorrowedDiskImage(image), DiskAccess.READ_WRITE);
            final GuestExitWindow console = new GuestExitWindow("disk-io: start", "disk-io: end");
            final MachineConfig machine = new MachineConfig().kernel(elf).console(console).timebaseHz(timebaseHz)
                .preload(at, bytes);
            final HvmGuest vcpu = kind == DomainKind.PV ? hypervisor.startPv(domain, machine) :
                hypervisor.startHvm(domain, machine.bootMode(BootMode.BUILTIN));
            console.watch(vcpu);
            final MachineExit exit = vcpu.awaitExit(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            final byte[] after = new byte[bytes.length];
            domain.memory().getBytes(at - RamBus.RAM_BASE, new UnsafeBuffer(after), 0, after.length);
            DiskIoResults results = null;
            try
            {
                results = job.decode(after);
            }
            catch (final IllegalArgumentException unfinished)
            {
                // Reported below with the exit and the console's end.
            }
            if (exit == null || results == null || console.exits() < 0)
            {
                throw new IllegalStateException(guest + " did not finish its job: " + (exit == null ? "still running after " +
                    RUN_TIMEOUT_SECONDS + " s" : exit) + "\n" + HvmLauncher.tail(console.text()));
            }
            return new GuestRun(results, timebaseHz, console.exits(), true);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + guest + " ran", ex);
        }
        finally
        {
            hypervisor.destroyDomain(domain.id());
        }
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
