package io.javisor.core.driver;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A driver domain process that turns hostile once: while its marker file (the fourth argument) does
 * not exist, it creates it, says a correct hello, waits for its configuration and then writes
 * random bytes on its channel until the hypervisor drops it. Once the marker exists it is an ordinary
 * {@link DriverDomainMain}.
 */
public final class GarbageThenServingDriverDomain
{
    private GarbageThenServingDriverDomain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path marker = Path.of(args[3]);
        if (Files.exists(marker))
        {
            DriverDomainMain.main(new String[] {args[0], args[1], args[2]});
            return;
        }
        Files.createFile(marker);
        final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
        final ByteBuffer hello = ByteBuffer.allocate(21);
        hello.putInt(17).put(DriverProtocol.HELLO).putLong(Long.parseLong(args[1])).putLong(ProcessHandle.current().pid()).flip();
        channel.write(hello);
        channel.read(ByteBuffer.allocate(64)); // its CONFIG: it is the serving instance now
        final SplittableRandom random = new SplittableRandom(Long.parseLong(args[4]));
        final ByteBuffer garbage = ByteBuffer.allocate(4096);
        while (true)
        {
            garbage.clear();
            while (garbage.hasRemaining())
            {
                garbage.put((byte)random.nextInt());
            }
            garbage.flip();
            channel.write(garbage);
        }
    }
}
