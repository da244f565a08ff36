package io.javisor.perf.io;

import io.javisor.emulation.reference.QemuRunner;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import io.javisor.perf.cli.JavisorMain;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code javisor replay}: a recorded trace re-issued against a variant, open loop at the recorded
 * times, is the same request sequence — same ops, sectors and sizes, in the same order — and no
 * request goes before its time.
 */
@Seeded
class ReplayTest
{
    private static final int REQUESTS = 300;
    private static final long BLOCKS = (8 << 20) / IoRequests.BLOCK_BYTES;

    @TempDir
    Path dir;

    /** A trace of two variants: the source, whose requests come at random intervals, and another one before it. */
    private Path recordTrace(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        final Path trace = dir.resolve("trace");
        try (IoTrace.Writer writer = IoTrace.create(trace))
        {
            final RequestLog other = new RequestLog();
            other.add(IoOp.WRITE, 8, IoRequests.BLOCK_BYTES, 1, 0, 0, 5_000);
            writer.append("other", 0, other, 0);
            final RequestLog source = new RequestLog();
            long t = 0;
            for (int i = 0; i < REQUESTS; i++)
            {
                t += random.nextLong(5_000, 60_000);
                final IoOp op = random.nextInt(3) == 0 ? IoOp.WRITE : IoOp.READ;
                source.add(op, random.nextLong(BLOCKS) * IoRequests.SECTORS_PER_BLOCK, IoRequests.BLOCK_BYTES, 1, t, t,
                    t + random.nextLong(1_000, 50_000));
            }
            writer.append("source", 0, source, 1_000_000);
        }
        return trace;
    }

    @ParameterizedTest
    @ValueSource(strings = {IoVariants.JAVISOR_VIRTIO, IoVariants.JAVISOR_ATA, IoVariants.JAVA_PV, IoVariants.QEMU_VIRTIO})
    void theReplayIssuesTheRecordedSequenceExactlyAndNothingBeforeItsTime(final String variant, final Seed seed)
    {
        Assumptions.assumeTrue(!IoVariants.QEMU_VIRTIO.equals(variant) || QemuRunner.isAvailable(), "QEMU not installed");
        final Path trace = recordTrace(seed);
        final Path out = dir.resolve("replayed");
        final StringWriter text = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = JavisorMain.commandLine();
        commandLine.setOut(new PrintWriter(text, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exit = commandLine.execute("replay", trace.toString(), "--variant", variant, "--source", "source",
            "--disk-mib", "8", "--warmup", "50", "--trace-out", out.toString());
        assertEquals(0, exit, text + "\n" + err);

        final List<IoTrace.Entry> recorded = IoTrace.read(trace).stream().filter(e -> e.variant().equals("source")).toList();
        final List<IoTrace.Entry> replayed = IoTrace.read(out);
        assertEquals(recorded.size(), replayed.size(), "one replayed request per recorded one");
        final long firstIntended = recorded.getFirst().intendedNs();
        for (int i = 0; i < recorded.size(); i++)
        {
            final IoTrace.Entry r = recorded.get(i);
            final IoTrace.Entry p = replayed.get(i);
            assertEquals(List.of(r.op(), r.sector(), r.size()), List.of(p.op(), p.sector(), p.size()), "request " + i);
            assertEquals(variant, p.variant());
            assertEquals(r.intendedNs() - firstIntended, p.intendedNs(), "request " + i + " keeps its recorded time");
            assertTrue(p.startNs() >= p.intendedNs(), "request " + i + " started at " + p.startNs() + ", due " + p.intendedNs());
            assertTrue(p.endNs() >= p.startNs());
        }
        assertTrue(text.toString().contains("from intended start"), text.toString());
    }

    @Test
    void theCommandsAreListedAndAnUnknownVariantIsAOneLineUsageError(final Seed seed)
    {
        final Path trace = recordTrace(seed);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = JavisorMain.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        assertEquals(0, commandLine.execute("--help"));
        assertTrue(out.toString().contains("replay"), out.toString());
        assertEquals(0, commandLine.execute("bench", "--help"));
        assertTrue(out.toString().contains("io "), out.toString());
        assertEquals(2, commandLine.execute("replay", trace.toString(), "--variant", "nope"));
        assertTrue(err.toString().contains("no variant 'nope'"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertEquals(2, commandLine.execute("bench", "io", "--variant", "nope"));
    }

    @Test
    void aTraceWithoutTheSourceOrARequestOtherThan4KibIsRefused(final Seed seed)
    {
        final Path trace = recordTrace(seed);
        final List<IoTrace.Entry> entries = IoTrace.read(trace);
        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
            () -> Replay.select(entries, "absent", 0));
        assertTrue(missing.getMessage().contains("source"), missing.getMessage());
        final IoTrace.Entry e = entries.get(1);
        final List<IoTrace.Entry> odd = List.of(new IoTrace.Entry(e.variant(), 0, 1, e.op(), e.sector(), 512, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Replay.requests(odd));
        assertEquals(50, Replay.select(entries, "source", 50).size(), "a limit takes the first requests");
    }
}
