package io.javisor.core.driver;

import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantStatus;
import io.javisor.memory.MachineMemory;
import io.javisor.memory.log.HostLog;
import io.javisor.netback.NetTxPacket;
import io.javisor.netback.wire.EthernetDescriptor;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.event.EventChannelStatus;
import io.javisor.ringio.event.EventChannels;
import io.javisor.ringio.event.EventWaiter;
import io.javisor.ringio.xenstore.XenStoreConnection;
import io.javisor.ringio.xenstore.XenStoreException;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The hypervisor's end of one driver domain process's channel: carries out the requests of
 * {@link DriverProtocol} as the driver domain's own domain, and forwards the events and watch
 * firings meant for it.
 * <p>
 * A grant map request goes to the driver domain's {@link GrantMapper}, so the granter's table decides
 * exactly as for a back end in this process: the grant must name the driver domain, be in use, and
 * allow writing if asked to; the answer is the offset of the granted frame in the machine memory
 * file and nothing else. A refusal is answered with its GNTST code and counted.
 * <p>
 * Threads: the session's reader thread reads and answers requests (it is the single writer of the
 * bound-port and watch lists) and passes the frames the process sends up to dom0's shared bridges;
 * its forwarder thread sends {@link DriverProtocol#EVT_PENDING} for the bound ports that go pending,
 * the watch firings queued by xenstore's delivering threads (which must not block, so they only
 * queue) and the frames dom0's shared bridges queued for the process. {@link #close} runs on the
 * supervisor's thread once the process has exited: from then on no request is carried out (request
 * handling and close are serialised by this object's monitor), and every mapping, port and watch the
 * process held is released.
 */
final class DriverSession
{
    /** Watch firings waiting for the forwarder; a process that lets this many pile up is not reading. */
    static final int WATCH_QUEUE_CAPACITY = 1024;

    private final DriverDomain owner;
    private final int instance;
    private final SocketChannel channel;
    private final MessageReader reader;
    private final MessageWriter writer;
    private final XenStoreConnection xenStore;
    private final GrantMapper grants;
    private final EventChannels events;
    private final MachineMemory memory;
    private final DriverDomainStatistics statistics;
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final EventWaiter forwarderWaiter = new EventWaiter();
    private final List<Integer> boundPorts = new CopyOnWriteArrayList<>();
    /** The grant mappings this process made, and only those: what it may unmap and what its death releases. */
    private final IntHashSet handles = new IntHashSet();
    private final List<String[]> watches = new ArrayList<>();
    private final ManyToOneConcurrentArrayQueue<String[]> firings = new ManyToOneConcurrentArrayQueue<>(WATCH_QUEUE_CAPACITY);
    /** The driver domain's bridges shared with dom0, whose queued frames the forwarder sends on. */
    private final Collection<DriverBridgeUplink> uplinks;
    /** A frame the process sent up, copied out of its message (reader thread). */
    private final UnsafeBuffer uplinkFrame = new UnsafeBuffer(new byte[NetTxPacket.MAX_FRAME]);
    private final MessageHandler sendFrame = this::sendFrame;
    /** The bridge whose frames the forwarder is sending (forwarder thread). */
    private String sendingBridge;
    private volatile boolean closed;
    private volatile boolean active;
    private Thread forwarder;

    DriverSession(final DriverDomain owner, final int instance, final SocketChannel channel, final DomainResources domain,
        final MachineMemory memory, final DriverDomainStatistics statistics, final Collection<DriverBridgeUplink> uplinks)
    {
        this.uplinks = uplinks;
        this.owner = owner;
        this.instance = instance;
        this.channel = channel;
        this.reader = new MessageReader(channel);
        this.writer = new MessageWriter(channel);
        this.xenStore = domain.xenStore();
        this.grants = domain.grantMapper();
        this.events = domain.eventChannels();
        this.memory = memory;
        this.statistics = statistics;
    }

    /**
     * Reads a process's HELLO, before it has a session.
     *
     * @return its token.
     */
    static long readHello(final MessageReader reader) throws IOException, DriverProtocolException
    {
        if (reader.next() != DriverProtocol.HELLO)
        {
            throw new DriverProtocolException("first message is of type " + reader.type() + ", not HELLO");
        }
        final long token = reader.getLong();
        reader.getLong(); // the process id, for the log only
        reader.end();
        return token;
    }

