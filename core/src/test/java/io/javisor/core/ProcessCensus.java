package io.javisor.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What child processes of the hypervisor's (driver domains, stub domains) could leave behind in this
 * process: live child processes, threads by name (those a {@link Scope} counts), open file descriptors
 * by what they are (a path, or the kind: socket, pipe, anon_inode; the class path's jars left out),
 * and the private directories the processes were given (by name prefix, in the temporary directory
 * and /dev/shm). Two censuses taken with the same processes alive are equal.
 */
public record ProcessCensus(long childProcesses, List<String> threads, List<String> openFiles, long directories)
{
    private static final long SETTLE_TIMEOUT_NANOS = 5_000_000_000L;

    /**
     * What one suite counts.
     *
     * @param threads         which threads count, by name.
     * @param directoryPrefix the name prefix of the processes' private directories, or null for none.
     */
    public record Scope(Predicate<String> threads, String directoryPrefix)
    {
        public ProcessCensus take()
        {
            final long children = ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
            final List<String> names = new ArrayList<>(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(threads).toList());
            names.sort(null);
            return new ProcessCensus(children, names, openFileKinds(), directoryPrefix == null ? 0 : directoriesNamed(directoryPrefix));
        }

        /** A census once it equals {@code expected}, or the last one after a few seconds. */
        public ProcessCensus settledEqualTo(final ProcessCensus expected) throws InterruptedException
        {
            final long deadline = System.nanoTime() + SETTLE_TIMEOUT_NANOS;
            ProcessCensus now = take();
            while (!now.equals(expected) && System.nanoTime() - deadline < 0)
            {
                System.gc();
                Thread.sleep(20);
                now = take();
            }
            return now;
        }
    }

    /** The same census without its file descriptors (for tests that open files of their own meanwhile). */
    public ProcessCensus withoutFiles()
    {
        return new ProcessCensus(childProcesses, threads, List.of(), directories);
    }

    public void assertSameAs(final ProcessCensus before)
    {
        assertEquals(before, this, "no child process, thread, file descriptor or private directory is left behind");
    }

    private static List<String> openFileKinds()
    {
        final List<String> files = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            for (final Path fd : fds.toList())
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    final int bracket = target.indexOf(":[");
                    if (!target.endsWith(".jar"))
                    {
                        files.add(bracket > 0 ? target.substring(0, bracket) : target);
                    }
                }
                catch (final IOException ex)
                {
                    // The listing's own descriptor, closed by now.
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        files.sort(null);
        return files;
    }

    private static long directoriesNamed(final String prefix)
    {
        long count = 0;
        for (final Path parent : List.of(Path.of(System.getProperty("java.io.tmpdir")), Path.of("/dev/shm")))
        {
            if (!Files.isDirectory(parent))
            {
                continue;
            }
            try (Stream<Path> entries = Files.list(parent))
            {
                count += entries.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        return count;
    }
}
