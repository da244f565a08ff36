package io.javisor.emulation.jit;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * The one background thread (a daemon, shared by every hart of the JVM) that builds regions off the
 * guests' threads while their interpreters run on. Jobs wait in a bounded queue; a full queue refuses
 * the job (the caller tries again later), it never blocks a hart.
 * Thread safety: {@link #submit} from any thread; jobs run one at a time on the compiler thread, which
 * hands each result to the job's own consumer (a hart's completion queue).
 */
final class BackgroundCompiler
{
    private static final int QUEUE = 256;
    private static final BlockingQueue<Runnable> JOBS = new ArrayBlockingQueue<>(QUEUE);

    static
    {
        final Thread thread = new Thread(BackgroundCompiler::loop, "javisor-jit-compiler");
        thread.setDaemon(true);
        thread.start();
    }

    private BackgroundCompiler()
    {
    }

    /** @return whether the job was queued */
    static boolean submit(final RegionBuilder job, final Consumer<RegionBuilder> done)
    {
        return JOBS.offer(() ->
        {
            try
            {
                job.build();
            }
            finally
            {
                // Also when it failed (no result): the hart then forgets the job.
                done.accept(job);
            }
        });
    }

    private static void loop()
    {
        while (true)
        {
            try
            {
                JOBS.take().run();
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            catch (final RuntimeException | LinkageError ex)
            {
                // A failed translation leaves that code to the interpreter.
                System.err.println("javisor jit: translation failed: " + ex);
            }
        }
    }
}
