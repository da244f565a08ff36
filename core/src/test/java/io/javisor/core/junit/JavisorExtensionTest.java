package io.javisor.core.junit;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.DomainState;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The extension's teardown and leak checks, on test classes that fail and leak on purpose
 * ({@link TestKitFixture}s), run through JUnit's EngineTestKit as a build would run them.
 */
class JavisorExtensionTest
{
    @Test
    void aFailingTestStillHasItsGuestsDestroyedAndItsHypervisorClosed() throws InterruptedException
    {
        final Map<String, Throwable> failures = failuresOf(run(FailsWithGuestsRunning.class), 1);

        final Throwable failure = failures.get("failsWhileItsGuestsRun");
        assertEquals("the test's own failure", failure.getMessage(), "the body's failure is the test's failure");
        assertEquals(0, failure.getSuppressed().length, "and the teardown found nothing to add: " + List.of(failure.getSuppressed()));
        assertEquals(DomainState.RUNNING, FailsWithGuestsRunning.spinnerStateWhenFailing, "the RISC-V guest ran when the test failed");
        assertEquals(DomainState.GONE, FailsWithGuestsRunning.worker.state());
        assertEquals(DomainState.GONE, FailsWithGuestsRunning.spinner.domain().state());
        final IllegalStateException closed = assertThrows(IllegalStateException.class,
            () -> FailsWithGuestsRunning.hypervisor.createDomain(DomainConfig.pv("after", 8)));
        assertEquals("the hypervisor is shut down", closed.getMessage());
        assertTrue(JavisorThreads.survivors(java.util.Set.of(), List.of("hvm-vcpu0-d" + FailsWithGuestsRunning.spinner.domain().id()), 0)
            .isEmpty(), "the spinner's vCPU thread has ended");
    }

    @Test
    void aDomainThatCannotDieFailsTheTestNamingItAndTheFramesItHolds()
    {
        final Throwable failure = failuresOf(run(LeavesAGrantMapped.class), 1).get("mapsAGrantInDom0AndNeverUnmapsIt");

        assertInstanceOf(AssertionError.class, failure);
        final Domain zombie = LeavesAGrantMapped.zombie;
        assertEquals("javisor teardown after mapsAGrantInDom0AndNeverUnmapsIt(Hypervisor, Domain):\n" +
            "  - domain " + zombie.id() + " 'zombie' is still DYING " + TestSession.DOMAIN_GONE_WAIT_MS + " ms after it was " +
            "destroyed: another domain still maps its memory (a grant mapped and never unmapped), so its 2048 frames " +
            "cannot go back to the pool\n" +
            "  - the machine frame pool has " + LeavesAGrantMapped.framesHeld + " frames (" + LeavesAGrantMapped.framesHeld * 4 +
            " KiB) fewer free than before", failure.getMessage());
        assertEquals(DomainState.GONE, zombie.state(), "closing the hypervisor (dom0's mappings with it) freed it after all");
    }

    @Test
    void aVcpuThreadLeftRunningFailsTheTestNamingTheThread()
    {
        try
        {
            final Throwable failure = failuresOf(run(ForgetsAHypervisorOfItsOwn.class), 1).get("startsAGuestOnAHypervisorItNeverCloses");

            assertEquals("javisor teardown after startsAGuestOnAHypervisorItNeverCloses(Hypervisor):\n" +
                "  - thread 'hvm-vcpu0-d1' is still alive (WAITING) " + TestSession.THREAD_SETTLE_MS + " ms after the teardown",
                failure.getMessage());
        }
        finally
        {
            ForgetsAHypervisorOfItsOwn.stray.close();
        }
    }

