package io.javisor.core.stubdom;

import io.javisor.emulation.device.remote.RemoteDeviceModels;
import io.javisor.emulation.device.remote.RemoteDeviceSpec;
import io.javisor.emulation.device.remote.StubChannelKind;
import io.javisor.emulation.device.remote.StubDomainException;
import io.javisor.emulation.device.remote.StubDomainMain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HVM guest's stub domain: a process of its own ({@link StubDomainMain}) running the guest's
 * emulated device models, and the channel its vCPU reaches them through ({@link #models()}): by
 * default a shared-memory mailbox ({@link StubChannelKind#MAILBOX}, chosen by {@code javisor bench
 * stubdom}'s measurements, see {@link StubChannelKind}), or frames on the Unix socket. The
 * process connects to a Unix socket in a private temporary directory (under /dev/shm when there is
 * one) and proves itself with a random token; with a NIC (a LAN9118 or a virtio-net) it connects a
 * second time, for events; with a virtio device it maps its guest's RAM once the machine shares it
 * ({@link RemoteDeviceModels#shareGuestRam}), a mapping that ends with the process. Supervision: when the process ends (kill -9, an exception, an exit) the models fail
 * with its exit status, which crashes the guest at its next look and nothing else; when the models
 * fail first (the stub answered garbage or reported a failed model) the process is killed; a stub that
 * leaves an access unanswered past the answer timeout is failed too ({@link StubWatchdog}).
 * {@link #close()} (the guest is destroyed) ends the process and removes the directory.
 * <p>
 * Thread-safe: start and close from the control plane; the supervision runs on the JDK's process
 * reaper; the models' channel belongs to the guest's vCPU.
 */
public final class StubDomain implements AutoCloseable
{
    /** How long a process may take to start and describe its devices. */
    private static final long START_TIMEOUT_MS = 30_000;
    private static final long STOP_TIMEOUT_MS = 2_000;
    private static final SecureRandom TOKENS = new SecureRandom();
    /** Where the stubs' directories go when the machine has it. */
    private static final Path SHM = Path.of("/dev/shm");
    public static final String DIRECTORY_PREFIX = "javisor-stub-";
    /** How long a register access may wait for its answer, in ms. */
    public static final String ANSWER_TIMEOUT_PROPERTY = "javisor.stubdom.answerTimeoutMs";
    public static final long DEFAULT_ANSWER_TIMEOUT_MS = 5_000;
    /** Chooses the channel kind of the stub domains this process starts. */
    public static final String CHANNEL_PROPERTY = "javisor.stubdom.channel";

    private final String name;
    private final Path dir;
    private final Process process;
    /** Set once the process has described its devices. */
    private volatile RemoteDeviceModels models;
    private boolean closed;

    private StubDomain(final String name, final Path dir, final Process process)
    {
        this.name = name;
        this.dir = dir;
        this.process = process;
    }

    /**
     * Starts the stub domain of domain {@code domainName} running {@code devices}, and waits until it
     * has described their windows.
     *
     * @throws StubDomainException (one line) when the process does not start, cannot build a device
     *                             (e.g. a disk image that does not open), or breaks the protocol;
     *                             nothing is left behind
     */
    public static StubDomain start(final String domainName, final List<RemoteDeviceSpec> devices)
    {
        return start(domainName, devices, defaultChannel(), StubDomainMain.class.getName());
    }

    /**
     * The channel kind stub domains use: {@value #CHANNEL_PROPERTY} ({@code socket} or {@code mailbox}),
     * else {@link StubChannelKind#MAILBOX}.
     *
     * @throws IllegalArgumentException (one line) for another value
     */
    public static StubChannelKind defaultChannel()
    {
        final String value = System.getProperty(CHANNEL_PROPERTY, "mailbox");
        return switch (value)
        {
            case "socket" -> StubChannelKind.SOCKET;
            case "mailbox" -> StubChannelKind.MAILBOX;
            default -> throw new IllegalArgumentException(CHANNEL_PROPERTY + " is '" + value + "'; it takes socket or mailbox");
        };
    }

    /**
     * As {@link #start(String, List)} with the channel of the given kind and another main class (a
     * hostile stub, in tests).
     */
    public static StubDomain start(final String domainName, final List<RemoteDeviceSpec> devices, final StubChannelKind kind,
        final String mainClass)
    {
        return start(domainName, devices, kind, mainClass, answerTimeoutMillis());
    }

    /**
     * How long a register access may wait for the stub's answer before the stub is failed (its guest
     * crashes): {@value #ANSWER_TIMEOUT_PROPERTY}, else {@value #DEFAULT_ANSWER_TIMEOUT_MS} ms.
     */
    public static long answerTimeoutMillis()
    {
        return Long.getLong(ANSWER_TIMEOUT_PROPERTY, DEFAULT_ANSWER_TIMEOUT_MS);
    }

    /** As {@link #start(String, List, StubChannelKind, String)} with the given answer timeout. */
    public static StubDomain start(final String domainName, final List<RemoteDeviceSpec> devices, final StubChannelKind kind,
        final String mainClass, final long answerTimeoutMillis)
    {
        final String name = "stub domain of " + domainName;
        final Path dir;
        try
        {
            // rwx------: only this user can connect or map; on tmpfs when there is one, as the mailbox wants.
            dir = Files.isDirectory(SHM) && Files.isWritable(SHM) ? Files.createTempDirectory(SHM, DIRECTORY_PREFIX) :
                Files.createTempDirectory(DIRECTORY_PREFIX);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(name + ": cannot create its directory: " + ex.getMessage(), ex);
        }
        final Path socket = dir.resolve("channel.sock");
        final long token = TOKENS.nextLong();
        StubDomain stub = null;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            server.bind(UnixDomainSocketAddress.of(socket));
            final Process process = StubDomainLauncher.launch(mainClass, socket, token, dir.resolve("stub.log"));
            stub = new StubDomain(name, dir, process);
            // A stub that hangs in its set-up is killed; its channel then ends and the start fails.
            final AtomicBoolean described = new AtomicBoolean();
            CompletableFuture.delayedExecutor(START_TIMEOUT_MS, TimeUnit.MILLISECONDS).execute(() ->
            {
                if (!described.get())
                {
                    process.destroyForcibly();
                }
            });
            final SocketChannel channel = stub.accept(server);
            final RemoteDeviceModels models = RemoteDeviceModels.connect(name, channel, token, devices,
                kind == StubChannelKind.MAILBOX ? dir.resolve("mailbox") : null);
            stub.models = models;
            if (models.needsEvents())
            {
                models.attachEvents(stub.accept(server), token);
            }
            Files.deleteIfExists(socket);
            described.set(true);
            stub.supervise(models);
            StubWatchdog.watch(models, TimeUnit.MILLISECONDS.toNanos(answerTimeoutMillis));
            return stub;
        }
        catch (final IOException | RuntimeException ex)
        {
            final String reason = ex instanceof StubDomainException ? ex.getMessage() : name + " did not start: " + ex.getMessage();
            if (stub != null)
            {
                stub.close();
            }
            else
            {
                deleteDirectory(dir);
            }
            throw new StubDomainException(reason);
        }
    }

    private SocketChannel accept(final ServerSocketChannel server) throws IOException
    {
        server.configureBlocking(false);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline)
        {
            final SocketChannel channel = server.accept();
            if (channel != null)
            {
                channel.configureBlocking(true);
                return channel;
            }
            if (!process.isAlive())
            {
                throw new IOException("its process " + process.pid() + " " + account(process.exitValue()));
            }
            try
            {
                Thread.sleep(2);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for its process to connect");
            }
        }
        throw new IOException("its process " + process.pid() + " did not connect within " + START_TIMEOUT_MS + " ms");
    }

    private void supervise(final RemoteDeviceModels connected)
    {
        connected.explainLossWith(this::explainLoss);
        connected.onFailure(_ -> process.destroyForcibly());
        models = connected;
        process.onExit().thenAccept(p -> connected.fail(name + ": its process " + p.pid() + " " + account(p.exitValue())));
    }

    /** The process's end, if it ends within a second (the channel broke: it is probably going). */
    private String explainLoss()
    {
        try
        {
            return process.waitFor(1, TimeUnit.SECONDS) ? "its process " + process.pid() + " " + account(process.exitValue()) : null;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** "was killed by signal 9 (SIGKILL)" or "exited with status 1 (last output: ...)". */
    private String account(final int status)
    {
        if (status > 128 && status < 128 + 65)
        {
            final int signal = status - 128;
            return "was killed by signal " + signal + (signal == 9 ? " (SIGKILL)" : signal == 15 ? " (SIGTERM)" : "");
        }
        final String last = lastOutputLine();
        return "exited with status " + status + (last == null ? "" : " (last output: " + last + ")");
    }

    private String lastOutputLine()
    {
        try
        {
            final List<String> lines = Files.readAllLines(dir.resolve("stub.log"), StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--)
            {
                final String line = lines.get(i).strip();
                if (!line.isEmpty())
                {
                    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
                }
            }
            return null;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /** @return the device models as the guest's machine maps them */
    public RemoteDeviceModels models()
    {
        return models;
    }

    /** @return the stub's process (its pid, whether it lives) */
    public ProcessHandle process()
    {
        return process.toHandle();
    }

    /**
     * Ends the stub: its channel closed, its process asked to stop and killed if it has not within
     * {@value #STOP_TIMEOUT_MS} ms, its directory removed. Idempotent; waits for the process to end.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (models != null)
        {
            StubWatchdog.forget(models);
            models.close();
        }
        process.destroy();
        try
        {
            if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly().waitFor();
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        closeStreams();
        deleteDirectory(dir);
    }

    private void closeStreams()
    {
        try
        {
            process.getOutputStream().close();
            process.getInputStream().close();
            process.getErrorStream().close();
        }
        catch (final IOException ignored)
        {
            // Redirected streams: nothing is open behind them.
        }
    }

    private static void deleteDirectory(final Path dir)
    {
        try (var files = Files.list(dir))
        {
            for (final Path file : files.toList())
            {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        }
        catch (final IOException ignored)
        {
            // A temporary directory left behind is all that can go wrong.
        }
    }
}
