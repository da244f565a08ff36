package io.javisor.ringio.console;

import org.agrona.concurrent.AtomicBuffer;

import static io.javisor.ringio.console.ConsoleRingDescriptor.IN_CAPACITY;
import static io.javisor.ringio.console.ConsoleRingDescriptor.IN_CONS_OFFSET;
import static io.javisor.ringio.console.ConsoleRingDescriptor.IN_OFFSET;
import static io.javisor.ringio.console.ConsoleRingDescriptor.IN_PROD_OFFSET;
import static io.javisor.ringio.console.ConsoleRingDescriptor.OUT_CAPACITY;
import static io.javisor.ringio.console.ConsoleRingDescriptor.OUT_CONS_OFFSET;
import static io.javisor.ringio.console.ConsoleRingDescriptor.OUT_OFFSET;
import static io.javisor.ringio.console.ConsoleRingDescriptor.OUT_PROD_OFFSET;

/**
 * The two ends of a console page: the guest writes {@code out} and reads {@code in}; the back end
 * reads {@code out} and writes {@code in}. Each end takes its private indices from the page when it is
 * created, so create the ends after {@link #initialise(AtomicBuffer)} (or attach to a page in use).
 */
public final class ConsoleRing
{
    /**
     * The guest's end.
     *
     * @param out writes what the guest prints.
     * @param in  reads what the back end sends.
     */
    public record GuestEnd(ConsoleRingWriter out, ConsoleRingReader in)
    {
    }

    /**
     * The back end's end, which must treat the page as hostile.
     *
     * @param out reads what the guest prints.
     * @param in  writes what the guest is to read.
     */
    public record BackendEnd(ConsoleRingReader out, ConsoleRingWriter in)
    {
    }

    private ConsoleRing()
    {
    }

    /**
     * Empty both rings by zeroing all four indices, as a guest does before it announces the page.
     */
    public static void initialise(final AtomicBuffer page)
    {
        ConsoleRingDescriptor.checkPage(page);
        page.putIntVolatile(IN_CONS_OFFSET, 0);
        page.putIntVolatile(IN_PROD_OFFSET, 0);
        page.putIntVolatile(OUT_CONS_OFFSET, 0);
        page.putIntVolatile(OUT_PROD_OFFSET, 0);
    }

    public static GuestEnd guestEnd(final AtomicBuffer page)
    {
        ConsoleRingDescriptor.checkPage(page);
        return new GuestEnd(
            new ConsoleRingWriter(page, OUT_OFFSET, OUT_CAPACITY, OUT_CONS_OFFSET, OUT_PROD_OFFSET),
            new ConsoleRingReader(page, IN_OFFSET, IN_CAPACITY, IN_CONS_OFFSET, IN_PROD_OFFSET));
    }

    public static BackendEnd backendEnd(final AtomicBuffer page)
    {
        ConsoleRingDescriptor.checkPage(page);
        return new BackendEnd(
            new ConsoleRingReader(page, OUT_OFFSET, OUT_CAPACITY, OUT_CONS_OFFSET, OUT_PROD_OFFSET),
            new ConsoleRingWriter(page, IN_OFFSET, IN_CAPACITY, IN_CONS_OFFSET, IN_PROD_OFFSET));
    }
}
