package io.javisor.core.toolstack.cli;

import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.core.toolstack.Toolstack;
import io.javisor.core.toolstack.ToolstackClient;
import io.javisor.core.toolstack.ToolstackDaemon;
import io.javisor.core.toolstack.ToolstackException;
import io.javisor.core.toolstack.ToolstackProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code javisor daemon}: the running javisor, dom0 with its back ends and xenstore and the
 * toolstack's control socket, in the foreground until SIGINT/SIGTERM (which destroy every domain
 * and remove the socket); {@code --detach} starts it as a process of its own (output to a log file
 * beside the socket) and returns once it listens. Runs once.
 */
@Command(name = "daemon", description = "Run javisor as a daemon: dom0, its back ends, xenstore and the toolstack's socket.")
public final class DaemonCommand implements Callable<Integer>
{
    private static final long DETACH_WAIT_MS = 30_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--socket", paramLabel = "PATH", description = "Where to listen (default: $XDG_RUNTIME_DIR/javisor/daemon.sock, else <tmpdir>/javisor-<user>/daemon.sock).")
    Path socket;

    @Option(names = "--memory", paramLabel = "MIB", defaultValue = "1024", description = "Machine memory for all domains, MiB (default: ${DEFAULT-VALUE}).")
    int memoryMiB;

    @Option(names = "--detach", description = "Start the daemon in the background and return once it listens.")
    boolean detach;

    @Override
    public Integer call() throws Exception
    {
        final Path path = socket != null ? socket : ToolstackProtocol.defaultSocket();
        final PrintWriter err = spec.commandLine().getErr();
        try
        {
            return detach ? detach(path) : runForeground(path);
        }
        catch (final ToolstackException | IllegalArgumentException ex)
        {
            err.println("javisor daemon: " + ex.getMessage());
            err.flush();
            return 1;
        }
    }

    /** Where the machine memory file goes: tmpfs when the machine has /dev/shm, else the temporary directory. */
    private static final Path SHARED_MEMORY = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") :
        Path.of(System.getProperty("java.io.tmpdir"));

    private int runForeground(final Path path) throws InterruptedException, IOException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final CountDownLatch stop = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        // The JVM halts once its shutdown hooks return: the hook waits until the domains, the socket
        // and the hypervisor are closed below.
        final Thread hook = new Thread(() ->
        {
            stop.countDown();
            try
            {
                closed.await(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "daemon-shutdown");
        try
        {
            // Machine memory in a shared file, so that driver domains (processes of their own) can map the
            // frames granted to them; in a directory only this user can enter, on tmpfs.
            final Path memoryDirectory = Files.createTempDirectory(SHARED_MEMORY, "javisor-daemon-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(memoryMiB)
                    .withMachineMemoryFile(memoryDirectory.resolve("machine-memory")));
                 Toolstack toolstack = new Toolstack(hypervisor);
                 ToolstackDaemon daemon = ToolstackDaemon.start(toolstack, path))
            {
                Runtime.getRuntime().addShutdownHook(hook);
                out.println("javisor daemon: listening on " + daemon.socket() + " (pid " + ProcessHandle.current().pid() + ")");
                out.flush();
                stop.await();
            }
            Files.deleteIfExists(memoryDirectory); // the hypervisor removed its file as it closed
            out.println("javisor daemon: stopped; every domain destroyed");
            out.flush();
        }
        finally
        {
            closed.countDown();
        }
        return 0;
    }

    /** Starts this command again without --detach as a process of its own and waits until it listens. */
    private int detach(final Path path) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()).stream()
            .takeWhile(a -> !a.equals("daemon")).toList());
        command.add("daemon");
        command.add("--socket");
        command.add(path.toString());
        command.add("--memory");
        command.add(Integer.toString(memoryMiB));
        Files.createDirectories(path.getParent());
        final Path log = path.resolveSibling("daemon.log");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        final long deadline = System.currentTimeMillis() + DETACH_WAIT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            if (!process.isAlive())
            {
                throw new ToolstackException("the daemon ended at once (exit " + process.exitValue() + "); see " + log);
            }
            try (ToolstackClient _ = ToolstackClient.connect(path))
            {
                spec.commandLine().getOut().println("javisor daemon: listening on " + path + " (pid " + process.pid() + ", log " + log + ")");
                spec.commandLine().getOut().flush();
                return 0;
            }
            catch (final ToolstackException notYet)
            {
                Thread.sleep(100);
            }
        }
        process.destroy();
        throw new ToolstackException("the daemon did not listen on " + path + " within " + DETACH_WAIT_MS / 1000 + " s; see " + log);
    }
}
