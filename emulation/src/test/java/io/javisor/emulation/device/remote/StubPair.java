package io.javisor.emulation.device.remote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A stub domain on a thread of this process, for tests of the channel without a process: the vCPU
 * side's {@link RemoteDeviceModels} connected through a Unix socket in a temporary directory to a
 * stub body (the real {@link StubDeviceHost}, or a hostile one) running on thread {@code test-stub}.
 */
final class StubPair implements AutoCloseable
{
    static final long TOKEN = 0x5EED_5EED_1234L;

    /** What the stub thread does with its end of the channel. */
    @FunctionalInterface
    interface StubBody
    {
        void run(SocketChannel channel) throws IOException;
    }

    final RemoteDeviceModels models;
    private final Thread stub;
    private final Path socket;

    private StubPair(final RemoteDeviceModels models, final Thread stub, final Path socket)
    {
        this.models = models;
        this.stub = stub;
        this.socket = socket;
    }

    /** The real stub side, serving {@code devices}. */
    static StubPair serving(final Path dir, final List<RemoteDeviceSpec> devices, final StubChannelKind kind)
    {
        return with(dir, devices, kind, channel ->
        {
            try (StubDeviceHost host = new StubDeviceHost(channel))
            {
                host.serve(TOKEN);
            }
        });
    }

    static StubPair with(final Path dir, final List<RemoteDeviceSpec> devices, final StubChannelKind kind, final StubBody body)
    {
        final Path socket = dir.resolve("stub.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            server.bind(UnixDomainSocketAddress.of(socket));
            final Thread stub = Thread.ofPlatform().name("test-stub").daemon().start(() ->
            {
                try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket)))
                {
                    body.run(channel);
                }
                catch (final IOException ex)
                {
                    System.out.println("test stub ended: " + ex.getMessage());
                }
            });
            final SocketChannel accepted = server.accept();
            try
            {
                return new StubPair(RemoteDeviceModels.connect("stub domain of test", accepted, TOKEN, devices,
                    kind == StubChannelKind.MAILBOX ? dir.resolve("mailbox") : null), stub, socket);
            }
            catch (final RuntimeException ex)
            {
                join(stub);
                Files.deleteIfExists(socket);
                Files.deleteIfExists(dir.resolve("mailbox"));
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** @return whether the stub thread has ended (within a few seconds) */
    boolean stubEnded()
    {
        join(stub);
        return !stub.isAlive();
    }

    @Override
    public void close() throws IOException
    {
        models.close();
        join(stub);
        Files.deleteIfExists(socket);
        Files.deleteIfExists(socket.resolveSibling("mailbox"));
    }
}
