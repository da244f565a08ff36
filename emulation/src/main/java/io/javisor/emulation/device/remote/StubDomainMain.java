package io.javisor.emulation.device.remote;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The stub domain process: connects to the channel's socket, and serves its guest's device models
 * ({@link StubDeviceHost}) on the main thread until the hypervisor closes the channel, then exits 0;
 * a broken channel or a failed model exits 1 with one line on stderr.
 * <p>
 * Arguments: the socket path and the token to say hello with.
 */
public final class StubDomainMain
{
    private StubDomainMain()
    {
    }

    public static void main(final String[] args)
    {
        if (args.length != 2)
        {
            System.err.println("usage: StubDomainMain SOCKET TOKEN");
            System.exit(64);
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            StubDeviceHost host = new StubDeviceHost(channel))
        {
            final UnixDomainSocketAddress address = UnixDomainSocketAddress.of(Path.of(args[0]));
            channel.connect(address);
            host.serve(Long.parseLong(args[1]), () -> SocketChannel.open(address));
        }
        catch (final IOException | RuntimeException ex)
        {
            System.err.println("stub domain: " + ex.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }
}
