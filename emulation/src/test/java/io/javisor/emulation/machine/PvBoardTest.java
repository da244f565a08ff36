package io.javisor.emulation.machine;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.hypercall.HypercallDescriptor;
import io.javisor.emulation.hypercall.Hypercalls;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The board side of the hypercall ABI with a stand-in for the hypervisor: the PV board has nothing
 * on its bus, a hypercall that blocks parks the vCPU until the kick says it may wake, the upcall
 * level becomes SEIP, and configurations that cannot work are refused in one line.
 */
class PvBoardTest
{
    /** A hypervisor stand-in: counts calls, blocks on SCHED_BLOCK, answers everything else with ENOSYS. */
    private static final class StubHypercalls implements Hypercalls
    {
        final AtomicInteger blocks = new AtomicInteger();
        final AtomicInteger blockEnds = new AtomicInteger();
        volatile boolean wakeable;
        volatile boolean upcall;
        volatile Runnable kick;

        @Override
        public int call(final int fid, final long[] x)
        {
            x[10] = fid == HypercallDescriptor.FID_SHARED_INFO_REGISTER ? 0 : HypercallDescriptor.ENOSYS;
            if (fid == HypercallDescriptor.FID_SCHED_BLOCK)
            {
                blocks.incrementAndGet();
                x[10] = 0;
                return BLOCK;
            }
            return CONTINUE;
        }

        @Override
        public boolean wakeable()
        {
            return wakeable;
        }

        @Override
        public long wakeDeadline()
        {
            return -1;
        }

        @Override
        public void endBlock(final long[] x, final boolean timedOut)
        {
            blockEnds.incrementAndGet();
            wakeable = false;
        }

        @Override
        public boolean upcallLevel()
        {
            return upcall;
        }

        @Override
        public int shutdownReason()
        {
            return HypercallDescriptor.SHUTDOWN_POWEROFF;
        }

        @Override
        public void attach(final Runnable kick)
        {
            this.kick = kick;
        }
    }

    @Test
    void anSbiKernelRunsOnThePvBoardWithNothingOnItsBus()
    {
        final RecordingConsole console = new RecordingConsole();
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().board(Board.PV).bootMode(BootMode.BUILTIN)
            .kernel(GuestPrograms.image("hello-sbi")).console(console).hypercalls(new StubHypercalls())
            .maxInstructions(50_000_000L)))
        {
            final MachineExit exit = machine.run();
            assertEquals(MachineExit.Kind.SHUTDOWN, exit.kind(), exit.toString());
            // QEMU's reference run (OpenSBI 1.1) has no DBCN and prints no start line; javisor's firmware has DBCN.
            assertEquals("javisor-guest: start\n" + GuestPrograms.expected("hello-sbi").replace("probe DBCN: no", "probe DBCN: yes"),
                console.text());
            assertEquals(0, machine.bus().totalAccessCount(), "no device access: there is no device");
        }
    }

    @Test
    void aBlockedVcpuSleepsUntilKickedAndTheUpcallBecomesSeip() throws Exception
    {
        final StubHypercalls hypercalls = new StubHypercalls();
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().board(Board.PV).bootMode(BootMode.BUILTIN)
            .kernel(GuestPrograms.image("pv-block")).hypercalls(hypercalls)))
        {
            final CompletableFuture<MachineExit> run = CompletableFuture.supplyAsync(machine::run);
            awaitCount(hypercalls.blocks, 1);
            Thread.sleep(200);
            assertEquals(1, hypercalls.blocks.get(), "still blocked: no wake-up without the kick");
            final long instret = machine.cpu().instret;
            Thread.sleep(100);
            assertEquals(instret, machine.cpu().instret, "and running no instruction");

            hypercalls.upcall = true;
            hypercalls.wakeable = true;
            hypercalls.kick.run();
            awaitCount(hypercalls.blocks, 2);
            assertEquals(1, hypercalls.blockEnds.get(), "woken once, blocked again");
            assertTrue((machine.cpu().mip & 1L << CpuState.IRQ_SEIP) != 0, "the upcall level is SEIP");
            hypercalls.upcall = false;
            hypercalls.kick.run();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while ((machine.cpu().mip & 1L << CpuState.IRQ_SEIP) != 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertFalse((machine.cpu().mip & 1L << CpuState.IRQ_SEIP) != 0, "and falls with it");
            machine.stop();
            assertEquals(MachineExit.Kind.STOPPED, run.get(5, TimeUnit.SECONDS).kind());
        }
        assertEquals(null, hypercalls.kick, "the board detached itself when it closed");
    }

    @Test
    void configurationsThatCannotWorkAreRefusedInOneLine()
    {
        assertRefused(new MachineConfig().board(Board.PV).bootMode(BootMode.BARE).kernel(GuestPrograms.image("hello")),
            "builtin firmware");
        assertRefused(new MachineConfig().board(Board.PV).bootMode(BootMode.BUILTIN).kernel(GuestPrograms.image("hello-sbi"))
            .addAtaDisk(new RamDiskImage(1 << 20)), "no emulated or virtio devices");
        assertRefused(new MachineConfig().bootMode(BootMode.BARE).kernel(GuestPrograms.image("hello"))
            .hypercalls(new StubHypercalls()), "builtin firmware");
        assertRefused(new MachineConfig().bootMode(BootMode.BUILTIN).kernel(GuestPrograms.image("hello-sbi"))
            .reservedTopBytes(100), "whole pages");
    }

    private static void assertRefused(final MachineConfig config, final String mentions)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, config::validate);
        assertTrue(ex.getMessage().contains(mentions) && !ex.getMessage().contains("\n"), ex.getMessage());
    }

    private static void awaitCount(final AtomicInteger count, final int wanted) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (count.get() < wanted)
        {
            assertTrue(System.nanoTime() < deadline, "count reached " + count.get() + " of " + wanted);
            Thread.sleep(5);
        }
    }
}
