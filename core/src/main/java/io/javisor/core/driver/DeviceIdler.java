package io.javisor.core.driver;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * How a driver domain's serving thread (a disk's, or the network agent) waits between duty cycles:
 * after its last work it spins for {@link #IDLE_SPIN_NANOS}, then arms its rings' events and parks
 * for at most {@link #PARK_NANOS} unless a request came meanwhile; with {@link DriverIdle#SPIN} it
 * never parks. A forwarded event or watch firing unparks the thread sooner.
 * <p>
 * Used by the one thread it belongs to ({@link #bind}, {@link #idle}); {@link #wake} is any thread's.
 */
final class DeviceIdler
{
    /**
     * PARK: how long the thread spins after its last work before it parks. A QD1 guest's next request
     * follows its last response by one wake-up of the guest; caught while spinning, it needs no
     * doorbell, which from a driver domain costs three wake-ups (hypervisor, channel reader, device).
     */
    static final long IDLE_SPIN_NANOS = Long.getLong("javisor.ddom.spinNanos", 100_000);
    /** PARK: the longest park; a forwarded event or watch unparks sooner. */
    static final long PARK_NANOS = 1_000_000;

    private final DriverIdle mode;
    private final BooleanSupplier armAndRecheck;
    private long idleSince;
    /** The thread that idles here, once it has {@link #bind bound}; read by wakers. */
    private volatile Thread thread;

    /**
     * @param armAndRecheck arms the thread's ring events and says whether a request arrived
     *                      meanwhile (then the thread does not park).
     */
    DeviceIdler(final DriverIdle mode, final BooleanSupplier armAndRecheck)
    {
        this.mode = mode;
        this.armAndRecheck = armAndRecheck;
    }

    /** The calling thread is the one that idles here from now on. */
    void bind()
    {
        thread = Thread.currentThread();
    }

    /** Unparks the bound thread, if any, so that it runs a duty cycle soon. Any thread. */
    void wake()
    {
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    /**
     * After a duty cycle that did {@code work}: returns at once after work, else spins or parks.
     */
    void idle(final int work)
    {
        if (work > 0)
        {
            idleSince = 0;
        }
        else if (idleSince == 0)
        {
            idleSince = System.nanoTime();
        }
        else if (mode == DriverIdle.SPIN || System.nanoTime() - idleSince < IDLE_SPIN_NANOS)
        {
            Thread.onSpinWait();
        }
        else if (!armAndRecheck.getAsBoolean())
        {
            LockSupport.parkNanos(this, PARK_NANOS);
        }
    }
}