    /**
     * Sends the process the driver domain's configuration and its devices, as soon as it said hello
     * (a spare prepares itself with them).
     */
    void prepare(final int domid, final List<DriverVbdSpec> vbds, final List<DriverVifSpec> vifs) throws IOException
    {
        writer.start(DriverProtocol.CONFIG).putInt(domid).putString(memory.file().toString())
            .putLong(memory.lengthInBytes()).send();
        for (final DriverBridgeUplink uplink : uplinks)
        {
            shareBridge(uplink.bridgeName());
        }
        for (final DriverVbdSpec vbd : vbds)
        {
            attach(vbd);
        }
        for (final DriverVifSpec vif : vifs)
        {
            attach(vif);
        }
    }

    /**
     * Tells the process that its bridge {@code bridge} is joined to dom0's ({@link DriverProtocol#SHARE_BRIDGE}).
     */
    void shareBridge(final String bridge) throws IOException
    {
        writer.start(DriverProtocol.SHARE_BRIDGE).putString(bridge).send();
    }

    /**
     * Wakes the forwarder (a frame was queued for the process).
     */
    void wakeForwarder()
    {
        forwarderWaiter.wake();
    }

    void attach(final DriverVifSpec vif) throws IOException
    {
        writer.start(DriverProtocol.ATTACH_VIF).putInt(vif.frontendDomid()).putInt(vif.handle())
            .putString(vif.spec().toString()).send();
    }

    /**
     * Makes this process the serving instance: from now on it may make requests, and events are
     * forwarded to it.
     */
    void activate() throws IOException
    {
        active = true;
        writer.start(DriverProtocol.ACTIVATE).send();
        forwarder = Thread.ofPlatform().daemon().name(owner.name() + "-events-" + instance).start(this::forward);
    }

    void attach(final DriverVbdSpec vbd) throws IOException
    {
        writer.start(DriverProtocol.ATTACH).putInt(vbd.frontendDomid()).putInt(vbd.deviceId())
            .putString(vbd.image().toString()).putByte(vbd.readOnly() ? 1 : 0).send();
    }

    /**
     * The reader thread's loop: answers requests until the channel ends or breaks the protocol.
     *
     * @return the violation that stopped it, in one line, or null when the channel ended (the
     * process died or was disconnected).
     */
    String serve()
    {
        try
        {
            while (true)
            {
                final byte type = reader.next();
                if (!active)
                {
                    throw new DriverProtocolException("request of type " + type + " before the instance was activated");
                }
                synchronized (this)
                {
                    if (closed)
                    {
                        return null;
                    }
                    handle(type);
                }
            }
        }
        catch (final EOFException ex)
        {
            return null;
        }
        catch (final DriverProtocolException ex)
        {
            statistics.protocolViolation();
            return "protocol violation: " + ex.getMessage();
        }
        catch (final IOException ex)
        {
            return null; // reset or closed: the process is dying, its exit is the news
        }
        catch (final RuntimeException ex)
        {
            return closed ? null : "request failed: " + ex;
        }
    }

