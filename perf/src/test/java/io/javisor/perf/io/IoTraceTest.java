package io.javisor.perf.io;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Chronicle Queue trace of IO requests: what is appended reads back field for field, in order. */
@Seeded
class IoTraceTest
{
    @TempDir
    Path dir;

    @Test
    void appendedRequestsReadBackInOrderWithTheirTimesShifted(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        final RequestLog log = new RequestLog(4);
        for (int i = 0; i < 5000; i++)
        {
            final long start = random.nextLong(1L << 40);
            log.add(random.nextBoolean() ? IoOp.READ : IoOp.WRITE, random.nextLong(1L << 40) * 8, 4096 * (1 + random.nextInt(8)),
                1 + random.nextInt(32), start - random.nextLong(1000), start, start + random.nextLong(1L << 20));
        }
        final long offset = random.nextLong(1L << 30);
        try (IoTrace.Writer writer = IoTrace.create(dir.resolve("t")))
        {
            writer.append("a", 3, log, offset);
            assertEquals(log.count(), writer.written());
        }
        final List<IoTrace.Entry> entries = IoTrace.read(dir.resolve("t"));
        assertEquals(log.count(), entries.size());
        for (int i = 0; i < log.count(); i++)
        {
            assertEquals(new IoTrace.Entry("a", 3, log.queueDepth(i), log.op(i), log.sector(i), log.size(i),
                log.intendedNs(i) + offset, log.startNs(i) + offset, log.endNs(i) + offset), entries.get(i), "entry " + i);
        }
    }

    @Test
    void aNewTraceReplacesAnOldOneButNeverOtherFiles() throws Exception
    {
        final RequestLog one = new RequestLog();
        one.add(IoOp.READ, 0, 4096, 1, 0, 0, 1);
        for (int run = 0; run < 2; run++)
        {
            try (IoTrace.Writer writer = IoTrace.create(dir.resolve("t")))
            {
                writer.append("v" + run, 0, one, 0);
            }
        }
        assertEquals(List.of("v1"), IoTrace.read(dir.resolve("t")).stream().map(IoTrace.Entry::variant).toList());
        Files.writeString(dir.resolve("t").resolve("notes.txt"), "mine");
        assertThrows(IllegalArgumentException.class, () -> IoTrace.create(dir.resolve("t")));
        assertThrows(IllegalArgumentException.class, () -> IoTrace.read(dir.resolve("absent")));
    }
}
