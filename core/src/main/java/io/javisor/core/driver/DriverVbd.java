package io.javisor.core.driver;

import io.javisor.blkback.BlkifXenstoreKeys;
import io.javisor.blkback.wire.BlkifDescriptor;
import io.javisor.blkback.wire.BlkifResponse;
import io.javisor.ringio.ring.BackRing;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static io.javisor.blkback.BlkifXenstoreKeys.*;
import static io.javisor.blkback.wire.BlkifDescriptor.*;

/**
 * The back end of one virtual block device inside a driver domain process: the back end's half of
 * the xenbus handshake (through the channel's xenstore calls, as the driver domain), then the blkif
 * ring served on the device's own thread, each request's data read or written by the file channel
 * straight into the granted frame (no copy in this process).
 * <p>
 * It offers READ, WRITE and FLUSH_DISKCACHE with direct segments and persistent grants; other
 * operations are answered EOPNOTSUPP. A write is answered only once the file channel has written it
 * into the image (so it is in the image even if this process dies the moment after); a flush only
 * once the image is forced to storage.
 * <p>
 * Threads: everything but {@link #wake} and {@link #onWatchFired} runs on the device's thread, the
 * single writer of its ring, its mappings and its state. The channel's reader thread only flags a
 * watch firing and unparks it.
 */
final class DriverVbd implements Runnable
{
    /** Persistent grants kept mapped per device: every slot's segments, three times over (as blkback's). */
    static final int MAX_PERSISTENT_GRANTS = 32 * MAX_SEGMENTS_PER_REQUEST * 3;
    /**
     * PARK: how long the thread spins after its last work before it parks. A QD1 guest's next request
     * follows its last response by one wake-up of the guest; caught while spinning, it needs no
     * doorbell, which from a driver domain costs three wake-ups (hypervisor, channel reader, device).
     */
    static final long IDLE_SPIN_NANOS = Long.getLong("javisor.ddom.spinNanos", 100_000);
    /** PARK: the longest park; a forwarded event or watch unparks sooner. */
    static final long PARK_NANOS = 1_000_000;
    private static final int BYTES_PER_SECTOR = BlkifDescriptor.SECTOR_SIZE;

