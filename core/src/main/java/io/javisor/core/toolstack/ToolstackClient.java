package io.javisor.core.toolstack;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.javisor.core.toolstack.ToolstackProtocol.*;

/**
 * A connection to a running daemon: {@link #call} sends one request and returns the reply's result
 * or throws its error; {@link #console} turns the connection into the domain's console. One thread
 * uses a client at a time.
 */
public final class ToolstackClient implements AutoCloseable
{
    private final SocketChannel channel;
    private final ToolstackDaemon.LineReader in;

    private ToolstackClient(final SocketChannel channel)
    {
        this.channel = channel;
        this.in = new ToolstackDaemon.LineReader(channel);
    }

    /**
     * @throws ToolstackException when no daemon listens on {@code socket}
     */
    public static ToolstackClient connect(final Path socket)
    {
        try
        {
            final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            return new ToolstackClient(channel);
        }
        catch (final IOException ex)
        {
            throw new ToolstackException("no javisor daemon is listening on " + socket + " (start one with 'javisor daemon')");
        }
    }

    /**
     * @return the reply's result (maps, lists, strings, numbers as JSON gives them)
     * @throws ToolstackException with the daemon's one-line error
     */
    public Object call(final String command, final Map<String, Object> args)
    {
        send(command, args);
        final String line;
        try
        {
            line = in.readLine();
        }
        catch (final IOException ex)
        {
            throw new ToolstackException("the daemon went away: " + ex.getMessage());
        }
        if (line == null)
        {
            throw new ToolstackException("the daemon closed the connection");
        }
        final Map<String, Object> reply;
        try
        {
            reply = JSON.std.mapFrom(line);
        }
        catch (final IOException ex)
        {
            throw new ToolstackException("the daemon's reply is not JSON: " + ex.getMessage());
        }
        if (!Boolean.TRUE.equals(reply.get(FIELD_OK)))
        {
            throw new ToolstackException(String.valueOf(reply.get(FIELD_ERROR)));
        }
        return reply.get(FIELD_RESULT);
    }

    private void send(final String command, final Map<String, Object> args)
    {
        final Map<String, Object> request = new LinkedHashMap<>();
        request.put(FIELD_VERSION, VERSION);
        request.put(FIELD_COMMAND, command);
        request.put(FIELD_ARGS, args);
        try
        {
            write((JSON.std.asString(request) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new ToolstackException("cannot send to the daemon: " + ex.getMessage());
        }
    }

    private void write(final byte[] bytes) throws IOException
    {
        final ByteBuffer out = ByteBuffer.wrap(bytes);
        while (out.hasRemaining())
        {
            channel.write(out);
        }
    }

    /**
     * Attaches to a domain's console: its output (history first) goes to {@code out} until the
     * daemon closes the stream or {@code escape} is read from {@code keys}; every other key goes to
     * the guest. Blocks until then.
     *
     * @throws ToolstackException when the daemon refuses (no such domain, another client attached)
     */
    public void console(final String domain, final InputStream keys, final OutputStream out, final int escape)
    {
        call(CONSOLE, Map.of("domain", domain));
        final Thread pump = Thread.ofPlatform().name("console-output").daemon().start(() ->
        {
            try
            {
                int b;
                while ((b = in.read()) >= 0)
                {
                    out.write(b);
                    out.flush();
                }
            }
            catch (final IOException gone)
            {
                // the connection closed
            }
        });
        try
        {
            int key;
            while (pump.isAlive() && (key = keys.read()) >= 0 && key != escape)
            {
                write(new byte[] {(byte)key});
            }
        }
        catch (final IOException gone)
        {
            // the daemon went away
        }
        finally
        {
            close();
            try
            {
                pump.join(1000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close()
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
}
