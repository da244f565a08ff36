package io.javisor.core.junit;

import io.javisor.core.Domain;
import io.javisor.core.DomainState;
import io.javisor.core.HvmGuest;
import io.javisor.core.ShutdownReason;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A guest that a test asked for ({@link GuestDomain}, {@link XlDomain}): its domain, what it has
 * printed on its console, and a wait for its end. An immutable handle that any thread may use; the
 * console is written by the guest's own thread and read here as a copy.
 */
public final class Guest
{
    private static final long POLL_MS = 1;

    private final Domain domain;
    /** The RISC-V guest's vCPU when the extension started it itself; null for toolstack-made guests. */
    private final HvmGuest vcpu;
    private final Supplier<byte[]> console;

    Guest(final Domain domain, final HvmGuest vcpu, final Supplier<byte[]> console)
    {
        this.domain = domain;
        this.vcpu = vcpu;
        this.console = console;
    }

    HvmGuest vcpu()
    {
        return vcpu;
    }

    public Domain domain()
    {
        return domain;
    }

    public String name()
    {
        return domain.name();
    }

    /**
     * @return what the guest has written to its console so far (of an {@link XlDomain}, the last
     * 64 KiB, as much as the toolstack keeps), each byte one ISO-8859-1 character
     */
    public String console()
    {
        return new String(console.get(), StandardCharsets.ISO_8859_1);
    }

    /**
     * Waits until the guest's console shows {@code text} (a boot message, a prompt).
     *
     * @return the console so far
     * @throws AssertionError when it has not after {@code timeout}; the message holds the console.
     */
    public String awaitConsole(final String text, final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final String console = console();
            if (console.contains(text))
            {
                return console;
            }
            if (System.nanoTime() - deadline >= 0)
            {
                throw new AssertionError("guest '" + name() + "' has not printed '" + text + "' after " +
                    timeout.toMillis() + " ms (it is " + domain.state() + "); its console:\n" + console);
            }
            Thread.sleep(POLL_MS);
        }
    }

    /**
     * Waits until the guest shuts down (powers off, reboots, crashes, runs out of its instruction
     * budget) and says why.
     *
     * @throws AssertionError when it still runs after {@code timeout}, or was destroyed before it
     *                        shut down; the message holds its console.
     */
    public ShutdownReason awaitShutdown(final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            // The reason is written before the state, so a reason seen is final.
            final ShutdownReason reason = domain.shutdownReason();
            if (reason != null)
            {
                return reason;
            }
            final DomainState state = domain.state();
            if (state == DomainState.DYING || state == DomainState.GONE)
            {
                throw new AssertionError("guest '" + name() + "' was destroyed before it shut down; its console:\n" + console());
            }
            if (System.nanoTime() - deadline >= 0)
            {
                throw new AssertionError("guest '" + name() + "' is still " + state + " after " + timeout.toMillis() +
                    " ms; its console:\n" + console());
            }
            Thread.sleep(POLL_MS);
        }
    }

    @Override
    public String toString()
    {
        return "Guest{" + domain + "}";
    }
}