    @Test
    void aClassScopedHypervisorIsSharedAndEachTestsDomainsGoAfterIt()
    {
        final EngineExecutionResults results = run(SharesOneHypervisor.class);
        results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2).failed(0));
        results.containerEvents().assertStatistics(stats -> stats.failed(0));

        assertSame(SharesOneHypervisor.fromBeforeAll, SharesOneHypervisor.seenByFirst);
        assertSame(SharesOneHypervisor.fromBeforeAll, SharesOneHypervisor.seenBySecond);
        assertEquals(DomainState.GONE, SharesOneHypervisor.leftBehindByFirst.state(), "gone before the second test");
        assertEquals(DomainState.GONE, SharesOneHypervisor.shared.state(), "the class's domain goes after the class");
        assertThrows(IllegalStateException.class, () -> SharesOneHypervisor.fromBeforeAll.createDomain(DomainConfig.pv("after", 8)));
    }

    @Test
    void aParameterThatCannotBeMadeFailsItsTestWithOneLineNamingIt()
    {
        final Map<String, Throwable> failures = failuresOf(run(AsksForWhatCannotBe.class), 5);

        failures.values().forEach(failure ->
        {
            assertInstanceOf(ParameterResolutionException.class, failure);
            assertFalse(failure.getMessage().contains("\n"), failure.getMessage());
        });
        assertEquals("parameter 0 'arg0' (@JavaDomain) of aDiskWithABadVdev(): bad disk spec 'format=ram, vdev=nonsense, " +
            "target=1M': bad virtual device 'nonsense': expected xvd<letters>[partition], hd<letter>[partition], " +
            "sd<letter>[partition], vd<letter>[partition] or d<disk>[p<partition>]", failures.get("aDiskWithABadVdev").getMessage());
        assertEquals("parameter 0 'arg0' (@JavaDomain) of aDomainAsAString() is a Domain, not a String",
            failures.get("aDomainAsAString").getMessage());
        assertTrue(failures.get("anUnknownGuest").getMessage().startsWith(
            "parameter 0 'arg0' (@GuestDomain) of anUnknownGuest(): unknown guest 'no-such-guest' (known: "),
            failures.get("anUnknownGuest").getMessage());
        assertTrue(failures.get("aConfigWithAnUnknownKey").getMessage().matches(
            "parameter 0 'arg0' \\(@XlDomain\\) of aConfigWithAnUnknownKey\\(\\): .*unknown-key\\.cfg:3: .*clas.*"),
            failures.get("aConfigWithAnUnknownKey").getMessage());
        assertEquals("parameter 1 'arg1' (@JavaDomain) of twoDomainsOfOneName(): name: a domain called 'twin' already exists",
            failures.get("twoDomainsOfOneName").getMessage());
    }

    @Test
    void aHypervisorPerTestIsNotHandedToBeforeAll()
    {
        final EngineExecutionResults results = run(WantsATestHypervisorBeforeAll.class);
        final List<Event> failed = results.containerEvents().failed().list();
        assertEquals(1, failed.size());
        final Throwable failure = throwable(failed.getFirst());
        assertInstanceOf(ParameterResolutionException.class, failure);
        assertEquals("a hypervisor per test cannot be had outside a test (JavisorExtensionTest$WantsATestHypervisorBeforeAll); use " +
            "@JavisorTest(scope = HypervisorScope.CLASS) for @BeforeAll methods", failure.getMessage());
    }

    // ---------------------------------------------------------------------------------------------

    private static EngineExecutionResults run(final Class<?> fixture)
    {
        return EngineTestKit.engine("junit-jupiter")
            .configurationParameter(TestKitFixture.PARAMETER, "true")
            .selectors(selectClass(fixture))
            .execute();
    }

    /** Every test of the fixture failed: their failures by method name. */
    private static Map<String, Throwable> failuresOf(final EngineExecutionResults results, final int tests)
    {
        results.containerEvents().assertStatistics(stats -> stats.failed(0));
        results.testEvents().assertStatistics(stats -> stats.started(tests).failed(tests));
        final Map<String, Throwable> failures = new TreeMap<>();
        for (final Event event : results.testEvents().failed().list())
        {
            final String name = event.getTestDescriptor().getDisplayName();
            failures.put(name.substring(0, name.indexOf('(')), throwable(event));
        }
        return failures;
    }

    private static Throwable throwable(final Event event)
    {
        final Throwable throwable = event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElse(null);
        assertNotNull(throwable, event.toString());
        return throwable;
    }

    // ---------------------------------------------------------------------------------------------
    // Fixtures: test classes as a user would write them, failing or leaking on purpose.
    // ---------------------------------------------------------------------------------------------

    @TestKitFixture
    @JavisorTest
    static class FailsWithGuestsRunning
    {
        static Hypervisor hypervisor;
        static Domain worker;
        static HvmGuest spinner;
        static DomainState spinnerStateWhenFailing;

        @Test
        void failsWhileItsGuestsRun(
            final Hypervisor hypervisor,
            @JavaDomain(name = "worker", disk = "format=ram, vdev=xvda, target=1M", vif = "bridge=xenbr0") final Domain worker,
            @GuestDomain(name = "spinner", elf = "cpubench") final HvmGuest spinner)
        {
            FailsWithGuestsRunning.hypervisor = hypervisor;
            FailsWithGuestsRunning.worker = worker;
            FailsWithGuestsRunning.spinner = spinner;
            spinnerStateWhenFailing = spinner.domain().state();
            fail("the test's own failure");
        }
    }

    @TestKitFixture
    @JavisorTest
    static class LeavesAGrantMapped
    {
        static Domain zombie;
        static long framesHeld;

        @Test
        void mapsAGrantInDom0AndNeverUnmapsIt(final Hypervisor hypervisor, @JavaDomain(name = "zombie", memoryMiB = 8) final Domain zombie)
        {
            LeavesAGrantMapped.zombie = zombie;
            // A dom0 back end of the test's own maps a page the guest granted it, and never unmaps it.
            zombie.grantTable().grantAccess(Domain.RESERVED_GRANT_REFS, Hypervisor.DOM0, 0, false);
            assertTrue(hypervisor.dom0().grantMapper().map(zombie.id(), Domain.RESERVED_GRANT_REFS, false) >= 0);
            // Its RAM, its grant table and its shared-info page.
            framesHeld = zombie.memory().frameCount() + zombie.grantTable().frameCount() + 1;
        }
    }

    @TestKitFixture
    @JavisorTest
    static class ForgetsAHypervisorOfItsOwn
    {
        static Hypervisor stray;

        @Test
        void startsAGuestOnAHypervisorItNeverCloses(final Hypervisor fromTheExtension)
        {
            stray = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(64).withThreadPerVcpu()); // a vCPU thread of its own to leave behind
            final Domain domain = stray.createDomain(DomainConfig.hvm("stray", 16));
            stray.startHvm(domain, new MachineConfig().bootMode(BootMode.BARE).kernel(GuestImages.load("cpubench")));
            domain.pause(); // its vCPU thread waits, for as long as the domain lives
        }
    }

    @TestKitFixture
    @JavisorTest(scope = HypervisorScope.CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class SharesOneHypervisor
    {
        static Hypervisor fromBeforeAll;
        static Domain shared;
        static Hypervisor seenByFirst;
        static Hypervisor seenBySecond;
        static Domain leftBehindByFirst;

        @BeforeAll
        static void startTheClassesGuest(final Hypervisor hypervisor, @JavaDomain(name = "shared", vif = "bridge=xenbr0") final Domain shared)
        {
            fromBeforeAll = hypervisor;
            SharesOneHypervisor.shared = shared;
        }

        @Test
        @Order(1)
        void firstLeavesADomainBehind(final Hypervisor hypervisor, @JavaDomain(name = "mine") final Domain mine)
        {
            seenByFirst = hypervisor;
            leftBehindByFirst = hypervisor.createDomain(DomainConfig.pv("left-behind", 8));
        }

        @Test
        @Order(2)
        void secondFindsOnlyTheClassesDomain(final Hypervisor hypervisor)
        {
            seenBySecond = hypervisor;
            assertNull(hypervisor.domainByName("mine"));
            assertNull(hypervisor.domainByName("left-behind"));
            assertEquals(DomainState.RUNNING, shared.state());
        }
    }

    @TestKitFixture
    @JavisorTest
    static class AsksForWhatCannotBe
    {
        @Test
        void aDiskWithABadVdev(@JavaDomain(name = "bad", disk = "format=ram, vdev=nonsense, target=1M") final Domain bad)
        {
        }

        @Test
        void aDomainAsAString(@JavaDomain final String notADomain)
        {
        }

        @Test
        void anUnknownGuest(@GuestDomain(elf = "no-such-guest") final Guest guest)
        {
        }

        @Test
        void aConfigWithAnUnknownKey(@XlDomain("io/javisor/core/junit/unknown-key.cfg") final Guest guest)
        {
        }

        @Test
        void twoDomainsOfOneName(@JavaDomain(name = "twin") final Domain a, @JavaDomain(name = "twin") final Domain b)
        {
        }
    }

    @TestKitFixture
    @JavisorTest
    static class WantsATestHypervisorBeforeAll
    {
        @BeforeAll
        static void tooEarly(final Hypervisor hypervisor)
        {
        }

        @Test
        void never()
        {
        }
    }
}
