package io.javisor.core.driver;

import io.javisor.blkback.BlkRequestDecoder;
import io.javisor.blkback.BlkifXenstoreKeys;
import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.DiskImageException;
import io.javisor.blkback.image.RawFileImage;
import io.javisor.blkback.wire.BlkifDescriptor;
import io.javisor.blkback.wire.BlkifResponse;
import io.javisor.ringio.ring.BackRing;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.javisor.blkback.BlkifXenstoreKeys.*;
import static io.javisor.blkback.wire.BlkifDescriptor.*;

/**
 * The back end of one virtual block device inside a driver domain process: the back end's half of
 * the xenbus handshake (through the channel's xenstore calls, as the driver domain), then the blkif
 * ring served on the device's own thread, each request's data read or written by the image straight
 * into the granted frame (no copy in this process).
 * <p>
 * It serves what dom0's back end serves: READ and WRITE with direct segments or indirect ones (up to
 * {@link BlkRequestDecoder#MAX_SEGMENTS}), FLUSH_DISKCACHE and WRITE_BARRIER, DISCARD (holes punched
 * in the image, or zeros written), and persistent grants. Each request is taken apart and checked by
 * blkback's own {@link BlkRequestDecoder}, so a malformed or out-of-range request gets the same
 * ERROR response as from dom0, and never touches the image. A write is answered only once the image
 * has it (so it is in the image even if this process dies the moment after); a flush only once the
 * image is forced to storage.
 * <p>
 * Detach ({@link #requestDetach}): the back end goes Closing and goes on serving until the front end
 * closes (or {@link DriverProtocol#FRONTEND_CLOSE_GRACE_NANOS} passes), then unmaps every grant, closes its event
 * channel, its watch and its image, goes Closed, says DETACHED and its thread ends.
 * <p>
 * Threads: everything but {@link #wake}, {@link #onWatchFired} and {@link #requestDetach} runs on
 * the device's thread, the single writer of its ring, its mappings and its state. The channel's
 * reader thread only flags a watch firing or a detach and unparks it.
 */
final class DriverVbd implements Runnable
{
    /** Persistent grants kept mapped per device: every slot's segments, three times over (as blkback's). */
    static final int MAX_PERSISTENT_GRANTS = 32 * MAX_SEGMENTS_PER_REQUEST * 3;
    /** How often a spare's device thread looks for a detach while it waits to be activated. */
    private static final long ACTIVATION_POLL_MILLIS = 20;

