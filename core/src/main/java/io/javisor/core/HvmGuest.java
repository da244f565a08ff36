package io.javisor.core;

import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.VirtMachine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An HVM domain's virtual CPU: a {@link VirtMachine} on the domain's own memory, run by one
 * thread of its own. How the guest ends becomes the domain's state: a shutdown (finisher pass or
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
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile MachineExit exit;

    HvmGuest(final Domain domain, final MachineConfig config)
    {
        this.domain = domain;
        this.machine = VirtMachine.create(config.memory(domain.memory()));
        this.vcpu = Thread.ofPlatform().name("hvm-vcpu0-d" + domain.id()).daemon().unstarted(this::run);
    }

    void start()
    {
        domain.attach(this);
        domain.unpause();
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
            machine.close();
            ended.countDown();
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
