package io.javisor.core.stubdom;

import io.javisor.emulation.device.remote.RemoteDeviceModels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Fails a stub domain whose answer to a register access is overdue: a stub that hangs would otherwise
 * hold its guest's vCPU, and with it a scheduler worker that other guests need, until the guest is
 * destroyed. One daemon thread ({@code stub-watchdog}, started with the first stub) looks at every
 * live stub's access in flight every {@value #PERIOD_MS} ms.
 * <p>
 * Thread-safe: stubs are watched and forgotten from the control plane; the thread only reads and fails.
 */
final class StubWatchdog
{
    static final long PERIOD_MS = 50;
    private static final Map<RemoteDeviceModels, Long> WATCHED = new ConcurrentHashMap<>();
    private static volatile ScheduledExecutorService timer;

    private StubWatchdog()
    {
    }

    /** Fails {@code models} once an access waits longer than {@code timeoutNanos} for its answer. */
    static void watch(final RemoteDeviceModels models, final long timeoutNanos)
    {
        WATCHED.put(models, timeoutNanos);
        if (timer == null)
        {
            synchronized (StubWatchdog.class)
            {
                if (timer == null)
                {
                    final ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(
                        runnable -> Thread.ofPlatform().name("stub-watchdog").daemon().unstarted(runnable));
                    started.scheduleWithFixedDelay(StubWatchdog::look, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
                    timer = started;
                }
            }
        }
    }

    static void forget(final RemoteDeviceModels models)
    {
        WATCHED.remove(models);
    }

    private static void look()
    {
        final long now = System.nanoTime();
        WATCHED.forEach((models, timeout) ->
        {
            if (models.accessWaitingNanos(now) > timeout)
            {
                WATCHED.remove(models);
                models.fail(models.name() + " did not answer a register access within " +
                    TimeUnit.NANOSECONDS.toMillis(timeout) + " ms and was disconnected");
            }
        });
    }
}
