package io.javisor.blkback;

import io.javisor.ringio.DomainResources;
import io.javisor.ringio.ring.FrontRing;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusDevice.Side;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.javisor.blkback.wire.BlkifDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A front end with no manners, for hostile tests: it does the handshake, then lets the test write
 * any bytes into ring slots and indices and read the raw responses.
 */
final class RawBlkFront
{
    final DomainResources guest;
    final XenbusDevice xenbus;
    final UnsafeBuffer page = new UnsafeBuffer(0, 0);
    final FrontRing ring;
    final int port;

    RawBlkFront(final DomainResources guest, final int deviceId) throws Exception
    {
        this.guest = guest;
        xenbus = new XenbusDevice(guest.xenStore(), BlkifXenstoreKeys.DEVICE_TYPE, guest.domid(), 0, deviceId);
        xenbus.awaitPeerState(Side.FRONTEND, s -> s == XenbusState.INIT_WAIT, Duration.ofSeconds(10));
        final long gpfn = guest.pages().allocate();
        guest.memory().wrapFrame(gpfn, page);
        ring = new FrontRing(page, REQUEST_LENGTH).initialise();
        final int ref = guest.grantReferences().claim();
        guest.grantTable().grantAccess(ref, 0, gpfn, false);
        port = guest.eventChannels().allocUnbound(0);
        xenbus.write(Side.FRONTEND, BlkifXenstoreKeys.RING_REF, Integer.toString(ref));
        xenbus.write(Side.FRONTEND, BlkifXenstoreKeys.EVENT_CHANNEL, Integer.toString(port));
        xenbus.switchState(Side.FRONTEND, XenbusState.INITIALISED);
        xenbus.awaitPeerState(Side.FRONTEND, s -> s == XenbusState.CONNECTED, Duration.ofSeconds(10));
        xenbus.switchState(Side.FRONTEND, XenbusState.CONNECTED);
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

    static void segment(final UnsafeBuffer page, final int offset, final int index, final int ref, final int first, final int last)
    {
        final int seg = offset + SEGMENTS_OFFSET + index * SEGMENT_LENGTH;
        page.putInt(seg + SEGMENT_GREF_OFFSET, ref);
        page.putByte(seg + SEGMENT_FIRST_SECT_OFFSET, (byte)first);
        page.putByte(seg + SEGMENT_LAST_SECT_OFFSET, (byte)last);
    }

    void push()
    {
        ring.pushRequests();
        guest.eventChannels().send(port);
    }

    /**
     * Waits for the next response; returns its status and checks it answers {@code id}.
     */
    int awaitStatus(final long id)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ring.responsesAvailable() == 0)
        {
            assertTrue(System.nanoTime() < deadline, "no response for request " + id);
            Thread.onSpinWait();
        }
        final int offset = ring.responseOffset();
        assertEquals(id, page.getLong(offset + RESPONSE_ID_OFFSET), "response id");
        final int status = page.getShort(offset + RESPONSE_STATUS_OFFSET);
        assertEquals(0, page.getByte(offset + 9), "response padding byte 9 zeroed");
        assertEquals(0, page.getInt(offset + 12), "response padding 12..15 zeroed");
        ring.consumeResponse();
        return status;
    }
}
