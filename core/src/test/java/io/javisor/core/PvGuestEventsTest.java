package io.javisor.core;

import io.javisor.core.hypercall.HypercallStatistics;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.hypercall.HypercallDescriptor;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * pv-events on a PV domain and as PV-on-HVM: an event channel looped back to the domain raises the
 * upcall as a supervisor external interrupt once per event (the line falls when the guest
 * acknowledges), masked events wake a poll instead, a poll's deadline and a block's early return
 * hold, and bad hypercalls (unknown function, shared info on MMIO or misaligned, grant frames below
 * RAM or too many, no such port or domain, a refused shutdown reason) get their errors.
 */
class PvGuestEventsTest
{
    private final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pv", "pvhvm"})
    void eventsRaiseOneUpcallEachAndBadCallsGetTheirErrors(final String type) throws Exception
    {
        final boolean pv = "pv".equals(type);
        final Domain domain = hypervisor.createDomain(pv ? DomainConfig.pv("events", 8) : DomainConfig.hvm("events", 8));
        final RecordingConsole console = new RecordingConsole();
        final MachineConfig machine = new MachineConfig().kernel(GuestImages.load("pv-events")).console(console)
            .maxInstructions(500_000_000L);
        final HvmGuest vcpu = pv ? hypervisor.startPv(domain, machine) :
            hypervisor.startHvm(domain, machine.bootMode(BootMode.BUILTIN));
        final MachineExit exit = vcpu.awaitExit(60, TimeUnit.SECONDS);
        assertNotNull(exit, console.text());
        assertEquals(MachineExit.Kind.SHUTDOWN, exit.kind(), exit + "\n" + console.text());
        assertEquals(GuestImages.expectedOutput("pv-events"), console.text());
        final HypercallStatistics calls = vcpu.hypercallStatistics();
        assertEquals(100, calls.calls(HypercallDescriptor.FID_UPCALL_ACK), "one acknowledgement per upcall");
        assertEquals(8, calls.errors(), "the eight refused calls, and nothing else failed");
        assertEquals(1, calls.timeouts(), "one poll timed out");
    }
}
