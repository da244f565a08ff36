package io.javisor.core.hypercall;

import io.javisor.emulation.machine.Console;
import io.javisor.ringio.console.ConsoleRing;
import io.javisor.ringio.console.ConsoleRingReader;
import org.agrona.concurrent.AtomicBuffer;

/**
 * The back end of a domain's PV console ring ({@code xencons_interface} in a page of its RAM), run
 * by the hypervisor on the domain's own vCPU thread when the guest notifies its console port: what
 * the guest printed goes to the domain's {@link Console} in the order it was printed, interleaved
 * correctly with anything the same vCPU wrote through the SBI console. Output only; input reaches a
 * guest through the SBI console or the console-io hypercall.
 * <p>
 * The page is hostile: the {@link ConsoleRingReader} bounds every index it reads, and a broken ring
 * is left alone. Single-threaded (the vCPU's thread).
 */
public final class ConsoleBackend
{
    private final ConsoleRingReader out;
    private final Console console;
    private final byte[] chunk = new byte[256];
    private long bytes;

    /** @param page the guest's console page, as the domain builder zeroed it */
    public ConsoleBackend(final AtomicBuffer page, final Console console)
    {
        this.out = ConsoleRing.backendEnd(page).out();
        this.console = console;
    }

    /** Moves everything the guest printed to the console. */
    public void drain()
    {
        int n;
        while ((n = out.read(chunk, 0, chunk.length)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                console.write(chunk[i] & 0xFF);
            }
            bytes += n;
        }
    }

    /** @return bytes moved so far */
    public long bytes()
    {
        return bytes;
    }

    public boolean isBroken()
    {
        return out.isBroken();
    }
}
