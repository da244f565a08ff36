package io.javisor.perf.ring;

import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.MachineMemory;
import io.javisor.memory.PageDescriptor;
import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The yardstick: two Agrona {@link OneToOneRingBuffer}s, one for requests and one for responses,
 * ping-ponging the same payload as {@link SharedRingChannel}. The rings live in the same kind of
 * memory as the shared ring (frames of a machine-memory pool, page aligned), and the echo side
 * does the same work as the ring back end: copy the request out into a private buffer, write the
 * response from that copy. All of Agrona's mutable state is in the ring buffers' padded trailers.
 */
public final class AgronaRingChannel implements RoundTripChannel
{
    public static final int MSG_TYPE_ID = 1;
    /**
     * One page, as the shared ring. A 64 KiB ring measured the same p50 (within noise), so the
     * smaller, like-for-like size is the default.
     */
    public static final int DEFAULT_CAPACITY = PageDescriptor.PAGE_SIZE;

    private final int payload;
    private final int capacity;
    private final MachineMemory machine;
    private final GuestMemory memory;
    private final OneToOneRingBuffer requests;
    private final OneToOneRingBuffer responses;
    private final UnsafeBuffer request;
    private final UnsafeBuffer response;
    private final UnsafeBuffer echoCopy;
    private final MessageHandler echoHandler = new Echo();
    private final MessageHandler responseHandler = new ResponseCopier();

    public AgronaRingChannel(final int payload)
    {
        this(payload, defaultCapacity(payload));
    }

    /**
     * @param capacity each ring's capacity in bytes (a power of two, trailer not included), at
     *                 least 8 times a record, Agrona's maximum message length being capacity / 8
     */
    public AgronaRingChannel(final int payload, final int capacity)
    {
        if (payload < SharedRingChannel.MIN_PAYLOAD)
        {
            throw new IllegalArgumentException("payload must be at least " + SharedRingChannel.MIN_PAYLOAD + " bytes: " + payload);
        }
        if (!BitUtil.isPowerOfTwo(capacity) || capacity < minimumCapacity(payload))
        {
            throw new IllegalArgumentException("ring capacity must be a power of two of at least "
                + minimumCapacity(payload) + " bytes: " + capacity);
        }
        this.payload = payload;
        this.capacity = capacity;
        final int ringBytes = capacity + RingBufferDescriptor.TRAILER_LENGTH;
        final int framesPerRing = (int)PageDescriptor.framesFor(ringBytes);
        machine = MachineMemory.anonymous(2 * framesPerRing + 2);
        try
        {
            memory = GuestMemory.allocate(new FrameAllocator(machine), SharedRingChannel.BACKEND_DOMID, 2 * framesPerRing);
            requests = new OneToOneRingBuffer(ringOn(memory, 0, framesPerRing, ringBytes));
            responses = new OneToOneRingBuffer(ringOn(memory, framesPerRing, framesPerRing, ringBytes));
        }
        catch (final RuntimeException ex)
        {
            machine.close();
            throw ex;
        }
        request = SharedRingChannel.privateBuffer(payload);
        response = SharedRingChannel.privateBuffer(payload);
        echoCopy = SharedRingChannel.privateBuffer(payload);
        for (int i = 0; i < payload; i++)
        {
            request.putByte(i, (byte)i);
        }
    }

    static int minimumCapacity(final int payload)
    {
        return BitUtil.findNextPositivePowerOfTwo(8 * (payload + RecordDescriptor.HEADER_LENGTH));
    }

    /**
     * The default capacity of each ring: DEFAULT_CAPACITY or the minimum for the payload.
     */
    public static int defaultCapacity(final int payload)
    {
        return Math.max(DEFAULT_CAPACITY, minimumCapacity(payload));
    }

    public int capacity()
    {
        return capacity;
    }

    private static UnsafeBuffer ringOn(final GuestMemory memory, final int gpfn, final int frames, final int bytes)
    {
        final UnsafeBuffer frameBuffer = new UnsafeBuffer(0, 0);
        if (!memory.wrapFrames(gpfn, frames, frameBuffer))
        {
            throw new IllegalStateException("no frames " + gpfn + "+" + frames);
        }
        return new UnsafeBuffer(frameBuffer, 0, bytes);
    }

    @Override
    public String name()
    {
        return "agrona";
    }

    @Override
    public String description()
    {
        return "Agrona OneToOneRingBuffer x2";
    }

    @Override
    public int payload()
    {
        return payload;
    }

    @Override
    public void prepareRound()
    {
        // Between rounds both rings are empty: every request was answered and every answer read.
    }

    @Override
    public void attachBackEnd()
    {
        // The echo side keeps no state of its own outside the rings.
    }

    @Override
    public void sendRequest(final long seq)
    {
        request.putLong(0, seq);
        if (!requests.write(MSG_TYPE_ID, request, 0, payload))
        {
            throw new IllegalStateException("request ring full");
        }
    }

    @Override
    public int serveRequests()
    {
        return requests.read(echoHandler);
    }

    @Override
    public boolean pollResponse()
    {
        return responses.read(responseHandler, 1) != 0;
    }

    @Override
    public long responseSeq()
    {
        return response.getLong(0);
    }

    @Override
    public String backEndFault()
    {
        return null;
    }

    @Override
    public void close()
    {
        if (!machine.isClosed())
        {
            memory.close();
            machine.close();
        }
    }

    /** Back end: copy the request out, answer from the copy. */
    private final class Echo implements MessageHandler
    {
        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            buffer.getBytes(index, echoCopy, 0, length);
            if (!responses.write(msgTypeId, echoCopy, 0, length))
            {
                throw new IllegalStateException("response ring full");
            }
        }
    }

    /** Front end: copy the response out once. */
    private final class ResponseCopier implements MessageHandler
    {
        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            buffer.getBytes(index, response, 0, Math.min(length, payload));
        }
    }
}
