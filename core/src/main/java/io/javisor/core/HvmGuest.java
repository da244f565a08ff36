package io.javisor.core;

import io.javisor.core.hypercall.DomainHypercalls;
import io.javisor.core.hypercall.HypercallStatistics;
import io.javisor.core.sched.CreditScheduler;
import io.javisor.core.sched.Vcpu;
import io.javisor.core.sched.VcpuWork;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.VirtMachine;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A domain's virtual CPU running RISC-V guest code (an HVM domain's, or a PV domain's kernel): a
 * {@link VirtMachine} on the domain's own memory, answering the domain's hypercalls when it has them,
 * run either by the hypervisor's {@link CreditScheduler} (one {@link VirtMachine#runSlice} at a time on
 * its workers, woken through {@link Vcpu#wake()}) or, without one, by a platform thread of its own
 * ({@code hvm-vcpu0-d<id>}, {@link VirtMachine#run()}). How the guest ends becomes the domain's state:
 * a shutdown (finisher pass or fail, SBI shutdown, hart stopped) is POWEROFF, a reset request is
 * REBOOT, the instruction budget running out is WATCHDOG, and a state the guest cannot leave (a trap
 * loop, a halt that nothing can wake, a failed device model) crashes this domain only, with the
 * machine's one-line reason kept as {@link Domain#crashReason()}.
 * <p>
 * Threading: the machine is run by one thread at a time (its own, or the worker the scheduler hands it
 * to); pause, resume and stop come from the control plane; the statistics are read racily.
 */
public final class HvmGuest
{
    private final Domain domain;
    private final VirtMachine machine;
    private final DomainHypercalls hypercalls;
    private final CreditScheduler scheduler;
    /** The vCPU's own thread, when there is no scheduler. */
    private final Thread thread;
    /** Its vCPU on the scheduler, once started; null without a scheduler. */
    private volatile Vcpu vcpu;
    private final CountDownLatch ended = new CountDownLatch(1);
    /** Completed on the vCPU's thread once the guest ended and the machine is closed. */
    private final CompletableFuture<MachineExit> end = new CompletableFuture<>();
    /** The vCPU thread's CPU time when it ended (-1 while it runs). */
    private volatile long endCpuNanos = -1;
    private volatile MachineExit exit;

    HvmGuest(final Domain domain, final MachineConfig config, final DomainHypercalls hypercalls,
        final CreditScheduler scheduler)
    {
        this.domain = domain;
        this.hypercalls = hypercalls;
        this.scheduler = scheduler;
        this.machine = VirtMachine.create(config.memory(domain.memory()));
        this.thread = scheduler != null ? null :
            Thread.ofPlatform().name("hvm-vcpu0-d" + domain.id()).daemon().unstarted(this::runOnOwnThread);
    }

    void start()
    {
        domain.attach(this);
        if (domain.state() == DomainState.PAUSED)
        {
            machine.pause(); // created paused (xl create -p): no instruction runs until unpaused
        }
        else
        {
            domain.unpause();
        }
        if (scheduler == null)
        {
            thread.start();
            return;
        }
        final Vcpu v = scheduler.register(domain.id(), 0, new SlicedVcpu());
        vcpu = v;
        machine.wakeUpWith(v::wake);
        v.wake();
    }

    void pause()
    {
        machine.pause();
    }

    void resume()
    {
        machine.resume();
    }

    /** @return the domain's hypercall counts, or null when its guest makes none (read racily) */
    public HypercallStatistics hypercallStatistics()
    {
        return hypercalls == null ? null : hypercalls.statistics();
    }

    /** @return the machine the vCPU runs (its devices' statistics; read racily from another thread) */
    public VirtMachine machine()
    {
        return machine;
    }

    /** @return instructions the guest has retired so far (read racily from another thread) */
    public long instructionsRetired()
    {
        return machine.cpu().instret;
    }

    /** @return the vCPU on the credit scheduler, or null when it runs on a thread of its own */
    public Vcpu vcpu()
    {
        return vcpu;
    }

    /**
     * @return nanoseconds the vCPU has run: the scheduler's accounting of its runs, or its own thread's
     * CPU time (-1 once that thread is gone)
     */
    public long runNanos()
    {
        final Vcpu v = vcpu;
        if (v != null)
        {
            return v.runNanos();
        }
        final long atEnd = endCpuNanos;
        return atEnd >= 0 ? atEnd : thread == null ? 0 : ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.threadId());
    }

    private void runOnOwnThread()
    {
        try
        {
            finish(machine.run());
        }
        finally
        {
            endCpuNanos = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            announceEnd();
        }
    }

    /** The vCPU is gone (its thread ended, or the scheduler forgot it): waiters and {@link #whenEnded} actions are told. */
    private void announceEnd()
    {
        ended.countDown();
        end.complete(exit);
    }

    /**
     * On the thread that ran the machine last: how it ended becomes the domain's state, and the
     * machine is closed; those waiting for the end are told by the caller.
     */
    private void finish(final MachineExit result)
    {
        try
        {
            exit = result;
            switch (result.kind())
            {
                case FINISHER, SHUTDOWN, HTIF, HART_STOPPED -> shutdown(ShutdownReason.POWEROFF);
                case RESET -> shutdown(ShutdownReason.REBOOT);
                case BUDGET_EXHAUSTED -> shutdown(ShutdownReason.WATCHDOG);
                case HALTED, CRASHED -> domain.crash(result.detail());
                case STOPPED ->
                {
                    // Stopped by the toolstack (destroy): the domain's state is its business.
                }
            }
        }
        finally
        {
            if (hypercalls != null)
            {
                hypercalls.drainConsole();
            }
            machine.close();
        }
    }

    private void shutdown(final ShutdownReason reason)
    {
        try
        {
            domain.shutdown(reason);
        }
        catch (final IllegalStateException ignored)
        {
            // Destroyed (dying) meanwhile: nothing to record.
        }
    }

    public Domain domain()
    {
        return domain;
    }

    /**
     * Runs {@code action} with the exit once the guest has ended (on the vCPU's thread, or at once on
     * the caller's when it already has); the action must not block.
     */
    public void whenEnded(final Consumer<MachineExit> action)
    {
        end.thenAccept(action);
    }

    /** @return whether the vCPU is waiting (WFI, sched block, paused, capped) rather than running or runnable (racy) */
    public boolean isWaiting()
    {
        final Vcpu v = vcpu;
        if (v != null)
        {
            final io.javisor.core.sched.VcpuState state = v.view().state();
            return state == io.javisor.core.sched.VcpuState.BLOCKED || state == io.javisor.core.sched.VcpuState.CAPPED;
        }
        final Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    /** @return how the guest ended, or null while it runs */
    public MachineExit exit()
    {
        return exit;
    }

    /** @return the exit, or null if the guest still runs after the timeout */
    public MachineExit awaitExit(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return ended.await(timeout, unit) ? exit : null;
    }

    /** Stop the vCPU and wait until it has ended; the domain's memory is safe to free afterwards. */
    void stopAndJoin()
    {
        machine.stop();
        final Vcpu v = vcpu;
        if (v != null)
        {
            scheduler.finishStopped(v); // here unless a worker runs it now, so the destroy does not wait its turn
        }
        boolean interrupted = false;
        while (true)
        {
            try
            {
                ended.await();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** The machine as the scheduler runs it: a slice at a time, the exit handled on the last one. */
    private final class SlicedVcpu implements VcpuWork
    {
        @Override
        public Step run(final long maxNanos)
        {
            return switch (machine.runSlice(maxNanos))
            {
                case RUNNABLE -> Step.RUNNABLE;
                case WAITING -> Step.WAITING;
                case EXITED ->
                {
                    finish(machine.lastExit());
                    yield Step.DONE;
                }
            };
        }

        @Override
        public long wakeDeadline()
        {
            return machine.wakeDeadline(); // both use Long.MAX_VALUE for none
        }

        @Override
        public void preempt()
        {
            machine.endSlice();
        }

        @Override
        public void retired()
        {
            announceEnd(); // the scheduler has forgotten it: a destroy may go on
        }
    }
}
