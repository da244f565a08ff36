package io.javisor.core.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a driver domain could leave behind in this process: child processes, threads of the driver
 * domain machinery (named after the driver domain, "storage" in these tests), and open file
 * descriptors by what they are (a path, or the kind: socket, pipe, anon_inode...).
 */
record ProcessCensus(long childProcesses, long driverThreads, List<String> openFiles)
{
    static ProcessCensus take()
    {
        final long children = ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
        final long threads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("storage-") || t.getName().startsWith("ddom"))
            .count();
        final List<String> files = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            for (final Path fd : fds.toList())
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    final int bracket = target.indexOf(":[");
                    files.add(bracket > 0 ? target.substring(0, bracket) : target);
                }
                catch (final IOException ex)
                {
                    // The directory listing's own descriptor, closed by now.
                }
            }
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        files.sort(null);
        return new ProcessCensus(children, threads, files);
    }

    ProcessCensus withoutFiles()
    {
        return new ProcessCensus(childProcesses, driverThreads, List.of());
    }

    /**
     * A census once it equals {@code expected}, or the last one after a few seconds.
     */
    static ProcessCensus settledEqualTo(final ProcessCensus expected) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        ProcessCensus now = take();
        while (!now.equals(expected) && System.nanoTime() < deadline)
        {
            System.gc();
            Thread.sleep(20);
            now = take();
        }
        return now;
    }

    void assertSameAs(final ProcessCensus before)
    {
        assertEquals(before, this, "no child process, thread or file descriptor is left behind");
    }
}
