package io.javisor.perf.io;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One job of a bundled guest on a fresh domain, as bench io's guest-code variants run it: the job is
 * preloaded at the guest's job symbol (QEMU's {@code -device loader}), the domain sized so that the
 * job lies in the lower half of its RAM (the device tree and the ring pages sit above), its devices
 * attached by the caller, the guest started by the caller's way (PV, PV-on-HVM, HVM), its exits counted
 * between two console lines ({@link GuestExitWindow}); after power-off the job is read back from the
 * domain's RAM, and the domain is destroyed whatever happened. Stateless; runs on the caller's thread.
 */
final class GuestJobRun
{
    /** Starts the guest of a domain whose devices are attached. */
    @FunctionalInterface
    interface Starter
    {
        HvmGuest start(Hypervisor hypervisor, Domain domain, MachineConfig machine);
    }

    /**
     * How a run ended.
     *
     * @param exit    the machine's exit, or null when it still ran at the timeout
     * @param job     the job's bytes as the guest left them
     * @param console the console, with the exits between its two lines ({@link GuestExitWindow#exits()})
     */
    record Outcome(MachineExit exit, byte[] job, GuestExitWindow console)
    {
        /** The console's last lines, for a failure's message. */
        String consoleTail()
        {
            return HvmLauncher.tail(console.text());
        }
    }

    private static final int MIN_MEMORY_MIB = 16;

    private GuestJobRun()
    {
    }

    /**
     * Runs {@code guest} with {@code job} at its {@code symbol} on a new domain called {@code name}.
     *
     * @throws IllegalStateException when the guest has no such symbol
     */
    static Outcome run(final Hypervisor hypervisor, final String guest, final String symbol, final byte[] job,
        final String name, final boolean pv, final Consumer<Domain> attach, final Starter starter,
        final String startLine, final String endLine, final long timebaseHz, final long timeoutSeconds)
        throws InterruptedException
    {
        final ElfImage elf = GuestImages.load(guest);
        final long at = elf.symbol(symbol).orElseThrow(() -> new IllegalStateException(guest + " has no " + symbol));
        final long needed = 2 * (at - RamBus.RAM_BASE + job.length);
        final int mib = (int)Math.max(MIN_MEMORY_MIB, (needed + MachineConfig.MIB - 1) / MachineConfig.MIB);
        final Domain domain = hypervisor.createDomain(pv ? DomainConfig.pv(name, mib) : DomainConfig.hvm(name, mib));
        try
        {
            attach.accept(domain);
            final GuestExitWindow console = new GuestExitWindow(startLine, endLine);
            final MachineConfig machine = new MachineConfig().kernel(elf).console(console).timebaseHz(timebaseHz)
                .preload(at, job);
            final HvmGuest vcpu = starter.start(hypervisor, domain, machine);
            console.watch(vcpu);
            final MachineExit exit = vcpu.awaitExit(timeoutSeconds, TimeUnit.SECONDS);
            final byte[] after = new byte[job.length];
            domain.memory().getBytes(at - RamBus.RAM_BASE, new UnsafeBuffer(after), 0, after.length);
            return new Outcome(exit, after, console);
        }
        finally
        {
            hypervisor.destroyDomain(domain.id());
        }
    }
}
