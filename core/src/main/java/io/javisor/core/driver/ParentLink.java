package io.javisor.core.driver;

import io.javisor.netback.NetTxPacket;
import io.javisor.netback.spec.VifSpec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A driver domain process's end of its channel to the hypervisor ({@link DriverProtocol}): calls
 * that wait for their reply, the one-way event send, and a reader thread that hands replies to the
 * waiting caller and everything else to a {@link Listener}.
 * <p>
 * Thread-safe: calls are serialised by this object's monitor, so only one caller has requests
 * outstanding and the replies, which come in order, are its own. A batch call sends all its requests
 * before it waits for their replies (one round trip for the lot). The reader thread is the only reader of the channel; the listener runs on
 * it and must not block.
 */
final class ParentLink implements AutoCloseable
{
    /** How long a call waits for its reply before the hypervisor is taken for gone. */
    static final long REPLY_TIMEOUT_SECONDS = 10;
    /** Requests a batch call may have outstanding. */
    static final int MAX_BATCH = 32;

    /** Receives what the hypervisor sends unasked. */
    interface Listener
    {
        void onConfig(int domid, String memoryFile, long memoryLength);

        void onAttach(DriverVbdSpec vbd);

        void onAttachVif(DriverVifSpec vif);

        /** Detach the block device {@code deviceId} of {@code frontendDomid} ({@link DriverProtocol#DETACH}). */
        void onDetach(int frontendDomid, int deviceId);

        /** Detach the vif {@code handle} of {@code frontendDomid}. */
        void onDetachVif(int frontendDomid, int handle);

        /** The bridge {@code bridge} is joined to dom0's ({@link DriverProtocol#SHARE_BRIDGE}). */
        void onShareBridge(String bridge);

        /** A frame from dom0's bridge for this process's bridge {@code bridge}; its bytes are the reader's. */
        void onFrame(String bridge, DirectBuffer frame, int length);

        /** This process serves from now on. */
        void onActivate();

        void onEventPending(int port);

        void onWatchFired(String path, String token);

        /** The channel ended or broke: the process has nothing left to do. */
        void onClosed(String reason);
    }

    /** A reply: status, a value (a file offset for grant maps) and a text (a xenstore value or error). */
    record Reply(int status, long value, String text)
    {
    }

