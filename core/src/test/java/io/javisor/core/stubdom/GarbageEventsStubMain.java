package io.javisor.core.stubdom;

import io.javisor.emulation.device.remote.StubDeviceHost;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Random;

/**
 * A hostile stub domain process that serves its devices like the real one, but 200 ms after opening
 * its events connection writes random bytes on it (seeded by its pid, which it prints).
 */
public final class GarbageEventsStubMain
{
    private GarbageEventsStubMain()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final long seed = ProcessHandle.current().pid();
        System.out.println("garbage events stub: seed " + seed);
        final UnixDomainSocketAddress address = UnixDomainSocketAddress.of(Path.of(args[0]));
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            StubDeviceHost host = new StubDeviceHost(channel))
        {
            channel.connect(address);
            host.serve(Long.parseLong(args[1]), () ->
            {
                final SocketChannel events = SocketChannel.open(address);
                Thread.ofPlatform().daemon().start(() -> spray(events, new Random(seed)));
                return events;
            });
        }
    }

    private static void spray(final SocketChannel events, final Random random)
    {
        try
        {
            Thread.sleep(200);
            final byte[] garbage = new byte[64];
            while (true)
            {
                random.nextBytes(garbage);
                events.write(ByteBuffer.wrap(garbage));
                Thread.sleep(10);
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            // Disconnected: the hypervisor noticed.
        }
    }
}
