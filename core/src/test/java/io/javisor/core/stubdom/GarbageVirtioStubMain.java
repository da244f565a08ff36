package io.javisor.core.stubdom;

import io.javisor.emulation.device.remote.StubProtocol;
import io.javisor.emulation.device.virtio.VirtioMmioDescriptor;
import io.javisor.emulation.device.virtio.VirtioMmioTransport;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * A hostile stub domain process for a virtio-blk: a correct hello, window list (one virtio-mmio window)
 * and RAM_MAPPED answer (it maps nothing), then garbage for every register access as
 * {@link GarbageStubMain} answers them (random bytes seeded by its pid, which it prints). It stays
 * up until killed.
 */
public final class GarbageVirtioStubMain
{
    private GarbageVirtioStubMain()
    {
    }

    public static void main(final String[] args) throws IOException, InterruptedException
    {
        final long seed = ProcessHandle.current().pid();
        System.out.println("garbage virtio stub: seed " + seed);
        final Random random = new Random(seed);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
            final ByteBuffer hello = ByteBuffer.allocate(13).order(ByteOrder.LITTLE_ENDIAN);
            hello.putInt(9).put(StubProtocol.HELLO).putLong(Long.parseLong(args[1])).flip();
            GarbageStubMain.write(channel, hello);
            final String mailbox = GarbageStubMain.mailboxOf(GarbageStubMain.readSetup(channel));

            final int size = (int)VirtioMmioDescriptor.WINDOW_SIZE;
            final byte[] bitmap = new byte[size / 2];
            for (int offset = 0; offset < size; offset++)
            {
                for (int access = 1, bit = 0; access <= 8; access <<= 1, bit++)
                {
                    if (VirtioMmioTransport.supportsAccess(offset, access))
                    {
                        bitmap[(4 * offset + bit) >>> 3] |= (byte)(1 << ((4 * offset + bit) & 7));
                    }
                }
            }
            final byte[] name = "virtio-blk0".getBytes(StandardCharsets.US_ASCII);
            final ByteBuffer windows = ByteBuffer.allocate(4 + 1 + 1 + 1 + 2 + name.length + 4 + bitmap.length)
                .order(ByteOrder.LITTLE_ENDIAN);
            windows.putInt(windows.capacity() - 4).put(StubProtocol.WINDOWS).put((byte)1)
                .put((byte)0).putShort((short)name.length).put(name).putInt(size).put(bitmap).flip();
            GarbageStubMain.write(channel, windows);

            if (GarbageStubMain.readSetup(channel).get() != StubProtocol.GUEST_RAM)
            {
                throw new IOException("no guest RAM message");
            }
            final ByteBuffer mapped = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN);
            mapped.putInt(1).put(StubProtocol.RAM_MAPPED).flip();
            GarbageStubMain.write(channel, mapped);
            GarbageStubMain.answerGarbage(channel, mailbox, random);
        }
        catch (final IOException ex)
        {
            // Disconnected: wait to be killed, as a stuck process would.
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