    private void handle(final byte type) throws IOException, DriverProtocolException
    {
        switch (type)
        {
            case DriverProtocol.XS_READ -> xsRead(reader.getString());
            case DriverProtocol.XS_WRITE -> xsWrite(reader.getString(), reader.getString());
            case DriverProtocol.XS_WATCH -> xsWatch(reader.getString(), reader.getString());
            case DriverProtocol.XS_UNWATCH -> xsUnwatch(reader.getString(), reader.getString());
            case DriverProtocol.GNT_MAP -> grantMap(reader.getInt(), reader.getInt(), reader.getByte());
            case DriverProtocol.GNT_UNMAP -> grantUnmap(reader.getInt());
            case DriverProtocol.EVT_BIND -> bind(reader.getInt(), reader.getInt());
            case DriverProtocol.EVT_CLOSE -> closePort(reader.getInt());
            case DriverProtocol.EVT_SEND ->
            {
                final int port = reader.getInt();
                reader.end();
                if (boundPorts.contains(port))
                {
                    events.send(port);
                }
                return; // one-way
            }
            case DriverProtocol.UPLINK_FRAME ->
            {
                final String bridge = reader.getString();
                final int length = reader.getBytes(uplinkFrame);
                reader.end();
                if (length < EthernetDescriptor.HEADER_LENGTH)
                {
                    throw new DriverProtocolException("UPLINK_FRAME of " + length + " bytes");
                }
                if (!owner.fromUplink(bridge, uplinkFrame, length))
                {
                    throw new DriverProtocolException("UPLINK_FRAME for bridge " + bridge + ", which is not shared");
                }
            }
            case DriverProtocol.DETACHED ->
            {
                final String token = reader.getString();
                reader.end();
                if (token == null)
                {
                    throw new DriverProtocolException("DETACHED without a device");
                }
                owner.onDetached(this, token);
            }
            default -> throw new DriverProtocolException("unknown message type " + type);
        }
    }

    /**
     * Asks the process to detach a device ({@link DriverProtocol#DETACH} or {@link DriverProtocol#DETACH_VIF}).
     */
    void detach(final byte type, final int frontendDomid, final int device) throws IOException
    {
        writer.start(type).putInt(frontendDomid).putInt(device).send();
    }

    private void xsRead(final String path) throws IOException, DriverProtocolException
    {
        reader.end();
        requirePath(path);
        try
        {
            reply(0, 0, xenStore.readString(path));
        }
        catch (final XenStoreException ex)
        {
            reply(DriverProtocol.XS_ERROR, 0, ex.getMessage());
        }
    }

    private void xsWrite(final String path, final String value) throws IOException, DriverProtocolException
    {
        reader.end();
        requirePath(path);
        if (value == null)
        {
            throw new DriverProtocolException("xenstore write of " + path + " without a value");
        }
        try
        {
            xenStore.write(path, value);
            reply(0, 0, null);
        }
        catch (final XenStoreException ex)
        {
            reply(DriverProtocol.XS_ERROR, 0, ex.getMessage());
        }
    }

    private void xsWatch(final String path, final String token) throws IOException, DriverProtocolException
    {
        reader.end();
        requirePath(path);
        if (token == null)
        {
            throw new DriverProtocolException("xenstore watch of " + path + " without a token");
        }
        // The token is made unique to this instance, so that a new instance's watches never meet an
        // old one's.
        final String ownToken = owner.name() + "#" + instance + "#" + token;
        try
        {
            xenStore.watch(path, ownToken, (_, _) -> queueFiring(path, token));
            watches.add(new String[] {path, ownToken});
            reply(0, 0, null);
        }
        catch (final XenStoreException ex)
        {
            reply(DriverProtocol.XS_ERROR, 0, ex.getMessage());
        }
    }

    private void xsUnwatch(final String path, final String token) throws IOException, DriverProtocolException
    {
        reader.end();
        requirePath(path);
        final String ownToken = owner.name() + "#" + instance + "#" + token;
        watches.removeIf(w -> w[0].equals(path) && w[1].equals(ownToken));
        try
        {
            xenStore.unwatch(path, ownToken);
            reply(0, 0, null);
        }
        catch (final XenStoreException ex)
        {
            reply(DriverProtocol.XS_ERROR, 0, ex.getMessage());
        }
    }

    private void grantMap(final int granter, final int ref, final int readOnly) throws IOException, DriverProtocolException
    {
        reader.end();
        if (readOnly > 1)
        {
            throw new DriverProtocolException("grant map with read-only flag " + readOnly);
        }
        final int handle = grants.map(granter, ref, readOnly == 1);
        if (handle < 0)
        {
            statistics.refusedMap();
            HostLog.log(owner.name(), "refused grant map", "domain " + granter + " ref " + ref + ": " + GrantStatus.describe(handle));
            reply(handle, 0, null);
            return;
        }
        grants.wrap(handle, frame);
        final long offset = memory.offsetOf(frame.addressOffset());
        frame.wrap(0, 0);
        if (offset < 0)
        {
            grants.unmap(handle);
            reply(GrantStatus.GENERAL_ERROR, 0, null);
            return;
        }
        statistics.map();
        handles.add(handle);
        reply(handle, offset, null);
    }