    private final ParentLink link;
    private final GrantedFrames frames;
    private final DriverVbdSpec spec;
    private final DeviceIdler idler;
    private final BackendDirectory directory;
    private final Runnable onEnd;
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[REQUEST_LENGTH]);
    private final UnsafeBuffer ringPage = new UnsafeBuffer(0, 0);
    private final BlkifResponse response = new BlkifResponse();
    private final BlkRequestDecoder decoder = new BlkRequestDecoder();
    private final IndirectFrames indirectFrames = new IndirectFrames();
    private final Map<Integer, GrantedFrame> persistent = new HashMap<>();
    private final AtomicBoolean watchFired = new AtomicBoolean(true);
    private final GrantedFrame[] segmentFrames = new GrantedFrame[BlkRequestDecoder.MAX_SEGMENTS];
    /** Opened when the process is activated: a spare's device threads wait there, image open. */
    private final CountDownLatch activated;
    private volatile boolean detachRequested;
    /** When the detach began (nanoTime), 0 before. */
    private long detachStarted;
    private DiskImage image;
    private BackRing ring;
    private GrantedFrame ringFrame;
    private volatile int port = -1;
    private boolean usePersistent;

    /**
     * @param onEnd run on the device's thread when it ends (the process forgets the device).
     */
    DriverVbd(final ParentLink link, final GrantedFrames frames, final int domid, final DriverVbdSpec spec, final DriverIdle idle,
        final CountDownLatch activated, final Runnable onEnd)
    {
        this.link = link;
        this.frames = frames;
        this.spec = spec;
        this.activated = activated;
        this.onEnd = onEnd;
        this.idler = new DeviceIdler(idle, () -> ring != null && ring.finalCheckForRequests());
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

    /**
     * Asks the device's thread to close the device through xenbus and end (channel reader's thread).
     */
    void requestDetach()
    {
        detachRequested = true;
        wake();
    }

    void wake()
    {
        idler.wake();
    }

    @Override
    public void run()
    {
        idler.bind();
        try
        {
            final String openFailure = openImage();
            if (!awaitActivation())
            {
                // Detached before it was published: a spare forgets it silently, a serving process confirms.
                closeImage();
                onEnd.run();
                if (activated.getCount() == 0)
                {
                    link.detached(directory.token());
                }
                return;
            }
            if (openFailure != null)
            {
                // This device only: the front end finds why in xenstore, the process serves on.
                directory.write(ERROR, openFailure, "state", XenbusState.CLOSED.toText());
                onEnd.run();
                return;
            }
            publish();
            while (!detached())
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
                idler.idle(work);
            }
            onEnd.run();
            link.detached(directory.token());
        }
        catch (final IOException | UncheckedIOException ex)
        {
            // The channel is gone: the hypervisor has dropped this process.
            System.err.println(directory.backendPath() + ": " + ex.getMessage());
            System.exit(2);
        }
    }

    /**
     * Opens the image.
     *
     * @return null, or why the image cannot be opened (one line).
     */
    private String openImage()
    {
        try
        {
            image = RawFileImage.open(spec.image(), spec.readOnly());
            return null;
        }
        catch (final DiskImageException ex)
        {
            System.err.println(directory.backendPath() + ": " + ex.getMessage());
            return ex.getMessage();
        }
    }

    /**
     * Waits until the process serves; false when the device is detached first (a spare's).
     */
    private boolean awaitActivation()
    {
        try
        {
            while (!activated.await(ACTIVATION_POLL_MILLIS, TimeUnit.MILLISECONDS))
            {
                if (detachRequested)
                {
                    return false;
                }
            }
            // A spare's DETACH comes before its ACTIVATE on the channel, so it is seen here.
            return !detachRequested;
        }
        catch (final InterruptedException ex)
        {
            return false;
        }
    }

    /**
     * Publishes the back end's features (dom0's) and InitWait, and watches the front end's state.
     */
    private void publish() throws IOException
    {
        directory.write(FEATURE_FLUSH_CACHE, "1", FEATURE_BARRIER, "1", FEATURE_DISCARD, "1",
            DISCARD_GRANULARITY, Integer.toString(BlkifDescriptor.SECTOR_SIZE), DISCARD_ALIGNMENT, "0", DISCARD_SECURE, "0",
            FEATURE_PERSISTENT, "1", FEATURE_MAX_INDIRECT_SEGMENTS, Integer.toString(BlkRequestDecoder.MAX_SEGMENTS),
            MAX_RING_PAGE_ORDER, "0", MODE, spec.readOnly() ? "r" : "w", "state", XenbusState.INIT_WAIT.toText());
        directory.watchFrontend();
    }

    /**
     * Carries a detach forward: Closing at first, then done once the front end has closed (the ring
     * is gone) or the grace has passed.
     *
     * @return true when the device is detached and the thread is to end.
     */
    private boolean detached() throws IOException
    {
        if (!detachRequested)
        {
            return false;
        }
        if (detachStarted == 0)
        {
            detachStarted = System.nanoTime();
            if (ring != null)
            {
                directory.write("online", "0", "state", XenbusState.CLOSING.toText());
                return false;
            }
        }
        else if (ring != null && System.nanoTime() - detachStarted < DriverProtocol.FRONTEND_CLOSE_GRACE_NANOS)
        {
            return false;
        }
        disconnect();
        directory.write("state", XenbusState.CLOSED.toText());
        directory.unwatchFrontend();
        closeImage();
        return true;
    }

    private void closeImage()
    {
        if (image != null)
        {
            image.close();
            image = null;
        }
    }

    private void onFrontendState() throws IOException
    {
        final XenbusState state = directory.frontendState();
        if (state == XenbusState.INITIALISED && ring == null && !detachRequested)
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
        directory.write(SECTORS, Long.toString(image.sectors()),
            BlkifXenstoreKeys.SECTOR_SIZE, Integer.toString(BlkifDescriptor.SECTOR_SIZE),
            PHYSICAL_SECTOR_SIZE, Integer.toString(BlkifDescriptor.SECTOR_SIZE),
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
        final int checked = decoder.decode(request, image.sectors(), spec.readOnly(), indirectFrames);
        if (checked != STATUS_OKAY)
        {
            return checked;
        }
        final int result = switch (decoder.kind())
        {
            case BlkRequestDecoder.READ, BlkRequestDecoder.WRITE -> transfer(decoder.kind() == BlkRequestDecoder.WRITE);
            case BlkRequestDecoder.FLUSH -> image.flush();
            default -> image.discard(decoder.sector() << SECTOR_SHIFT, decoder.sectors() << SECTOR_SHIFT);
        };
        return result == DiskImage.OK ? STATUS_OKAY : STATUS_ERROR;
    }

    /**
     * A checked read or write: every segment's frame mapped before any byte moves.
     *
     * @return a {@link DiskImage} code.
     */
    private int transfer(final boolean write) throws IOException
    {
        final int segments = decoder.segments();
        int mapped = 0;
        try
        {
            for (; mapped < segments; mapped++)
            {
                segmentFrames[mapped] = frameFor(decoder.ref(mapped), write);
                if (segmentFrames[mapped] == null)
                {
                    return DiskImage.E_IO;
                }
            }
            long position = decoder.sector() << SECTOR_SHIFT;
            for (int seg = 0; seg < segments; seg++)
            {
                final int offset = decoder.pageOffset(seg);
                final int bytes = decoder.bytes(seg);
                final ByteBuffer data = segmentFrames[seg].buffer.limit(offset + bytes).position(offset);
                final int rc = write ? image.write(position, data) : image.read(position, data);
                if (rc != DiskImage.OK)
                {
                    return rc;
                }
                position += bytes;
            }
            return DiskImage.OK;
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

    /**
     * An indirect request's descriptor pages, each mapped read-only through the hypervisor for the
     * time the decoder copies it. A broken channel is thrown unchecked and ends the process.
     */
    private final class IndirectFrames implements BlkRequestDecoder.IndirectPages
    {
        private GrantedFrame frame;

        @Override
        public boolean map(final int ref, final UnsafeBuffer page)
        {
            try
            {
                frame = frames.map(spec.frontendDomid(), ref, true);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            if (frame == null)
            {
                return false;
            }
            page.wrap(frame.address(), frame.buffer.capacity());
            return true;
        }

        @Override
        public void unmap()
        {
            try
            {
                frames.unmap(frame);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            finally
            {
                frame = null;
            }
        }
    }
}
