package io.javisor.emulation.sbi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/** A test double board: records console output and flushes, serves queued input. */
final class RecordingPlatform implements SbiPlatform
{
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ArrayDeque<Integer> in = new ArrayDeque<>();
    long mtime;
    long timerCompare = Long.MIN_VALUE;
    int timerWrites;
    int icacheFlushes;
    int tlbFlushes;

    @Override
    public void consoleWrite(final int b)
    {
        out.write(b);
    }

    @Override
    public int consoleRead()
    {
        final Integer b = in.poll();
        return b == null ? -1 : b;
    }

    @Override
    public long mtime()
    {
        return mtime;
    }

    @Override
    public void setSupervisorTimer(final long stimeValue)
    {
        timerCompare = stimeValue;
        timerWrites++;
    }

    @Override
    public void flushInstructionCache()
    {
        icacheFlushes++;
    }

    @Override
    public void flushTlb()
    {
        tlbFlushes++;
    }

    String output()
    {
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    void type(final String s)
    {
        for (final byte b : s.getBytes(StandardCharsets.ISO_8859_1))
        {
            in.add(b & 0xFF);
        }
    }
}