    private final SocketChannel channel;
    private final MessageWriter writer;
    private final MessageReader reader;
    private final BlockingQueue<Reply> replies = new ArrayBlockingQueue<>(MAX_BATCH);
    private final Listener listener;
    /** A frame from dom0's bridge, copied out of its message (reader thread). */
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[NetTxPacket.MAX_FRAME]);
    private volatile boolean closed;

    ParentLink(final SocketChannel channel, final Listener listener)
    {
        this.channel = channel;
        this.writer = new MessageWriter(channel);
        this.reader = new MessageReader(channel);
        this.listener = listener;
    }

    /**
     * Says hello and starts the reader thread.
     */
    void start(final long token) throws IOException
    {
        writer.start(DriverProtocol.HELLO).putLong(token).putLong(ProcessHandle.current().pid()).send();
        Thread.ofPlatform().name("ddom-channel").start(this::read);
    }

    synchronized Reply xsRead(final String path) throws IOException
    {
        writer.start(DriverProtocol.XS_READ).putString(path).send();
        return awaitReply();
    }

    synchronized Reply xsWrite(final String path, final String value) throws IOException
    {
        writer.start(DriverProtocol.XS_WRITE).putString(path).putString(value).send();
        return awaitReply();
    }

    /**
     * Writes {@code keyValues} (path, value, path, value, ...) in one round trip.
     *
     * @return the first failed reply, or null when every write succeeded.
     */
    synchronized Reply xsWriteAll(final String... keyValues) throws IOException
    {
        requireBatch(keyValues.length / 2);
        for (int i = 0; i < keyValues.length; i += 2)
        {
            writer.start(DriverProtocol.XS_WRITE).putString(keyValues[i]).putString(keyValues[i + 1]).send();
        }
        Reply failed = null;
        for (int i = 0; i < keyValues.length; i += 2)
        {
            final Reply reply = awaitReply();
            if (reply.status() < 0 && failed == null)
            {
                failed = reply;
            }
        }
        return failed;
    }

    /**
     * Reads {@code paths} in one round trip.
     */
    synchronized Reply[] xsReadAll(final String... paths) throws IOException
    {
        requireBatch(paths.length);
        for (final String path : paths)
        {
            writer.start(DriverProtocol.XS_READ).putString(path).send();
        }
        final Reply[] answers = new Reply[paths.length];
        for (int i = 0; i < paths.length; i++)
        {
            answers[i] = awaitReply();
        }
        return answers;
    }

    private static void requireBatch(final int requests)
    {
        if (requests < 1 || requests > MAX_BATCH)
        {
            throw new IllegalArgumentException("a batch holds 1.." + MAX_BATCH + " requests, not " + requests);
        }
    }

    synchronized Reply xsWatch(final String path, final String token) throws IOException
    {
        writer.start(DriverProtocol.XS_WATCH).putString(path).putString(token).send();
        return awaitReply();
    }

    synchronized Reply xsUnwatch(final String path, final String token) throws IOException
    {
        writer.start(DriverProtocol.XS_UNWATCH).putString(path).putString(token).send();
        return awaitReply();
    }

    synchronized Reply grantMap(final int granter, final int ref, final boolean readOnly) throws IOException
    {
        writer.start(DriverProtocol.GNT_MAP).putInt(granter).putInt(ref).putByte(readOnly ? 1 : 0).send();
        return awaitReply();
    }

    synchronized Reply grantUnmap(final int handle) throws IOException
    {
        writer.start(DriverProtocol.GNT_UNMAP).putInt(handle).send();
        return awaitReply();
    }

    synchronized Reply bind(final int remoteDomid, final int remotePort) throws IOException
    {
        writer.start(DriverProtocol.EVT_BIND).putInt(remoteDomid).putInt(remotePort).send();
        return awaitReply();
    }

    synchronized Reply closePort(final int port) throws IOException
    {
        writer.start(DriverProtocol.EVT_CLOSE).putInt(port).send();
        return awaitReply();
    }

    /**
     * Notifies the front end on {@code port} (one-way; allocates nothing).
     */
    void send(final int port) throws IOException
    {
        writer.sendPort(DriverProtocol.EVT_SEND, port);
    }

    /**
     * Sends a frame up to dom0's bridge {@code bridge}, shared with this process's (one-way).
     */
    void uplinkFrame(final String bridge, final DirectBuffer frame, final int length) throws IOException
    {
        writer.start(DriverProtocol.UPLINK_FRAME).putString(bridge).putBytes(frame, 0, length).send();
    }

    /**
     * Tells the hypervisor that the device of {@code token} is detached: its grants unmapped, its
     * event channel and watch closed, its thread ended (one-way).
     */
    void detached(final String token) throws IOException
    {
        writer.start(DriverProtocol.DETACHED).putString(token).send();
    }

    private Reply awaitReply() throws IOException
    {
        try
        {
            final Reply reply = replies.poll(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (reply == null)
            {
                throw new IOException(closed ? "channel closed" : "no reply from the hypervisor in " + REPLY_TIMEOUT_SECONDS + " s");
            }
            return reply;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for a reply");
        }
    }

    private void read()
    {
        String reason = "channel closed";
        try
        {
            while (true)
            {
                final byte type = reader.next();
                switch (type)
                {
                    case DriverProtocol.REPLY ->
                    {
                        final Reply reply = new Reply(reader.getInt(), reader.getLong(), reader.getString());
                        reader.end();
                        if (!replies.offer(reply))
                        {
                            throw new DriverProtocolException("more replies than requests");
                        }
                    }
                    case DriverProtocol.ATTACH_VIF ->
                    {
                        final int frontend = reader.getInt();
                        final int handle = reader.getInt();
                        final String spec = reader.getString();
                        reader.end();
                        if (spec == null)
                        {
                            throw new DriverProtocolException("ATTACH_VIF without a vif spec");
                        }
                        final VifSpec parsed;
                        try
                        {
                            parsed = VifSpec.parse(spec);
                        }
                        catch (final IllegalArgumentException ex)
                        {
                            throw new DriverProtocolException("ATTACH_VIF: " + ex.getMessage());
                        }
                        listener.onAttachVif(new DriverVifSpec(frontend, handle, parsed));
                    }
                    case DriverProtocol.DETACH, DriverProtocol.DETACH_VIF ->
                    {
                        final int frontend = reader.getInt();
                        final int device = reader.getInt();
                        reader.end();
                        if (type == DriverProtocol.DETACH)
                        {
                            listener.onDetach(frontend, device);
                        }
                        else
                        {
                            listener.onDetachVif(frontend, device);
                        }
                    }
                    case DriverProtocol.SHARE_BRIDGE ->
                    {
                        final String bridge = reader.getString();
                        reader.end();
                        if (bridge == null)
                        {
                            throw new DriverProtocolException("SHARE_BRIDGE without a bridge");
                        }
                        listener.onShareBridge(bridge);
                    }
                    case DriverProtocol.FRAME ->
                    {
                        final String bridge = reader.getString();
                        final int length = reader.getBytes(frame);
                        reader.end();
                        listener.onFrame(bridge, frame, length);
                    }
                    case DriverProtocol.ACTIVATE ->
                    {
                        reader.end();
                        listener.onActivate();
                    }
                    case DriverProtocol.EVT_PENDING ->
                    {
                        final int port = reader.getInt();
                        reader.end();
                        listener.onEventPending(port);
                    }
                    case DriverProtocol.WATCH_FIRED ->
                    {
                        final String path = reader.getString();
                        final String token = reader.getString();
                        reader.end();
                        listener.onWatchFired(path, token);
                    }
                    case DriverProtocol.CONFIG ->
                    {
                        final int domid = reader.getInt();
                        final String file = reader.getString();
                        final long length = reader.getLong();
                        reader.end();
                        listener.onConfig(domid, file, length);
                    }
                    case DriverProtocol.ATTACH ->
                    {
                        final int frontend = reader.getInt();
                        final int device = reader.getInt();
                        final String image = reader.getString();
                        final boolean readOnly = reader.getByte() != 0;
                        reader.end();
                        listener.onAttach(new DriverVbdSpec(frontend, device, java.nio.file.Path.of(image), readOnly));
                    }
                    default -> throw new DriverProtocolException("unknown message type " + type);
                }
            }
        }
        catch (final IOException | DriverProtocolException | RuntimeException ex)
        {
            reason = closed ? "closed" : ex.toString();
        }
        closed = true;
        listener.onClosed(reason);
    }

    @Override
    public void close()
    {
        closed = true;
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // Closing is all that is wanted.
        }
    }
}
