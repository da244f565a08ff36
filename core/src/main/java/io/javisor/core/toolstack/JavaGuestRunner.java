package io.javisor.core.toolstack;

import io.javisor.core.Domain;
import io.javisor.core.ShutdownReason;
import io.javisor.core.toolstack.config.XlConfig;
import io.javisor.ringio.DomainResources;

import java.lang.management.ManagementFactory;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a {@link JavaGuest} for a domain created from {@code type = "java"}: loads the class from the
 * spec's class path (a class loader of the domain's own, closed when the guest ends), and calls its
 * {@code run} on a thread named {@code java-guest-d<id>}. Returning powers the domain off (or reboots
 * it, when the guest asked); an exception crashes it with the exception's message. The runner's
 * thread is the only one that runs guest code; the shutdown flag is written by the toolstack and read
 * by the guest.
 */
final class JavaGuestRunner implements JavaGuest.Context
{
    private final Domain domain;
    private final DomainConsole console;
    private final Thread thread;
    private final CompletableFuture<Void> end = new CompletableFuture<>();
    private volatile boolean shutdownRequested;
    private volatile boolean rebootRequested;

    private JavaGuestRunner(final Domain domain, final DomainConsole console, final JavaGuest guest, final URLClassLoader loader)
    {
        this.domain = domain;
        this.console = console;
        this.thread = Thread.ofPlatform().name("java-guest-d" + domain.id()).daemon().unstarted(() -> run(guest, loader));
    }

    /**
     * @throws ToolstackException when the class cannot be loaded or instantiated (one line)
     */
    static JavaGuestRunner start(final Domain domain, final DomainConsole console, final XlConfig spec)
    {
        final URLClassLoader loader = new URLClassLoader("java-guest-d" + domain.id(), urls(spec.classpath()),
            JavaGuestRunner.class.getClassLoader());
        final JavaGuest guest;
        try
        {
            final Class<?> type = Class.forName(spec.javaClass(), true, loader);
            if (!JavaGuest.class.isAssignableFrom(type))
            {
                throw new ToolstackException("class: " + spec.javaClass() + " does not implement " + JavaGuest.class.getName());
            }
            guest = (JavaGuest)type.getConstructor().newInstance();
        }
        catch (final ReflectiveOperationException | LinkageError ex)
        {
            close(loader);
            throw new ToolstackException("class: cannot load " + spec.javaClass() + ": " + ex);
        }
        catch (final ToolstackException ex)
        {
            close(loader);
            throw ex;
        }
        domain.unpause();
        final JavaGuestRunner runner = new JavaGuestRunner(domain, console, guest, loader);
        runner.thread.start();
        return runner;
    }

    private static URL[] urls(final List<Path> classpath)
    {
        final URL[] urls = new URL[classpath.size()];
        for (int i = 0; i < urls.length; i++)
        {
            try
            {
                urls[i] = classpath.get(i).toUri().toURL();
            }
            catch (final MalformedURLException ex)
            {
                throw new ToolstackException("classpath: " + classpath.get(i) + ": " + ex.getMessage());
            }
        }
        return urls;
    }

    private void run(final JavaGuest guest, final URLClassLoader loader)
    {
        try
        {
            guest.run(this);
            shutdown(rebootRequested ? ShutdownReason.REBOOT : ShutdownReason.POWEROFF);
        }
        catch (final InterruptedException ex)
        {
            shutdown(ShutdownReason.POWEROFF); // stopped by the toolstack
        }
        catch (final Exception | LinkageError ex)
        {
            domain.crash("java guest: " + ex);
        }
        finally
        {
            close(loader);
            end.complete(null);
        }
    }

    private void shutdown(final ShutdownReason reason)
    {
        try
        {
            domain.shutdown(reason);
        }
        catch (final IllegalStateException dying)
        {
            // destroyed meanwhile: nothing to record
        }
    }

    private static void close(final URLClassLoader loader)
    {
        try
        {
            loader.close();
        }
        catch (final java.io.IOException ignored)
        {
            // the jars stay open until the loader is collected
        }
    }

    void whenEnded(final Runnable action)
    {
        end.thenRun(action);
    }

    void requestShutdown(final boolean reboot)
    {
        rebootRequested = reboot;
        shutdownRequested = true;
    }

    /** Asks the guest to stop, interrupts it, and waits up to {@code millis} for its thread. */
    void stop(final long millis)
    {
        shutdownRequested = true;
        thread.interrupt();
        try
        {
            thread.join(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    boolean isWaiting()
    {
        final Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    long cpuTimeNanos()
    {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.threadId());
    }

    @Override
    public DomainResources resources()
    {
        return domain.resources();
    }

    @Override
    public void print(final String text)
    {
        for (final byte b : text.getBytes(StandardCharsets.UTF_8))
        {
            console.write(b & 0xFF);
        }
    }

    @Override
    public int read()
    {
        return console.read();
    }

    @Override
    public boolean shutdownRequested()
    {
        return shutdownRequested;
    }

    @Override
    public void requestReboot()
    {
        rebootRequested = true;
    }
}
