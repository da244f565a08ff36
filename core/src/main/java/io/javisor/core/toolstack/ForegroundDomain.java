package io.javisor.core.toolstack;

import io.javisor.core.toolstack.config.XlConfig;

import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One domain in the foreground of this process, as {@code javisor run} (and {@code qemu -nographic})
 * gives it: its console on a channel (the terminal), typed bytes to it, and a wait until the guest has
 * ended for good: a restart ({@code on_reboot = "restart"}, an SBI reboot) keeps the same name with a new
 * id, and the console follows it. The guest's output reaches the channel through a {@link ConsoleStream}
 * of its own thread, losing nothing (a guest that outpaces the terminal waits for it).
 * <p>
 * {@link #run} on the caller's thread; {@link #type} and {@link #quit} from an input thread; restarts are
 * followed on the toolstack's life-cycle thread; the current console and stream are guarded by this
 * object's monitor.
 */
public final class ForegroundDomain
{
    private final Toolstack toolstack;
    private final WritableByteChannel terminal;
    private final CompletableFuture<DomainEnd> end = new CompletableFuture<>();
    private String name;
    private int id = -1;
    private DomainConsole console;
    private ConsoleStream stream;
    private volatile boolean quit;

    public ForegroundDomain(final Toolstack toolstack, final WritableByteChannel terminal)
    {
        this.toolstack = toolstack;
        this.terminal = terminal;
        toolstack.onDomainEnd(this::ended);
    }

    /**
     * Creates the domain paused, attaches its console, starts it, and waits until it has ended for
     * good (or {@link #quit}); every byte it wrote is on the channel when this returns.
     *
     * @return how its last guest ended, or null after {@link #quit}
     * @throws ToolstackException when it cannot be created (one line)
     */
    public DomainEnd run(final XlConfig spec, final GuestBoot boot) throws InterruptedException
    {
        final DomainInfo info = toolstack.create(spec, true, boot);
        synchronized (this)
        {
            name = spec.name();
            follow(info.id());
        }
        toolstack.unpause(Integer.toString(info.id()));
        try
        {
            return end.get();
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException(ex.getCause());
        }
        finally
        {
            final ConsoleStream last;
            synchronized (this)
            {
                last = stream;
                stream = null;
            }
            if (last != null)
            {
                last.close();
                last.join();
            }
        }
    }

    /** A byte typed for the guest (dropped while none runs). */
    public void type(final int b)
    {
        final DomainConsole now;
        synchronized (this)
        {
            now = console;
        }
        if (now != null)
        {
            now.type(b);
        }
    }

    /**
     * The user quits: the domain is destroyed and {@link #run} returns null. A guest ending at the same
     * moment is taken care of by {@link #ended}: whichever runs second sees the other's doing (the
     * flag is set before the id is read, and both read the id under this monitor).
     */
    public void quit()
    {
        quit = true;
        final int current;
        synchronized (this)
        {
            current = id;
        }
        try
        {
            if (current >= 0)
            {
                toolstack.destroy(Integer.toString(current));
            }
        }
        catch (final ToolstackException gone)
        {
            // It ended meanwhile: its end is reported as usual.
        }
        end.complete(null);
    }

    /** @return whether the user quit */
    public boolean quitByUser()
    {
        return quit;
    }

    /** On the life-cycle thread: a restarted guest's console is attached before it can end in turn. */
    private synchronized void ended(final DomainEnd domainEnd)
    {
        if (domainEnd.id() != id)
        {
            return;
        }
        if (quit)
        {
            // The user quit while this guest was ending: its successor, if any, goes too.
            if (domainEnd.restartedAs() >= 0)
            {
                toolstack.destroy(Integer.toString(domainEnd.restartedAs()));
            }
            end.complete(null);
        }
        else if (domainEnd.restartedAs() >= 0)
        {
            follow(domainEnd.restartedAs());
        }
        else
        {
            end.complete(domainEnd);
        }
    }

    /** Attaches the channel to domain {@code newId}'s console (its history first); under this monitor. */
    private void follow(final int newId)
    {
        if (console != null && stream != null)
        {
            console.detach(stream);
        }
        if (stream == null)
        {
            stream = new ConsoleStream(terminal, "javisor-run-console", true);
            stream.start();
        }
        id = newId;
        console = toolstack.console(Integer.toString(newId));
        console.attach(stream);
    }
}
