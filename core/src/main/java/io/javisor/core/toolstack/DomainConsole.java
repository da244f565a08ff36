package io.javisor.core.toolstack;

import io.javisor.emulation.machine.Console;

import java.io.ByteArrayOutputStream;
import java.util.function.IntConsumer;

/**
 * A domain's console as the toolstack keeps it: what the guest wrote (the last {@link #HISTORY}
 * bytes, for {@code console} and a preserved domain's inspection), at most one attached client that
 * sees the output as it comes, and the bytes that client typed, waiting for the guest to read
 * them. The guest side (write, read) runs on the domain's vCPU or guest thread; attach, detach and
 * input on a client's thread; every method holds this object's monitor, which is never held while
 * calling out except to the attached client's sink (which must not block: the daemon queues).
 */
public final class DomainConsole implements Console
{
    /** Bytes of history kept, as xenconsoled's default buffer. */
    public static final int HISTORY = 64 * 1024;
    private static final int INPUT_LIMIT = 4096;

    private final byte[] history = new byte[HISTORY];
    private long written;
    private final byte[] input = new byte[INPUT_LIMIT];
    private int inputHead;
    private int inputCount;
    private IntConsumer attached;

    @Override
    public synchronized void write(final int b)
    {
        history[(int)(written++ % HISTORY)] = (byte)b;
        if (attached != null)
        {
            attached.accept(b & 0xFF);
        }
    }

    @Override
    public synchronized int read()
    {
        if (inputCount == 0)
        {
            return -1;
        }
        final int b = input[inputHead] & 0xFF;
        inputHead = (inputHead + 1) % INPUT_LIMIT;
        inputCount--;
        return b;
    }

    /** Queues a byte the client typed; dropped when {@link #INPUT_LIMIT} wait unread. */
    public synchronized void type(final int b)
    {
        if (inputCount < INPUT_LIMIT)
        {
            input[(inputHead + inputCount) % INPUT_LIMIT] = (byte)b;
            inputCount++;
        }
    }

    /** What the guest wrote, oldest first, at most the last {@link #HISTORY} bytes. */
    public synchronized byte[] history()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final long from = Math.max(0, written - HISTORY);
        for (long i = from; i < written; i++)
        {
            out.write(history[(int)(i % HISTORY)]);
        }
        return out.toByteArray();
    }

    /**
     * Attaches {@code sink} after handing it the history, both under this object's monitor so that
     * no byte the guest writes meanwhile is lost or repeated. One client at a time, as {@code xl console}.
     *
     * @return false when another client is attached
     */
    public synchronized boolean attach(final IntConsumer sink)
    {
        if (attached != null)
        {
            return false;
        }
        for (final byte b : history())
        {
            sink.accept(b & 0xFF);
        }
        attached = sink;
        return true;
    }

    /** Detaches {@code sink} if it is the attached one. */
    public synchronized void detach(final IntConsumer sink)
    {
        if (attached == sink)
        {
            attached = null;
        }
    }
}
