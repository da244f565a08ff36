package io.javisor.core.driver;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;

/**
 * A driver domain process that probes what the hypervisor lets it map, in place of
 * {@link DriverDomainMain}. Once attached to a device it waits for the front end's directory to name
 * a grant ({@value #REF_KEY}, a read-only grant to this domain), then asks to map: that grant
 * writable (must be refused), that grant read-only (must be given; it prints the frame's first long),
 * the eight references after it (granted to nobody), a reference of dom0 and of a domain that does
 * not exist. It prints one line per answer and waits to be killed.
 */
public final class ProbingDriverDomain
{
    static final String REF_KEY = "probe-ref";

    private ProbingDriverDomain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final CompletableFuture<String> memoryFile = new CompletableFuture<>();
        final CompletableFuture<DriverVbdSpec> attached = new CompletableFuture<>();
        final CompletableFuture<Integer> domid = new CompletableFuture<>();
        final CompletableFuture<Boolean> activated = new CompletableFuture<>();
        final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
        final ParentLink link = new ParentLink(channel, new ParentLink.Listener()
        {
            public void onConfig(final int id, final String file, final long length)
            {
                domid.complete(id);
                memoryFile.complete(file);
            }

            public void onAttach(final DriverVbdSpec vbd)
            {
                attached.complete(vbd);
            }

            public void onAttachVif(final DriverVifSpec vif)
            {
            }

            public void onDetach(final int frontendDomid, final int deviceId)
            {
            }

            public void onShareBridge(final String bridge)
            {
            }

            public void onFrame(final String bridge, final org.agrona.DirectBuffer frame, final int length)
            {
            }

            public void onDetachVif(final int frontendDomid, final int handle)
            {
            }

            public void onActivate()
            {
                activated.complete(true);
            }

            public void onEventPending(final int port)
            {
            }

            public void onWatchFired(final String path, final String token)
            {
            }

            public void onClosed(final String reason)
            {
                System.exit(0);
            }
        });
        link.start(Long.parseLong(args[1]));
        final DriverVbdSpec vbd = attached.get();
        activated.get();
        final int guest = vbd.frontendDomid();
        final String key = "/local/domain/" + guest + "/device/vbd/" + vbd.deviceId() + "/" + REF_KEY;
        ParentLink.Reply named = link.xsRead(key);
        while (named.status() < 0)
        {
            Thread.sleep(5);
            named = link.xsRead(key);
        }
        final int ref = Integer.parseInt(named.text());
        try (FileChannel memory = FileChannel.open(Path.of(memoryFile.get()), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final GrantedFrames frames = new GrantedFrames(link, memory);
            report("writable", link.grantMap(guest, ref, false));
            final GrantedFrame frame = frames.map(guest, ref, true);
            System.out.println(frame == null ? "probe read-only refused" :
                "probe read " + Long.toHexString(frame.segment.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0)));
            for (int other = ref + 1; other <= ref + 8; other++)
            {
                report("ref " + other, link.grantMap(guest, other, true));
            }
            report("dom0", link.grantMap(0, 1, true));
            report("no such domain", link.grantMap(0x7000, 0, true));
            report("negative ref", link.grantMap(guest, -5, true));
            System.out.println("probe done");
        }
        catch (final IOException ex)
        {
            System.out.println("probe failed: " + ex);
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void report(final String what, final ParentLink.Reply reply)
    {
        System.out.println("probe " + what + ": " + (reply.status() < 0 ? "refused " + reply.status() : "MAPPED"));
    }
}
