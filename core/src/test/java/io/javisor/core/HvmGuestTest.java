package io.javisor.core;

import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HVM domains: a RISC-V guest per domain, its end becoming the domain's state, crashes contained. */
class HvmGuestTest
{
    private final Hypervisor hypervisor = Hypervisor.start();

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    private static ElfImage guest(final String name)
    {
        return GuestImages.load(name);
    }

    @Test
    void aGuestThatFinishesShutsItsDomainDown() throws Exception
    {
        final Domain domain = hypervisor.createDomain(DomainConfig.hvm("hello", 16));
        final RecordingConsole console = new RecordingConsole();
        final HvmGuest guest = hypervisor.startHvm(domain, new MachineConfig().bootMode(BootMode.BARE)
            .kernel(guest("hello")).console(console));
        final MachineExit exit = guest.awaitExit(30, TimeUnit.SECONDS);
        assertNotNull(exit);
        assertEquals(MachineExit.Kind.FINISHER, exit.kind());
        assertEquals(DomainState.SHUTDOWN, domain.state());
        assertEquals(ShutdownReason.POWEROFF, domain.shutdownReason());
        assertTrue(console.text().startsWith("Hello from javisor guest"));
    }

    @Test
    void aGuestInAStateItCannotLeaveCrashesOnlyItsOwnDomain() throws Exception
    {
        // An SBI kernel booted bare: its first ECALL (from M-mode) finds no handler at mtvec = 0.
        final Domain broken = hypervisor.createDomain(DomainConfig.hvm("broken", 16));
        final Domain healthy = hypervisor.createDomain(DomainConfig.hvm("healthy", 16));
        final HvmGuest crashing = hypervisor.startHvm(broken, new MachineConfig().bootMode(BootMode.BARE)
            .kernel(guest("hello-sbi")));
        final HvmGuest working = hypervisor.startHvm(healthy, new MachineConfig().bootMode(BootMode.BARE)
            .kernel(guest("cpubench-small")));

        assertEquals(MachineExit.Kind.CRASHED, crashing.awaitExit(30, TimeUnit.SECONDS).kind());
        assertEquals(DomainState.CRASHED, broken.state());
        assertTrue(broken.crashReason().contains("trap loop"), broken.crashReason());

        final MachineExit exit = working.awaitExit(60, TimeUnit.SECONDS);
        assertEquals(MachineExit.Kind.FINISHER, exit.kind());
        assertEquals(0, exit.exitCode());
        assertEquals(DomainState.SHUTDOWN, healthy.state());
        assertNull(healthy.crashReason());
    }

    @Test
    void destroyingARunningHvmDomainStopsItsVcpuFirst() throws Exception
    {
        final long freeBefore = hypervisor.freeFrames();
        final Domain domain = hypervisor.createDomain(DomainConfig.hvm("spinner", 16));
        final HvmGuest guest = hypervisor.startHvm(domain, new MachineConfig().bootMode(BootMode.BARE)
            .kernel(guest("cpubench")));
        assertEquals(DomainState.RUNNING, domain.state());
        Thread.sleep(100);
        assertTrue(hypervisor.destroyDomain(domain.id()));
        assertEquals(MachineExit.Kind.STOPPED, guest.exit().kind());
        assertEquals(DomainState.GONE, domain.state());
        assertEquals(freeBefore, hypervisor.freeFrames(), "the domain's frames are back");
    }

    @Test
    void aPausedDomainRunsNoInstructionUntilUnpaused() throws Exception
    {
        final Domain domain = hypervisor.createDomain(DomainConfig.hvm("pausable", 16));
        final HvmGuest guest = hypervisor.startHvm(domain, new MachineConfig().bootMode(BootMode.BARE)
            .kernel(guest("cpubench")));
        Thread.sleep(50);
        domain.pause();
        assertEquals(DomainState.PAUSED, domain.state());
        final long atPause = guest.instructionsRetired();
        Thread.sleep(200);
        assertEquals(atPause, guest.instructionsRetired(), "no instruction while paused");
        domain.unpause();
        Thread.sleep(100);
        assertTrue(guest.instructionsRetired() > atPause, "runs again after unpause");
        assertNull(guest.exit());
        domain.pause();
        assertTrue(hypervisor.destroyDomain(domain.id()), "a paused domain can be destroyed");
        assertEquals(MachineExit.Kind.STOPPED, guest.exit().kind());
    }

    @Test
    void onlyHvmDomainsRunRiscvGuests() throws Exception
    {
        final Domain pv = hypervisor.createDomain(DomainConfig.pv("pv", 16));
        final ElfImage hello = guest("hello");
        assertEquals("domain pv is not an HVM domain", assertThrows(IllegalArgumentException.class,
            () -> hypervisor.startHvm(pv, new MachineConfig().bootMode(BootMode.BARE).kernel(hello))).getMessage());
    }
}
