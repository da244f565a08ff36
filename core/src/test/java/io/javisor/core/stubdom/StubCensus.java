package io.javisor.core.stubdom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What stub domains could leave behind in this process: live child processes, threads by name (but
 * those of shared pools), open
 * file descriptors by what they are (a path, or the kind: socket, pipe, anon_inode; the class path's
 * jars left out), and javisor-stub-* temporary directories. Taken after a first round has started
 * the JDK's and the hypervisor's lazily started threads.
 */
record StubCensus(long childProcesses, List<String> threads, List<String> openFiles, long stubDirectories)
{
    static StubCensus take()
    {
        final long children = ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
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
        long dirs = 0;
        for (final Path parent : List.of(Path.of(System.getProperty("java.io.tmpdir")), Path.of("/dev/shm")))
        {
            if (!Files.isDirectory(parent))
            {
                continue;
            }
            try (Stream<Path> tmp = Files.list(parent))
            {
                dirs += tmp.filter(p -> p.getFileName().toString().startsWith(StubDomain.DIRECTORY_PREFIX)).count();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        // Shared pools that grow and shrink on their own: the JDK's common pool (the start watchdog runs
        // there) and process reapers (one per process being waited for, kept a while when idle), and
        // the guest code JIT's one compiler thread, started by the first hot guest.
        final List<String> threads = new ArrayList<>(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
            .filter(name -> !name.startsWith("ForkJoinPool.commonPool-worker-") && !name.equals("process reaper") &&
                !name.equals("javisor-jit-compiler"))
            .toList());
        threads.sort(null);
        return new StubCensus(children, threads, files, dirs);
    }

    /** A census once it equals {@code expected}, or the last one after a few seconds. */
    static StubCensus settledEqualTo(final StubCensus expected) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        StubCensus now = take();
        while (!now.equals(expected) && System.nanoTime() < deadline)
        {
            System.gc();
            Thread.sleep(20);
            now = take();
        }
        return now;
    }

    void assertSameAs(final StubCensus before)
    {
        assertEquals(before, this, "no child process, thread, file descriptor or stub directory is left behind");
    }
}
