package io.javisor.core.stubdom;

import io.javisor.emulation.device.remote.StubDeviceHost;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A stub domain process that sets up like the real one (a {@link StubDeviceHost}) and then takes no
 * register access ever: the channel's reads after the set-up never return anything, as a stub stuck
 * in a loop would behave. It ends when its channel does, or is killed.
 */
public final class HungStubMain
{
    private HungStubMain()
    {
    }

    public static void main(final String[] args) throws IOException, InterruptedException
    {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
            new StubDeviceHost(new StuckAfterSetUp(channel)).serve(Long.parseLong(args[1]));
        }
    }

    /** Passes the set-up through; the first read of a register access blocks until the channel ends. */
    private static final class StuckAfterSetUp implements ByteChannel
    {
        private final SocketChannel channel;
        private int writes;

        StuckAfterSetUp(final SocketChannel channel)
        {
            this.channel = channel;
        }

        @Override
        public int read(final ByteBuffer dst) throws IOException
        {
            if (writes >= 2) // hello and the window list are out: from here on, requests
            {
                while (channel.read(ByteBuffer.allocate(64)) >= 0)
                {
                    // Swallows requests and wake-ups without answering.
                }
                return -1;
            }
            return channel.read(dst);
        }

        @Override
        public int write(final ByteBuffer src) throws IOException
        {
            writes++;
            return channel.write(src);
        }

        @Override
        public boolean isOpen()
        {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }
}
