package io.javisor.memory.log;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostLogTest
{
    private static final int RATE = 20;
    private static final Pattern SUMMARY = Pattern.compile("^(.*): suppressed (\\d+) lines$");

    private final List<String> lines = new ArrayList<>();
    private final long[] now = { 1_000_000_000L };
    private final HostLog log = new HostLog(lines::add, RATE, () -> now[0]);

    /** Lines of key that are not summaries, and the sum of key's summary counts. */
    private static long[] count(final Iterable<String> lines, final String key)
    {
        long written = 0;
        long summarized = 0;
        for (final String line : lines)
        {
            final Matcher summary = SUMMARY.matcher(line);
            if (summary.matches())
            {
                if (summary.group(1).equals(key))
                {
                    summarized += Long.parseLong(summary.group(2));
                }
            }
            else if (line.startsWith(key + ": "))
            {
                written++;
            }
        }
        return new long[]{ written, summarized };
    }

    @Test
    void aMillionLinesFromOneKeyInOneSecondWriteAtMostTheBudgetAndTheSummariesCountTheRest()
    {
        final int calls = 1_000_000;
        for (int i = 0; i < calls; i++)
        {
            log.emit("blkback vbd 1/51712", "disconnected", i);
            now[0] += 1_000; // the flood lasts one second
        }
        final long[] during = count(lines, "blkback vbd 1/51712");
        // A burst of RATE, then RATE a second for one second (+1 for the boundary).
        assertTrue(during[0] <= 2 * RATE + 1, "lines written: " + during[0]);
        assertTrue(during[0] >= RATE, "the budget is used: " + during[0]);
        assertTrue(lines.size() <= 2 * during[0], "at most one summary per written line: " + lines.size());

        now[0] += 2_000_000_000L;
        log.flush();
        final long[] after = count(lines, "blkback vbd 1/51712");
        assertEquals(calls, after[0] + after[1], "every call is written or counted, exactly: " + lines);
    }

    @Test
    void theSummaryComesFirstWhenTheKeyResumes()
    {
        for (int i = 0; i < RATE + 7; i++)
        {
            log.emit("netback vif1.0", "disabled", null);
        }
        assertEquals(RATE, lines.size());
        now[0] += 1_000_000_000L;
        log.emit("netback vif1.0", "disabled", "again");
        assertEquals(List.of("netback vif1.0: suppressed 7 lines", "netback vif1.0: disabled: again"),
            lines.subList(RATE, lines.size()));
        log.flush();
        assertEquals(RATE + 2, lines.size(), "nothing pending, nothing more written");
    }

    @Test
    void keysDoNotSuppressEachOther()
    {
        for (int i = 0; i < 100_000; i++)
        {
            log.emit("guest A", "noise", null);
        }
        for (int i = 0; i < RATE; i++)
        {
            log.emit("guest B", "event", i);
        }
        assertEquals(RATE, count(lines, "guest B")[0], "B's budget is its own");
        assertEquals(RATE, count(lines, "guest A")[0]);
        log.flush();
        assertEquals(100_000 - RATE, count(lines, "guest A")[1]);
        assertEquals(0, count(lines, "guest B")[1]);
    }

    @Test
    void concurrentCallersAreCountedExactly() throws InterruptedException
    {
        final Queue<String> shared = new ConcurrentLinkedQueue<>();
        final HostLog concurrent = new HostLog(shared::add, RATE, System::nanoTime);
        final int threads = 4;
        final int perThread = 250_000;
        final Thread[] callers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            final int key = t % 2;
            callers[t] = Thread.ofPlatform().start(() ->
            {
                for (int i = 0; i < perThread; i++)
                {
                    concurrent.emit("key" + key, "line", null);
                }
            });
        }
        for (final Thread caller : callers)
        {
            caller.join();
        }
        concurrent.flush();
        for (int key = 0; key < 2; key++)
        {
            final long[] counted = count(shared, "key" + key);
            assertEquals(2L * perThread, counted[0] + counted[1], "key" + key);
            assertTrue(counted[0] < 2L * perThread, "some were suppressed");
        }
    }

    @Test
    void aLineTheSinkRefusesIsCountedAsSuppressed()
    {
        final AtomicBoolean full = new AtomicBoolean(true);
        final List<String> taken = new ArrayList<>();
        final HostLog refusing = new HostLog(line -> !full.get() && taken.add(line), RATE, () -> now[0]);
        refusing.emit("k", "lost", null);
        refusing.emit("k", "lost", null);
        full.set(false);
        refusing.emit("k", "kept", null);
        assertEquals(List.of("k: suppressed 2 lines", "k: kept"), taken);
    }

    @Test
    void neverThrowsAndWritesOneLinePerEvent()
    {
        final Object hostile = new Object()
        {
            @Override
            public String toString()
            {
                throw new IllegalStateException("boom");
            }
        };
        log.emit("k", "detail throws", hostile);
        log.emit(null, "null key", null);
        log.emit("k", "two\nlines\r and \u001b[2J an escape", null);
        new HostLog(line -> { throw new IllegalStateException("sink"); }, RATE, () -> now[0]).emit("k", "m", null);
        assertEquals(List.of("null: null key", "k: two?lines? and ?[2J an escape"), lines);
    }

    @Test
    void aThrowableIsOneLineWithWhereItWasThrown()
    {
        log.emit("netback vif1.0", "agent error", new IllegalStateException("bad\nring"));
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).startsWith("netback vif1.0: agent error: java.lang.IllegalStateException: bad?ring at "
            + HostLogTest.class.getName() + "."), lines.get(0));
    }

    @Test
    void theKeyTableIsBounded()
    {
        for (int i = 0; i < HostLog.MAX_KEYS + 500; i++)
        {
            log.emit("device " + i, "hello", null);
        }
        assertEquals(HostLog.MAX_KEYS, lines.stream().filter(l -> l.startsWith("device ")).count());
        assertEquals(RATE, lines.stream().filter(l -> l.startsWith(HostLog.OVERFLOW_KEY + ": ")).count());
    }
}
