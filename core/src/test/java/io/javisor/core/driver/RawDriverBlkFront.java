package io.javisor.core.driver;

import io.javisor.blkback.BlkifXenstoreKeys;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.ring.FrontRing;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusDevice.Side;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.javisor.blkback.wire.BlkifDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A block front end with no manners, whose back end is a driver domain: it does the handshake, then
 * lets a test write any bytes into ring slots, grant pages to anyone and read the raw responses.
 * Used by one test thread.
 */
final class RawDriverBlkFront
{
    final DomainResources guest;
    final int backendDomid;
    final XenbusDevice xenbus;
    final UnsafeBuffer page = new UnsafeBuffer(0, 0);
    final FrontRing ring;
    final int port;

    RawDriverBlkFront(final DomainResources guest, final int backendDomid, final int deviceId) throws Exception
    {
        this.guest = guest;
        this.backendDomid = backendDomid;
        xenbus = new XenbusDevice(guest.xenStore(), BlkifXenstoreKeys.DEVICE_TYPE, guest.domid(), backendDomid, deviceId);
        xenbus.awaitPeerState(Side.FRONTEND, s -> s == XenbusState.INIT_WAIT, Duration.ofSeconds(30));
        final long gpfn = guest.pages().allocate();
        guest.memory().wrapFrame(gpfn, page);
        ring = new FrontRing(page, REQUEST_LENGTH).initialise();
        final int ref = grant(gpfn, backendDomid, false);
        port = guest.eventChannels().allocUnbound(backendDomid);
        xenbus.write(Side.FRONTEND, BlkifXenstoreKeys.RING_REF, Integer.toString(ref));
        xenbus.write(Side.FRONTEND, BlkifXenstoreKeys.EVENT_CHANNEL, Integer.toString(port));
        xenbus.switchState(Side.FRONTEND, XenbusState.INITIALISED);
        xenbus.awaitPeerState(Side.FRONTEND, s -> s == XenbusState.CONNECTED, Duration.ofSeconds(10));
        xenbus.switchState(Side.FRONTEND, XenbusState.CONNECTED);
    }

    /**
     * Grants frame {@code gpfn} to domain {@code grantee}.
     *
     * @return the grant reference.
     */
    int grant(final long gpfn, final int grantee, final boolean readOnly)
    {
        final int ref = guest.grantReferences().claim();
        guest.grantTable().grantAccess(ref, grantee, gpfn, readOnly);
        return ref;
    }

    /**
     * A new page of the guest, granted writable to the back end.
     *
     * @return its frame number; {@code view} is pointed at it.
     */
    long page(final UnsafeBuffer view)
    {
        final long gpfn = guest.pages().allocate();
        guest.memory().wrapFrame(gpfn, view);
        return gpfn;
    }

    /**
     * A cleared request slot with the given operation and id; the caller fills the rest.
     */
    int request(final int operation, final long id)
    {
        final int offset = ring.claimRequest();
        page.setMemory(offset, REQUEST_LENGTH, (byte)0);
        page.putByte(offset + OPERATION_OFFSET, (byte)operation);
        page.putLong(offset + ID_OFFSET, id);
        return offset;
    }

    /**
     * An indirect request: {@code operation} over {@code segments} segments at {@code sector},
     * their descriptors in the page {@code descriptorsRef}.
     */
    int indirect(final long id, final int operation, final int segments, final long sector, final int descriptorsRef)
    {
        final int offset = request(OP_INDIRECT, id);
        page.putByte(offset + INDIRECT_OP_OFFSET, (byte)operation);
        page.putShort(offset + INDIRECT_NR_SEGMENTS_OFFSET, (short)segments);
        page.putLong(offset + INDIRECT_SECTOR_NUMBER_OFFSET, sector);
        page.putInt(offset + INDIRECT_GREFS_OFFSET, descriptorsRef);
        return offset;
    }

    int discard(final long id, final long sector, final long sectors)
    {
        final int offset = request(OP_DISCARD, id);
        page.putLong(offset + DISCARD_SECTOR_NUMBER_OFFSET, sector);
        page.putLong(offset + DISCARD_NR_SECTORS_OFFSET, sectors);
        return offset;
    }

    /**
     * Writes segment descriptor {@code index} at {@code offset} of {@code into} (a request's
     * segments, or an indirect descriptor page).
     */
    static void segment(final UnsafeBuffer into, final int offset, final int index, final int ref, final int first, final int last)
    {
        final int at = offset + index * SEGMENT_LENGTH;
        into.putInt(at + SEGMENT_GREF_OFFSET, ref);
        into.putByte(at + SEGMENT_FIRST_SECT_OFFSET, (byte)first);
        into.putByte(at + SEGMENT_LAST_SECT_OFFSET, (byte)last);
    }

    void push()
    {
        ring.pushRequests();
        guest.eventChannels().send(port);
    }

    /**
     * Pushes what was queued and waits for the next response; returns its status and checks it answers {@code id}.
     */
    int pushAndAwait(final long id)
    {
        push();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ring.responsesAvailable() == 0)
        {
            assertTrue(System.nanoTime() < deadline, "no response for request " + id);
            Thread.onSpinWait();
        }
        final int offset = ring.responseOffset();
        assertEquals(id, page.getLong(offset + RESPONSE_ID_OFFSET), "response id");
        final int status = page.getShort(offset + RESPONSE_STATUS_OFFSET);
        ring.consumeResponse();
        return status;
    }
}