    private final ParentLink link;
    private final GrantedFrames frames;
    private final DriverVbdSpec spec;
    private final DriverIdle idle;
    private final BackendDirectory directory;
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[REQUEST_LENGTH]);
    private final UnsafeBuffer ringPage = new UnsafeBuffer(0, 0);
    private final BlkifResponse response = new BlkifResponse();
    private final Map<Integer, GrantedFrame> persistent = new HashMap<>();
    private final AtomicBoolean watchFired = new AtomicBoolean(true);
    private final GrantedFrame[] segmentFrames = new GrantedFrame[MAX_SEGMENTS_PER_REQUEST];
    /** Opened when the process is activated: a spare's device threads wait there, image open. */
    private final CountDownLatch activated;
    private volatile Thread thread;
    private FileChannel image;
    private long sizeBytes;
    private BackRing ring;
    private GrantedFrame ringFrame;
    private volatile int port = -1;
    private boolean usePersistent;

    DriverVbd(final ParentLink link, final GrantedFrames frames, final int domid, final DriverVbdSpec spec, final DriverIdle idle,
        final CountDownLatch activated)
    {
        this.link = link;
        this.frames = frames;
        this.spec = spec;
        this.idle = idle;
        this.activated = activated;
        this.directory = new BackendDirectory(link, domid, DEVICE_TYPE, spec.frontendDomid(), spec.deviceId());
    }

    String token()
    {
        return directory.token();
    }

    int port()
    {
        return port;
    }

    void onWatchFired()
    {
        watchFired.set(true);
        wake();
    }

    void wake()
    {
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void run()
    {
        thread = Thread.currentThread();
        try
        {
            openImage();
            activated.await();
            publish();
            long idleSince = 0;
            while (true)
            {
                int work = 0;
                if (watchFired.getAndSet(false))
                {
                    onFrontendState();
                    work++;
                }
                if (ring != null)
                {
                    work += serve();
                }
                if (work > 0)
                {
                    idleSince = 0;
                }
                else if (idleSince == 0)
                {
                    idleSince = System.nanoTime();
                }
                else if (idle == DriverIdle.SPIN || System.nanoTime() - idleSince < IDLE_SPIN_NANOS)
                {
                    Thread.onSpinWait();
                }
                else if (ring == null || !ring.finalCheckForRequests())
                {
                    LockSupport.parkNanos(this, PARK_NANOS);
                }
            }
        }
        catch (final IOException ex)
        {
            // The channel is gone: the hypervisor has dropped this process.
            System.err.println(directory.backendPath() + ": " + ex.getMessage());
            System.exit(2);
        }
        catch (final InterruptedException ex)
        {
            System.exit(2);
        }
    }

    private void openImage() throws IOException
    {
        image = spec.readOnly() ? FileChannel.open(spec.image(), StandardOpenOption.READ) :
            FileChannel.open(spec.image(), StandardOpenOption.READ, StandardOpenOption.WRITE);
        sizeBytes = image.size() & ~(long)(BYTES_PER_SECTOR - 1);
    }

    /**
     * Publishes the back end's features and InitWait, and watches the front end's state.
     */
    private void publish() throws IOException
    {
        directory.write(FEATURE_FLUSH_CACHE, "1", FEATURE_BARRIER, "0", FEATURE_DISCARD, "0", FEATURE_PERSISTENT, "1",
            MAX_RING_PAGE_ORDER, "0", MODE, spec.readOnly() ? "r" : "w", "state", XenbusState.INIT_WAIT.toText());
        directory.watchFrontend();
    }

    private void onFrontendState() throws IOException
    {
        final XenbusState state = directory.frontendState();
        if (state == XenbusState.INITIALISED && ring == null)
        {
            connect();
        }
        else if ((state == XenbusState.CLOSING || state == XenbusState.CLOSED) && ring != null)
        {
            disconnect();
            directory.write("state", XenbusState.CLOSED.toText());
        }
        else if (state == XenbusState.CLOSING)
        {
            directory.write("state", XenbusState.CLOSED.toText());
        }
    }

    private void connect() throws IOException
    {
        final String[] keys = directory.readFrontend(PROTOCOL, RING_REF, EVENT_CHANNEL, FEATURE_PERSISTENT);
        final String protocol = keys[0];
        if (protocol != null && !PROTOCOL_64.equals(protocol))
        {
            fail("unsupported protocol '" + protocol + "' (only " + PROTOCOL_64 + ")");
            return;
        }
        final int ref;
        final int remotePort;
        try
        {
            ref = Integer.parseInt(String.valueOf(keys[1]).trim());
            remotePort = Integer.parseInt(String.valueOf(keys[2]).trim());
        }
        catch (final NumberFormatException ex)
        {
            fail("bad ring-ref or event-channel: " + keys[1] + ", " + keys[2]);
            return;
        }
        final GrantedFrame frame = frames.map(spec.frontendDomid(), ref, false);
        if (frame == null)
        {
            fail("cannot map ring-ref " + ref);
            return;
        }
        final ParentLink.Reply bound = link.bind(spec.frontendDomid(), remotePort);
        if (bound.status() < 0)
        {
            frames.unmap(frame);
            fail("cannot bind event-channel " + remotePort + ": error " + bound.status());
            return;
        }
        ringFrame = frame;
        port = bound.status();
        ringPage.wrap(frame.address(), frame.buffer.capacity());
        ring = new BackRing(ringPage, REQUEST_LENGTH).attach();
        usePersistent = "1".equals(keys[3]);
        directory.write(SECTORS, Long.toString(sizeBytes >> SECTOR_SHIFT),
            BlkifXenstoreKeys.SECTOR_SIZE, Integer.toString(BYTES_PER_SECTOR),
            PHYSICAL_SECTOR_SIZE, Integer.toString(BYTES_PER_SECTOR),
            INFO, Integer.toString(spec.readOnly() ? INFO_READONLY : 0),
            "state", XenbusState.CONNECTED.toText());
    }

    private void disconnect() throws IOException
    {
        for (final GrantedFrame frame : persistent.values())
        {
            frames.unmap(frame);
        }
        persistent.clear();
        if (ringFrame != null)
        {
            ring = null;
            ringPage.wrap(0, 0);
            frames.unmap(ringFrame);
            ringFrame = null;
            link.closePort(port);
            port = -1;
        }
    }

    private void fail(final String reason) throws IOException
    {
        disconnect();
        directory.write(ERROR, reason, "state", XenbusState.CLOSING.toText());
    }

    /**
     * Serves what the ring holds now.
     *
     * @return the number of requests answered.
     */
    private int serve() throws IOException
    {
        final int available = ring.unconsumedRequests();
        if (available < 0)
        {
            fail("ring broken: " + ring.brokenReason());
            return 1;
        }
        for (int i = 0; i < available; i++)
        {
            ring.copyRequest(request, 0);
            final int status = execute();
            response.wrap(ring.buffer(), ring.claimResponse())
                .write(request.getLong(ID_OFFSET), request.getByte(OPERATION_OFFSET) & 0xFF, status);
        }
        if (available > 0 && ring.pushResponses())
        {
            link.send(port);
        }
        return available;
    }

    private int execute() throws IOException
    {
        final int operation = request.getByte(OPERATION_OFFSET) & 0xFF;
        return switch (operation)
        {
            case OP_READ, OP_WRITE -> transfer(operation == OP_WRITE);
            case OP_FLUSH_DISKCACHE -> flush();
            default -> STATUS_EOPNOTSUPP;
        };
    }

    private int flush()
    {
        try
        {
            image.force(true);
            return STATUS_OKAY;
        }
        catch (final IOException ex)
        {
            return STATUS_ERROR;
        }
    }

    /**
     * A read or write over direct segments, each checked before any byte moves.
     */
    private int transfer(final boolean write) throws IOException
    {
        final int segments = request.getByte(NR_SEGMENTS_OFFSET) & 0xFF;
        final long sector = request.getLong(SECTOR_NUMBER_OFFSET);
        if (segments < 1 || segments > MAX_SEGMENTS_PER_REQUEST || sector < 0 || write && spec.readOnly())
        {
            return STATUS_ERROR;
        }
        long bytes = 0;
        for (int seg = 0; seg < segments; seg++)
        {
            final int offset = SEGMENTS_OFFSET + seg * SEGMENT_LENGTH;
            final int first = request.getByte(offset + SEGMENT_FIRST_SECT_OFFSET) & 0xFF;
            final int last = request.getByte(offset + SEGMENT_LAST_SECT_OFFSET) & 0xFF;
            if (first > last || last >= SECTORS_PER_PAGE)
            {
                return STATUS_ERROR;
            }
            bytes += (long)(last - first + 1) << SECTOR_SHIFT;
        }
        if (sector > (sizeBytes >> SECTOR_SHIFT) || bytes > sizeBytes - (sector << SECTOR_SHIFT))
        {
            return STATUS_ERROR;
        }
        int mapped = 0;
        try
        {
            for (; mapped < segments; mapped++)
            {
                final int ref = request.getInt(SEGMENTS_OFFSET + mapped * SEGMENT_LENGTH + SEGMENT_GREF_OFFSET);
                segmentFrames[mapped] = frameFor(ref, write);
                if (segmentFrames[mapped] == null)
                {
                    return STATUS_ERROR;
                }
            }
            long position = sector << SECTOR_SHIFT;
            for (int seg = 0; seg < segments; seg++)
            {
                final int offset = SEGMENTS_OFFSET + seg * SEGMENT_LENGTH;
                final int first = request.getByte(offset + SEGMENT_FIRST_SECT_OFFSET) & 0xFF;
                final int last = request.getByte(offset + SEGMENT_LAST_SECT_OFFSET) & 0xFF;
                final ByteBuffer data = segmentFrames[seg].buffer
                    .limit((last + 1) << SECTOR_SHIFT).position(first << SECTOR_SHIFT);
                if (!(write ? writeFully(data, position) : readFully(data, position)))
                {
                    return STATUS_ERROR;
                }
                position += (long)(last - first + 1) << SECTOR_SHIFT;
            }
            return STATUS_OKAY;
        }
        finally
        {
            for (int seg = 0; seg < mapped; seg++)
            {
                releaseSegment(segmentFrames[seg]);
                segmentFrames[seg] = null;
            }
        }
    }

    /**
     * The frame of a segment's grant: a persistent mapping (made on first use) when the front end
     * offered persistent grants, else a mapping for this request only (read-only for a write).
     */
    private GrantedFrame frameFor(final int ref, final boolean write) throws IOException
    {
        if (usePersistent)
        {
            final GrantedFrame known = persistent.get(ref);
            if (known != null)
            {
                return known;
            }
            final GrantedFrame frame = frames.map(spec.frontendDomid(), ref, false);
            if (frame != null && persistent.size() < MAX_PERSISTENT_GRANTS)
            {
                persistent.put(ref, frame);
            }
            return frame;
        }
        return frames.map(spec.frontendDomid(), ref, write);
    }

    private void releaseSegment(final GrantedFrame frame) throws IOException
    {
        if (frame != null && persistent.get(frame.ref) != frame)
        {
            frames.unmap(frame);
        }
    }

    private boolean readFully(final ByteBuffer data, final long position)
    {
        try
        {
            long at = position;
            while (data.hasRemaining())
            {
                final int read = image.read(data, at);
                if (read < 0)
                {
                    return false;
                }
                at += read;
            }
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private boolean writeFully(final ByteBuffer data, final long position)
    {
        try
        {
            long at = position;
            while (data.hasRemaining())
            {
                at += image.write(data, at);
            }
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
