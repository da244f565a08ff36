package io.javisor.perf.io;

import io.javisor.core.HvmGuest;
import io.javisor.core.hypercall.HypercallStatistics;
import io.javisor.emulation.board.PlatformBus;
import io.javisor.emulation.machine.Console;
import io.javisor.emulation.machine.VirtMachine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A guest's console that counts the exits the guest took between the ends of two console lines:
 * its hypercalls and its MMIO accesses other than the UART's. It runs on the vCPU's thread (a UART
 * store, or the PV console ring drained inside the guest's notify hypercall), so the counts are
 * taken between two guest instructions; on a guest with hypercalls the end line's own notify is
 * taken out. Written by the vCPU thread; {@link #exits()} and {@link #text()} are read after the
 * guest ended.
 */
final class GuestExitWindow implements Console
{
    private final String startLine;
    private final String endLine;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private volatile HvmGuest vcpu;
    private long startCount = -1;
    /** Exits between the two lines; -1 until the end line is seen. */
    private double exits = -1;

    GuestExitWindow(final String startLine, final String endLine)
    {
        this.startLine = startLine;
        this.endLine = endLine;
    }

    /** The guest whose counters to read, once its start returned. */
    void watch(final HvmGuest guest)
    {
        vcpu = guest;
    }

    @Override
    public synchronized void write(final int b)
    {
        output.write(b);
        if (b != '\n')
        {
            line.write(b);
            return;
        }
        final String text = line.toString(StandardCharsets.ISO_8859_1);
        line.reset();
        if (startLine.equals(text))
        {
            startCount = count();
        }
        else if (endLine.equals(text) && startCount >= 0)
        {
            exits = count() - startCount - (vcpu.hypercallStatistics() != null ? 1 : 0);
        }
    }

    private long count()
    {
        HvmGuest guest;
        while ((guest = vcpu) == null)
        {
            Thread.onSpinWait(); // started, not yet returned from startPv/startHvm
        }
        final HypercallStatistics calls = guest.hypercallStatistics();
        final VirtMachine machine = guest.machine();
        final PlatformBus bus = machine.bus();
        return (calls == null ? 0 : calls.total()) + bus.totalAccessCount() - uartAccesses(bus, machine);
    }

    private static long uartAccesses(final PlatformBus bus, final VirtMachine machine)
    {
        try
        {
            return bus.accessCount(machine.uart());
        }
        catch (final IllegalArgumentException notMapped)
        {
            return 0; // the PV board maps no UART
        }
    }

    @Override
    public int read()
    {
        return -1;
    }

    /** Exits between the lines, or -1 when the end line was not reached. */
    synchronized double exits()
    {
        return exits;
    }

    synchronized String text()
    {
        return output.toString(StandardCharsets.ISO_8859_1);
    }
}
