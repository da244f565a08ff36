package io.javisor.core.toolstack;

import com.fasterxml.jackson.jr.ob.JSON;
import io.javisor.core.toolstack.config.XlConfig;
import io.javisor.core.toolstack.config.XlConfigException;
import io.javisor.core.toolstack.config.BuiltinConfigs;
import io.javisor.core.toolstack.config.XlConfigReader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.javisor.core.toolstack.ToolstackProtocol.*;

/**
 * The running javisor's control socket: a Unix domain socket (its directory 0700, the socket 0600)
 * on which clients send {@link ToolstackProtocol} requests that the {@link Toolstack} carries out.
 * One acceptor thread; one thread per connected client (at most {@link ToolstackProtocol#MAX_CLIENTS});
 * a request that is not valid JSON, names no known command or has bad arguments gets an error
 * reply and the connection goes on. A second daemon on the same socket refuses to start; a socket
 * file nobody listens on (a daemon that died) is replaced.
 */
public final class ToolstackDaemon implements AutoCloseable
{
    private final Toolstack toolstack;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger clientNumber = new AtomicInteger();
    private volatile boolean closed;

    private ToolstackDaemon(final Toolstack toolstack, final Path socket, final ServerSocketChannel server)
    {
        this.toolstack = toolstack;
        this.socket = socket;
        this.server = server;
        this.acceptor = Thread.ofPlatform().name("toolstack-daemon").daemon().unstarted(this::acceptLoop);
    }

