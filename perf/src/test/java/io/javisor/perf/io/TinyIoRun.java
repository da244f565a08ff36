package io.javisor.perf.io;

import io.javisor.perf.report.BenchReport;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One tiny {@code bench io} run of every variant, shared by the tests of its outputs (it takes a few seconds). */
final class TinyIoRun
{
    static final int REQUESTS = 120;
    static final int ROUNDS = 2;
    static final int PINGS = 64;
    static final int STREAM_FRAMES = 400;

    final IoBenchmark.Config config;
    final IoResult result;
    final String table;
    final BenchReport report;

    private static TinyIoRun instance;

    private TinyIoRun(final Path out)
    {
        config = new IoBenchmark.Config(ROUNDS, 0, 32, REQUESTS, 0.05, 8, IoBenchmark.Config.DEFAULT_TIMEBASE_HZ, false, out);
        result = new IoBenchmark(config, IoVariants.KEYS, new NetConfig(8, PINGS, STREAM_FRAMES)).run(null);
        final StringWriter text = new StringWriter();
        result.printTable(new PrintWriter(text));
        table = text.toString();
        report = result.toReport();
        result.writeFiles();
    }

    private static void delete(final Path dir)
    {
        try (var files = Files.walk(dir))
        {
            for (final Path p : files.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            // A temporary directory left behind is harmless.
        }
    }

    static synchronized TinyIoRun get()
    {
        if (instance == null)
        {
            try
            {
                final Path out = Files.createTempDirectory("javisor-io-test");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(out)));
                instance = new TinyIoRun(out);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        return instance;
    }
}
