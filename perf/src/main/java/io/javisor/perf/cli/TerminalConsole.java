package io.javisor.perf.cli;

import io.javisor.emulation.machine.Console;
import io.javisor.emulation.machine.VirtMachine;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The guest's serial console on this process's stdin/stdout. When stdin is a terminal it is put
 * in raw mode (no echo, no line editing, no signals, as {@code qemu -nographic}) and restored on
 * close. A reader thread hands typed bytes to the machine through a bounded queue (full: the byte
 * is dropped, as a UART with a full FIFO drops) and wakes the hart. Ctrl-A x quits; Ctrl-A Ctrl-A
 * sends one Ctrl-A.
 */
final class TerminalConsole implements Console, AutoCloseable
{
    private static final int CTRL_A = 1;
    private static final int QUEUE = 4096;

    private final OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
    private final ArrayBlockingQueue<Integer> input = new ArrayBlockingQueue<>(QUEUE);
    private final String savedTerminal;
    private volatile VirtMachine machine;
    private volatile boolean quit;
    private boolean closed;

    private TerminalConsole(final String savedTerminal)
    {
        this.savedTerminal = savedTerminal;
    }

    static TerminalConsole open()
    {
        String saved = null;
        if (System.console() != null)
        {
            saved = stty("-g");
            if (saved != null)
            {
                stty("raw", "-echo");
            }
        }
        final TerminalConsole console = new TerminalConsole(saved);
        final Thread reader = new Thread(console::readInput, "javisor-console-input");
        reader.setDaemon(true);
        reader.start();
        return console;
    }

    void attach(final VirtMachine machine)
    {
        this.machine = machine;
    }

    boolean quitByUser()
    {
        return quit;
    }

    private void readInput()
    {
        final InputStream in = System.in;
        boolean escape = false;
        try
        {
            int b;
            while ((b = in.read()) >= 0)
            {
                if (escape)
                {
                    escape = false;
                    if (b == 'x' || b == 'X')
                    {
                        quit = true;
                        final VirtMachine m = machine;
                        if (m != null)
                        {
                            m.stop();
                        }
                        return;
                    }
                    if (b != CTRL_A)
                    {
                        continue;
                    }
                }
                else if (b == CTRL_A)
                {
                    escape = true;
                    continue;
                }
                input.offer(b);
                final VirtMachine m = machine;
                if (m != null)
                {
                    m.wakeUp();
                }
            }
        }
        catch (final IOException ignored)
        {
            // stdin closed: no more input.
        }
    }

    /** Typed bytes wake the hart; only those the UART's FIFO has not taken yet need a look. */
    @Override
    public boolean pollWhileAsleep()
    {
        return !input.isEmpty();
    }

    @Override
    public void write(final int b)
    {
        try
        {
            out.write(b);
        }
        catch (final IOException ignored)
        {
            // stdout gone: the guest's output has nowhere to go; keep running.
        }
    }

    @Override
    public int read()
    {
        final Integer b = input.poll();
        return b == null ? -1 : b;
    }

    @Override
    public void flush()
    {
        try
        {
            out.flush();
        }
        catch (final IOException ignored)
        {
            // As in write.
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        flush();
        if (savedTerminal != null)
        {
            stty(savedTerminal);
        }
    }

    /** Run stty on the controlling terminal; @return its output, or null when it failed. */
    private static String stty(final String... args)
    {
        final String[] command = new String[args.length + 1];
        command[0] = "stty";
        System.arraycopy(args, 0, command, 1, args.length);
        try
        {
            final Process p = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/tty")))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
            final String output = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? output : null;
        }
        catch (final IOException ex)
        {
            return null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
