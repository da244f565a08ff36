package io.javisor.core;

import io.javisor.core.hypercall.DomainHypercalls;
import io.javisor.core.hypercall.HypercallStatistics;
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
 * {@link VirtMachine} on the domain's own memory, run by one thread of its own, answering the
 * domain's hypercalls when it has them. How the guest ends becomes the domain's state: a shutdown (finisher pass or
 * fail, SBI shutdown, hart stopped) is POWEROFF, a reset request is REBOOT, the instruction budget
 * running out is WATCHDOG, and a state the guest cannot leave (a trap loop, a halt that nothing
 * can wake, a failed device model) crashes this domain only, with the machine's one-line reason
 * kept as {@link Domain#crashReason()}.
 */
public final class HvmGuest
{
    private final Domain domain;
    private final VirtMachine machine;
    private final Thread vcpu;
    private final DomainHypercalls hypercalls;
    private final CountDownLatch ended = new CountDownLatch(1);
    /** Completed on the vCPU's thread once the guest ended and the machine is closed. */
    private final CompletableFuture<MachineExit> end = new CompletableFuture<>();
    /** The vCPU thread's CPU time when it ended (-1 while it runs). */
    private volatile long endCpuNanos = -1;
    private volatile MachineExit exit;

    HvmGuest(final Domain domain, final MachineConfig config, final DomainHypercalls hypercalls)
    {
        this.domain = domain;
        this.hypercalls = hypercalls;
        this.machine = VirtMachine.create(config.memory(domain.memory()));
        this.vcpu = Thread.ofPlatform().name("hvm-vcpu0-d" + domain.id()).daemon().unstarted(this::run);
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
        vcpu.start();
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

    private void run()
    {
        try
        {
            final MachineExit result = machine.run();
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
            endCpuNanos = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            ended.countDown();
            end.complete(exit);
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

    /** @return CPU time the vCPU's thread has used, in ns, its total once it ended (-1 where the JVM cannot tell) */
    public long cpuTimeNanos()
    {
        final long atEnd = endCpuNanos;
        return atEnd >= 0 ? atEnd : ManagementFactory.getThreadMXBean().getThreadCpuTime(vcpu.threadId());
    }

    /** @return whether the vCPU is waiting (WFI, sched block, paused) rather than running guest code (racy) */
    public boolean isWaiting()
    {
        final Thread.State state = vcpu.getState();
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

    /** Stop the vCPU and wait for its thread; the domain's memory is safe to free afterwards. */
    void stopAndJoin()
    {
        machine.stop();
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
}
