package io.javisor.perf.ring;

import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantTable;
import io.javisor.memory.GrantTables;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.MachineMemory;
import io.javisor.memory.PageDescriptor;
import io.javisor.ringio.ring.BackRing;
import io.javisor.ringio.ring.FrontRing;
import io.javisor.ringio.ring.SharedRingDescriptor;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A Xen shared ring set up as in the real thing: the ring page is a frame of the guest's memory
 * (domain {@value #GUEST_DOMID}), the guest grants it to the back-end domain (dom0), and the back
 * end reaches it only through its grant mapping. The front end is the guest's view of its own
 * page. Entries are {@code payload} bytes, so a 64-byte payload gives 32 one-cache-line slots.
 * <p>
 * The back end polls (busy-spin), so it neither arms req_event nor sends event-channel
 * notifications: the notify hints returned by the push operations are ignored, as a polling
 * back end does. The full fences inside the push operations are the protocol's and stay.
 */
public final class SharedRingChannel implements RoundTripChannel
{
    public static final int GUEST_DOMID = 1;
    public static final int BACKEND_DOMID = 0;
    public static final int MIN_PAYLOAD = Long.BYTES;
    public static final int MAX_PAYLOAD = PageDescriptor.PAGE_SIZE - SharedRingDescriptor.HEADER_LENGTH;

    private static final int RING_GPFN = 1;
    private static final int RING_REF = 8;
    private static final int GUEST_FRAMES = 4;

    private final int payload;
    private final MachineMemory machine;
    private final GuestMemory guest;
    private final GuestMemory dom0;
    private final GrantTables grantTables = new GrantTables();
    private final GrantTable guestGrants;
    private final GrantMapper dom0Mapper;
    private final int ringHandle;

    // Front end (guest): its view of the page, its ring state and its private buffers.
    // FrontRing keeps its private indices in its own fields, which the front end writes on every
    // request: padding keeps them off the lines of anything the back end touches.
    private final UnsafeBuffer frontPage = new UnsafeBuffer(0, 0);
    private final long[] padFrontBefore;
    private final FrontRing front;
    private final long[] padFrontAfter;
    private final UnsafeBuffer request;
    private final UnsafeBuffer response;

    // Back end (dom0): the page through its grant mapping, its private copy of a request, and the
    // BackRing, which attachBackEnd() creates on the back end's thread.
    private final UnsafeBuffer backPage = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer backCopy;
    private BackRing back;

    public SharedRingChannel(final int payload)
    {
        if (payload < MIN_PAYLOAD || payload > MAX_PAYLOAD)
        {
            throw new IllegalArgumentException(
                "payload must be " + MIN_PAYLOAD + ".." + MAX_PAYLOAD + " bytes for a one-page ring: " + payload);
        }
        this.payload = payload;
        machine = MachineMemory.anonymous(16);
        GuestMemory guestMemory = null;
        GuestMemory dom0Memory = null;
        GrantTable grants = null;
        try
        {
            final FrameAllocator allocator = new FrameAllocator(machine);
            guestMemory = GuestMemory.allocate(allocator, GUEST_DOMID, GUEST_FRAMES);
            dom0Memory = GuestMemory.allocate(allocator, BACKEND_DOMID, 1);
            grants = new GrantTable(allocator, guestMemory, 1);
            grantTables.register(grants);
            if (!guestMemory.wrapFrame(RING_GPFN, frontPage))
            {
                throw new IllegalStateException("no guest frame " + RING_GPFN);
            }
            padFrontBefore = Padding.block();
            front = new FrontRing(frontPage, payload).initialise();
            padFrontAfter = Padding.block();

            // The guest grants the ring page to dom0; dom0 maps the grant.
            grants.grantAccess(RING_REF, BACKEND_DOMID, RING_GPFN, false);
            dom0Mapper = new GrantMapper(dom0Memory, grantTables);
            ringHandle = dom0Mapper.map(GUEST_DOMID, RING_REF, false);
            if (ringHandle < 0 || !dom0Mapper.wrap(ringHandle, backPage))
            {
                throw new IllegalStateException("dom0 cannot map the ring grant: status " + ringHandle);
            }
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(grants, guestMemory, dom0Memory);
            machine.close();
            throw ex;
        }
        guest = guestMemory;
        dom0 = dom0Memory;
        guestGrants = grants;
        request = privateBuffer(payload);
        response = privateBuffer(payload);
        backCopy = privateBuffer(payload);
        for (int i = 0; i < payload; i++)
        {
            request.putByte(i, (byte)i);
        }
    }

    /**
     * A buffer of whole cache lines of its own, off-heap, so that the two threads' private
     * buffers never share a line.
     */
    static UnsafeBuffer privateBuffer(final int length)
    {
        final int lines = BitUtil.align(length, BitUtil.CACHE_LINE_LENGTH);
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(lines, BitUtil.CACHE_LINE_LENGTH), 0, length);
    }

    @Override
    public String name()
    {
        return "sharedring";
    }

    @Override
    public String description()
    {
        return "SharedRing (Xen ring, guest page)";
    }

    @Override
    public int payload()
    {
        return payload;
    }

    /**
     * Ring size in entries.
     */
    public int slots()
    {
        return front.size();
    }

    @Override
    public void prepareRound()
    {
        // A fresh connection: the front end initialises the shared header; the back end attaches
        // again when its thread starts.
        back = null;
        front.initialise();
    }

    @Override
    public void attachBackEnd()
    {
        back = new BackRing(backPage, payload).attach();
    }

    @Override
    public void sendRequest(final long seq)
    {
        final int offset = front.claimRequest();
        if (offset < 0)
        {
            throw new IllegalStateException("ring full: more requests in flight than slots");
        }
        request.putLong(0, seq);
        frontPage.putBytes(offset, request, 0, payload);
        front.pushRequests();
    }

    @Override
    public int serveRequests()
    {
        final BackRing ring = back;
        final int count = ring.unconsumedRequests();
        if (count <= 0)
        {
            return 0;
        }
        for (int i = 0; i < count; i++)
        {
            // Copy once out of the guest's page; a real back end validates only this copy.
            ring.copyRequest(backCopy, 0);
            final int offset = ring.claimResponse();
            backPage.putBytes(offset, backCopy, 0, payload);
        }
        ring.pushResponses();
        return count;
    }

    @Override
    public boolean pollResponse()
    {
        final int available = front.responsesAvailable();
        if (available == 0)
        {
            return false;
        }
        if (available < 0)
        {
            throw new IllegalStateException("ring broken: " + front.brokenReason());
        }
        front.copyResponse(response, 0);
        return true;
    }

    @Override
    public long responseSeq()
    {
        return response.getLong(0);
    }

    @Override
    public String backEndFault()
    {
        final BackRing ring = back;
        return ring != null && ring.isBroken() ? ring.brokenReason() : null;
    }

    @Override
    public void close()
    {
        if (machine.isClosed())
        {
            return;
        }
        back = null;
        dom0Mapper.close();
        guestGrants.endForeignAccess(RING_REF);
        grantTables.unregister(guestGrants);
        closeQuietly(guestGrants, guest, dom0);
        machine.close();
    }

    private static void closeQuietly(final AutoCloseable... resources)
    {
        for (final AutoCloseable resource : resources)
        {
            if (resource != null)
            {
                try
                {
                    resource.close();
                }
                catch (final Exception ignore)
                {
                    // Closing the machine memory below releases everything anyway.
                }
            }
        }
    }
}