    private void grantUnmap(final int handle) throws IOException, DriverProtocolException
    {
        reader.end();
        // Another instance's mapping (a spare's death must not touch the serving one's) is not this one's to unmap.
        reply(handles.remove(handle) ? grants.unmap(handle) : GrantStatus.BAD_HANDLE, 0, null);
    }

    private void bind(final int remoteDomid, final int remotePort) throws IOException, DriverProtocolException
    {
        reader.end();
        final int port = events.bindInterdomain(remoteDomid, remotePort);
        if (port > 0)
        {
            events.setWaiter(port, forwarderWaiter);
            boundPorts.add(port);
            forwarderWaiter.wake();
        }
        reply(port, 0, null);
    }

    private void closePort(final int port) throws IOException, DriverProtocolException
    {
        reader.end();
        if (!boundPorts.remove((Integer)port))
        {
            reply(EventChannelStatus.EINVAL, 0, null);
            return;
        }
        reply(events.close(port), 0, null);
    }

    private static void requirePath(final String path) throws DriverProtocolException
    {
        if (path == null || path.isEmpty())
        {
            throw new DriverProtocolException("xenstore request without a path");
        }
    }

    private void reply(final int status, final long value, final String text) throws IOException
    {
        writer.start(DriverProtocol.REPLY).putInt(status).putLong(value).putString(text).send();
    }

    private void queueFiring(final String path, final String token)
    {
        if (!firings.offer(new String[] {path, token}))
        {
            statistics.protocolViolation();
            owner.disconnect(this, "does not read its watch events (" + WATCH_QUEUE_CAPACITY + " queued)");
            return;
        }
        forwarderWaiter.wake();
    }

    /**
     * The forwarder thread: pending bound ports and queued watch firings, to the process.
     */
    private void forward()
    {
        try
        {
            while (!closed)
            {
                forwarderWaiter.await(TimeUnit.MILLISECONDS.toNanos(100), this::hasSomethingToForward);
                String[] firing;
                while ((firing = firings.poll()) != null)
                {
                    writer.start(DriverProtocol.WATCH_FIRED).putString(firing[0]).putString(firing[1]).send();
                }
                for (final int port : boundPorts)
                {
                    if (events.clearPending(port))
                    {
                        writer.sendPort(DriverProtocol.EVT_PENDING, port);
                    }
                }
                for (final DriverBridgeUplink uplink : uplinks)
                {
                    sendingBridge = uplink.bridgeName();
                    uplink.drain(sendFrame);
                }
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            owner.disconnect(this, null);
        }
        catch (final RuntimeException ex)
        {
            owner.disconnect(this, closed ? null : "event forwarding failed: " + ex);
        }
    }

    private void sendFrame(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        try
        {
            writer.start(DriverProtocol.FRAME).putString(sendingBridge).putBytes(buffer, index, length).send();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private boolean hasSomethingToForward()
    {
        if (closed || !firings.isEmpty())
        {
            return true;
        }
        for (final DriverBridgeUplink uplink : uplinks)
        {
            if (uplink.hasFrames())
            {
                return true;
            }
        }
        for (final int port : boundPorts)
        {
            if (events.isPending(port))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Closes the channel only (the process is being killed); {@link #close} releases the rest once
     * it has exited.
     */
    void closeChannel()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // Closing is all that is wanted.
        }
    }

    /**
     * Releases everything the process held through this session, once it has exited: its watches,
     * its event channels and every grant mapping of the driver domain.
     */
    void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            forwarderWaiter.wake();
            closeChannel();
            for (final String[] watch : watches)
            {
                try
                {
                    xenStore.unwatch(watch[0], watch[1]);
                }
                catch (final XenStoreException ignore)
                {
                    // Already gone with its node's domain.
                }
            }
            watches.clear();
            for (final int port : boundPorts)
            {
                events.close(port);
            }
            boundPorts.clear();
            for (final int handle : handles)
            {
                grants.unmap(handle);
            }
            handles.clear();
        }
        final Thread thread = forwarder;
        if (thread != null)
        {
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(1));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