    /**
     * Binds {@code socket} and starts serving.
     *
     * @throws ToolstackException one line: another daemon listens there, or the socket cannot be made
     */
    public static ToolstackDaemon start(final Toolstack toolstack, final Path socket)
    {
        final Path path = socket.toAbsolutePath();
        try
        {
            final Path dir = path.getParent();
            if (!Files.isDirectory(dir))
            {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (Files.exists(path))
            {
                if (someoneListens(path))
                {
                    throw new ToolstackException("another javisor daemon is listening on " + path);
                }
                Files.delete(path); // left by a daemon that died
            }
            final ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            final ToolstackDaemon daemon = new ToolstackDaemon(toolstack, path, server);
            daemon.acceptor.start();
            toolstack.log().add("daemon listening on " + path);
            return daemon;
        }
        catch (final IOException ex)
        {
            throw new ToolstackException("cannot listen on " + path + ": " + ex.getMessage());
        }
    }

    private static boolean someoneListens(final Path path)
    {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path)))
        {
            return probe.isConnected();
        }
        catch (final IOException nobody)
        {
            return false;
        }
    }

    public Path socket()
    {
        return socket;
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final SocketChannel client;
            try
            {
                client = server.accept();
            }
            catch (final IOException ex)
            {
                return; // closed
            }
            if (clients.size() >= MAX_CLIENTS)
            {
                reply(client, error("too many clients (" + MAX_CLIENTS + ")"));
                closeQuietly(client);
                continue;
            }
            clients.add(client);
            Thread.ofPlatform().name("toolstack-client-" + clientNumber.incrementAndGet()).daemon().start(() -> serve(client));
        }
    }

    /** One client's connection: request lines in, reply lines out, until it closes. */
    private void serve(final SocketChannel client)
    {
        try (client)
        {
            final LineReader in = new LineReader(client);
            String line;
            while ((line = in.readLine()) != null)
            {
                final Map<String, Object> request;
                try
                {
                    request = JSON.std.mapFrom(line);
                }
                catch (final IOException | RuntimeException ex)
                {
                    reply(client, error("not a JSON request: " + firstLine(ex.getMessage())));
                    continue;
                }
                if (request == null)
                {
                    reply(client, error("not a JSON request: empty"));
                    continue;
                }
                final Object version = request.get(FIELD_VERSION);
                if (!(version instanceof Number n) || n.intValue() != VERSION)
                {
                    reply(client, error("protocol version " + version + " is not " + VERSION));
                    continue;
                }
                final String command = String.valueOf(request.get(FIELD_COMMAND));
                final Object rawArgs = request.getOrDefault(FIELD_ARGS, Map.of());
                if (!(rawArgs instanceof Map<?, ?> args))
                {
                    reply(client, error("args must be an object"));
                    continue;
                }
                if (CONSOLE.equals(command))
                {
                    console(client, in, args);
                    return;
                }
                reply(client, dispatch(command, new Arguments(command, args)));
            }
        }
        catch (final IOException ex)
        {
            // the client went away mid-request: nothing to answer
        }
        finally
        {
            clients.remove(client);
        }
    }

    private Map<String, Object> dispatch(final String command, final Arguments args)
    {
        try
        {
            final Object result = switch (command)
            {
                case CREATE -> create(args);
                case LIST -> toolstack.list().stream().map(DomainInfo::toMap).toList();
                case DESTROY -> done(() -> toolstack.destroy(args.domain()));
                case SHUTDOWN, REBOOT -> shutdown(args, REBOOT.equals(command));
                case PAUSE -> done(() -> toolstack.pause(args.domain()));
                case UNPAUSE -> done(() -> toolstack.unpause(args.domain()));
                case INFO -> toolstack.info();
                case DMESG -> toolstack.dmesg();
                case VCPU_LIST -> vcpuList(args);
                case SCHED_CREDIT -> schedCredit(args);
                case BLOCK_ATTACH -> done(() -> toolstack.blockAttach(args.domain(), args.string("spec")));
                case BLOCK_DETACH -> done(() -> toolstack.blockDetach(args.domain(), args.string("device")));
                case NETWORK_ATTACH -> done(() -> toolstack.networkAttach(args.domain(), args.string("spec")));
                case NETWORK_DETACH -> done(() -> toolstack.networkDetach(args.domain(), args.string("device")));
                case SAVE, RESTORE -> throw new ToolstackException(command + " is not supported yet: javisor cannot " +
                    "save a domain's state to a file");
                default -> throw new ToolstackException("unknown command '" + command + "'");
            };
            return ok(result);
        }
        catch (final ToolstackException ex)
        {
            return error(ex.getMessage());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return error("interrupted");
        }
        catch (final RuntimeException ex)
        {
            return error(command + ": " + ex.getClass().getSimpleName() + ": " + firstLine(ex.getMessage()));
        }
    }

    /** The client's file (or a built-in config, {@code builtin}) is read here (same host, same user: the socket is 0600); relative paths in
     * its overrides resolve against the client's working directory. */
    private Object create(final Arguments args)
    {
        final XlConfig config;
        try
        {
            final Path cwd = Path.of(args.string("cwd"));
            final XlConfigReader reader = new XlConfigReader(cwd, null);
            if (args.has("builtin"))
            {
                final String name = args.string("builtin");
                config = reader.read(BuiltinConfigs.source(name, cwd), BuiltinConfigs.text(name), args.strings("overrides"));
            }
            else
            {
                config = reader.read(Path.of(args.string("config")), args.strings("overrides"));
            }
        }
        catch (final XlConfigException ex)
        {
            throw new ToolstackException(ex.getMessage());
        }
        return toolstack.create(config, args.flag("paused")).toMap();
    }

    private Object shutdown(final Arguments args, final boolean reboot) throws InterruptedException
    {
        final DomainInfo info = toolstack.domain(args.domain());
        toolstack.shutdown(args.domain(), reboot);
        if (args.flag("wait") && !toolstack.awaitEnd(info.id(), args.number("timeout_s", 60), TimeUnit.SECONDS))
        {
            throw new ToolstackException("domain '" + info.name() + "' did not shut down within " +
                args.number("timeout_s", 60) + " s (it may not listen to control/shutdown)");
        }
        return Map.of();
    }

    private Object vcpuList(final Arguments args)
    {
        return toolstack.vcpus(args.optionalString("domain")).stream().map(VcpuInfo::toMap).toList();
    }

    private Object schedCredit(final Arguments args)
    {
        final String only = args.optionalString("domain");
        if (only == null)
        {
            return toolstack.list().stream().map(DomainInfo::toMap).toList();
        }
        final Integer weight = args.has("weight") ? (int)args.number("weight", 0) : null;
        final Integer cap = args.has("cap") ? (int)args.number("cap", 0) : null;
        return List.of(toolstack.schedCredit(only, weight, cap).toMap());
    }

    private void console(final SocketChannel client, final LineReader in, final Map<?, ?> rawArgs) throws IOException
    {
        final DomainConsole console;
        try
        {
            console = toolstack.console(new Arguments(CONSOLE, rawArgs).domain());
        }
        catch (final ToolstackException ex)
        {
            reply(client, error(ex.getMessage()));
            return;
        }
        final ConsoleStream stream = new ConsoleStream(client, Thread.currentThread().getName() + "-console", false);
        if (!console.attach(stream))
        {
            reply(client, error("another client is attached to this console"));
            return;
        }
        try
        {
            reply(client, ok(Map.of()));
            stream.start();
            int b;
            while ((b = in.read()) >= 0)
            {
                console.type(b);
            }
        }
        finally
        {
            console.detach(stream);
            stream.close();
            stream.join();
        }
    }

    private static Object done(final Runnable action)
    {
        action.run();
        return Map.of();
    }

    private static Map<String, Object> ok(final Object result)
    {
        final Map<String, Object> reply = new LinkedHashMap<>();
        reply.put(FIELD_VERSION, VERSION);
        reply.put(FIELD_OK, true);
        reply.put(FIELD_RESULT, result);
        return reply;
    }

    private static Map<String, Object> error(final String message)
    {
        final Map<String, Object> reply = new LinkedHashMap<>();
        reply.put(FIELD_VERSION, VERSION);
        reply.put(FIELD_OK, false);
        reply.put(FIELD_ERROR, message);
        return reply;
    }

    private static void reply(final SocketChannel client, final Map<String, Object> reply)
    {
        try
        {
            final byte[] bytes = (JSON.std.asString(reply) + "\n").getBytes(StandardCharsets.UTF_8);
            final ByteBuffer out = ByteBuffer.wrap(bytes);
            while (out.hasRemaining())
            {
                client.write(out);
            }
        }
        catch (final IOException ex)
        {
            // the client went away: its thread ends at its next read
        }
    }

    private static String firstLine(final String message)
    {
        if (message == null)
        {
            return "";
        }
        final int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static void closeQuietly(final SocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // closing anyway
        }
    }

    /** Stops listening, closes every client's connection and removes the socket file. */
    @Override
    public void close()
    {
        closed = true;
        try
        {
            server.close();
        }
        catch (final IOException ignored)
        {
            // closing anyway
        }
        for (final SocketChannel client : clients)
        {
            closeQuietly(client);
        }
        try
        {
            acceptor.join(2000);
            Files.deleteIfExists(socket);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final IOException ignored)
        {
            // the file goes with its directory
        }
    }

    /** A request's arguments, each read once and checked, with a one-line error naming it. */
    private record Arguments(String command, Map<?, ?> args)
    {
        boolean has(final String key)
        {
            return args.get(key) != null;
        }

        String domain()
        {
            return string("domain");
        }

        String string(final String key)
        {
            final Object value = args.get(key);
            if (!(value instanceof String s) || s.isEmpty())
            {
                throw new ToolstackException(command + ": argument '" + key + "' must be a non-empty string");
            }
            return s;
        }

        String optionalString(final String key)
        {
            return has(key) ? string(key) : null;
        }

        boolean flag(final String key)
        {
            final Object value = args.get(key);
            if (value != null && !(value instanceof Boolean))
            {
                throw new ToolstackException(command + ": argument '" + key + "' must be true or false");
            }
            return Boolean.TRUE.equals(value);
        }

        long number(final String key, final long otherwise)
        {
            final Object value = args.get(key);
            if (value == null)
            {
                return otherwise;
            }
            if (!(value instanceof Number n) || n.doubleValue() != n.longValue())
            {
                throw new ToolstackException(command + ": argument '" + key + "' must be a whole number");
            }
            return n.longValue();
        }

        List<String> strings(final String key)
        {
            final Object value = args.get(key);
            if (value == null)
            {
                return List.of();
            }
            if (!(value instanceof List<?> list))
            {
                throw new ToolstackException(command + ": argument '" + key + "' must be a list of strings");
            }
            final List<String> strings = new ArrayList<>();
            for (final Object item : list)
            {
                if (!(item instanceof String s))
                {
                    throw new ToolstackException(command + ": argument '" + key + "' must be a list of strings");
                }
                strings.add(s);
            }
            return strings;
        }
    }

    /** Lines (at most {@link ToolstackProtocol#MAX_LINE} bytes) and then raw bytes from a channel. */
    static final class LineReader
    {
        private final SocketChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(8192);

        LineReader(final SocketChannel channel)
        {
            this.channel = channel;
            buffer.flip();
        }

        /** The next line without its end, or null at the end of the stream. */
        String readLine() throws IOException
        {
            final ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true)
            {
                final int b = read();
                if (b < 0)
                {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                }
                if (b == '\n')
                {
                    return line.toString(StandardCharsets.UTF_8);
                }
                if (line.size() == MAX_LINE)
                {
                    throw new IOException("request line longer than " + MAX_LINE + " bytes");
                }
                line.write(b);
            }
        }

        /** The next byte, or -1 at the end of the stream. */
        int read() throws IOException
        {
            if (!buffer.hasRemaining())
            {
                buffer.clear();
                final int n;
                try
                {
                    n = channel.read(buffer);
                }
                catch (final ClosedChannelException closed)
                {
                    return -1;
                }
                buffer.flip();
                if (n <= 0)
                {
                    return -1;
                }
            }
            return buffer.get() & 0xFF;
        }
    }
}
