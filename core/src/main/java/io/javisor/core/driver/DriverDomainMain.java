package io.javisor.core.driver;

import io.javisor.blkback.BlkifXenstoreKeys;
import io.javisor.netback.NetifXenstoreKeys;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * The driver domain process: connects to the hypervisor's channel ({@link DriverProtocol}), says
 * hello with its token once it has warmed up its serving code, takes its configuration and opens its devices'
 * images (a {@link DriverVbd} thread each) and its vifs (one {@link DriverNetAgent} for all), and once activated (a spare may wait long) serves them.
 * It exits when the channel ends.
 * <p>
 * Arguments: the channel's socket path, the token, and the idle mode ({@link DriverIdle}).
 * <p>
 * Threads: the main thread connects and then only waits; the channel's reader thread creates the
 * devices (on ATTACH), asks them to detach (on DETACH) and routes events and watch firings to them;
 * each disk has its own thread, which removes the disk from {@code byToken} as it ends.
 */
public final class DriverDomainMain implements ParentLink.Listener
{
    private final DriverIdle idle;
    private final Map<String, DriverVbd> byToken = new ConcurrentHashMap<>();
    private final CountDownLatch activated = new CountDownLatch(1);
    private ParentLink link;
    private GrantedFrames frames;
    /** The network back end, made with the first vif (the channel's reader is its only writer). */
    private DriverNetAgent net;
    private int domid = -1;

    private DriverDomainMain(final DriverIdle idle)
    {
        this.idle = idle;
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length < 3)
        {
            System.err.println("usage: DriverDomainMain SOCKET TOKEN SPIN|PARK");
            System.exit(64);
        }
        final DriverDomainMain main = new DriverDomainMain(DriverIdle.valueOf(args[2]));
        final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
        // Before hello, so that a spare counts as ready only once its serving code is loaded and compiled.
        DriverWarmUp.run();
        main.link = new ParentLink(channel, main);
        main.link.start(Long.parseLong(args[1]));
    }

    @Override
    public void onConfig(final int domid, final String memoryFile, final long memoryLength)
    {
        try
        {
            final FileChannel memory = FileChannel.open(Path.of(memoryFile), StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (memory.size() < memoryLength)
            {
                throw new IOException("machine memory file " + memoryFile + " is shorter than " + memoryLength);
            }
            this.frames = new GrantedFrames(link, memory);
            this.domid = domid;
        }
        catch (final IOException ex)
        {
            onClosed("cannot open machine memory: " + ex.getMessage());
        }
    }

    @Override
    public void onAttach(final DriverVbdSpec spec)
    {
        if (frames == null)
        {
            onClosed("ATTACH before CONFIG");
        }
        final String token = BackendDirectory.token(BlkifXenstoreKeys.DEVICE_TYPE, spec.frontendDomid(), spec.deviceId());
        if (byToken.containsKey(token))
        {
            onClosed("ATTACH of " + token + ", which is attached");
        }
        final DriverVbd[] self = new DriverVbd[1];
        self[0] = new DriverVbd(link, frames, domid, spec, idle, activated, () -> byToken.remove(token, self[0]));
        byToken.put(token, self[0]);
        Thread.ofPlatform().name("ddom-" + token).start(self[0]);
    }

    @Override
    public void onAttachVif(final DriverVifSpec spec)
    {
        if (frames == null)
        {
            onClosed("ATTACH_VIF before CONFIG");
        }
        netAgent().add(spec);
    }

    /**
     * The network back end, started with the first vif or shared bridge (reader thread).
     */
    private DriverNetAgent netAgent()
    {
        if (net == null)
        {
            net = new DriverNetAgent(link, frames, domid, idle, activated);
            Thread.ofPlatform().name("ddom-net").start(net);
        }
        return net;
    }

    @Override
    public void onShareBridge(final String bridge)
    {
        if (frames == null)
        {
            onClosed("SHARE_BRIDGE before CONFIG");
        }
        netAgent().shareBridge(bridge);
    }

    @Override
    public void onFrame(final String bridge, final DirectBuffer frame, final int length)
    {
        if (net != null)
        {
            net.fromUplink(bridge, frame, length);
        }
    }

    @Override
    public void onDetach(final int frontendDomid, final int deviceId)
    {
        final String token = BackendDirectory.token(BlkifXenstoreKeys.DEVICE_TYPE, frontendDomid, deviceId);
        final DriverVbd vbd = byToken.get(token);
        if (vbd != null)
        {
            vbd.requestDetach();
        }
        else
        {
            detachedAlready(token);
        }
    }

    @Override
    public void onDetachVif(final int frontendDomid, final int handle)
    {
        if (net == null)
        {
            detachedAlready(BackendDirectory.token(NetifXenstoreKeys.DEVICE_TYPE, frontendDomid, handle));
        }
        else
        {
            net.detach(frontendDomid, handle);
        }
    }

    /**
     * A detach of a device this process does not serve (its thread ended already): nothing to
     * release, so it is detached at once; a spare says nothing.
     */
    private void detachedAlready(final String token)
    {
        if (activated.getCount() == 0)
        {
            try
            {
                link.detached(token);
            }
            catch (final IOException ex)
            {
                onClosed("channel broken: " + ex.getMessage());
            }
        }
    }

    @Override
    public void onActivate()
    {
        activated.countDown();
    }

    @Override
    public void onEventPending(final int port)
    {
        // Few devices per process: a scan is cheaper than keeping a port table current across threads.
        for (final DriverVbd vbd : byToken.values())
        {
            if (vbd.port() == port)
            {
                vbd.wake();
            }
        }
        if (net != null)
        {
            net.onEventPending(port);
        }
    }

    @Override
    public void onWatchFired(final String path, final String token)
    {
        final DriverVbd vbd = byToken.get(token);
        if (vbd != null)
        {
            vbd.onWatchFired();
        }
        else if (net != null)
        {
            net.onWatchFired(token);
        }
    }

    @Override
    public void onClosed(final String reason)
    {
        System.err.println("driver domain " + ProcessHandle.current().pid() + ": " + reason);
        System.exit(reason.equals("channel closed") ? 0 : 1);
    }
}
