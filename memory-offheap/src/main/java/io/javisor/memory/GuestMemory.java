package io.javisor.memory;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.javisor.memory.PageDescriptor.PAGE_SHIFT;
import static io.javisor.memory.PageDescriptor.PAGE_SIZE;

/**
 * A domain's guest-physical memory: {@code frameCount} 4 KiB frames, guest frame numbers
 * 0..frameCount-1, in off-heap machine memory.
 * <p>
 * The P2M of a javisor domain is one contiguous machine extent ({@code mfn = firstMfn + gpfn}):
 * it lets the CPU emulator address RAM as one buffer. Every accessor checks its guest-physical
 * range and throws {@link GuestMemoryFault} outside it; {@link #isValidRange} is the check
 * without the exception for callers that answer with an error code instead.
 * <p>
 * Only the owning domain (and the hypervisor acting for it) reaches this object; another domain
 * reaches these frames only through a grant ({@link GrantTable}).
 * <p>
 * After {@link #close()} (the domain destroyed, or the hypervisor shut down) every accessor throws
 * {@link GuestMemoryReleasedException} and the wrap methods refuse: the frames may already belong to
 * another domain, or the machine memory may be unmapped, so a stale access must never reach them.
 * A buffer wrapped before the close is the caller's to drop. Thread-safe: the frame range is fixed;
 * {@code closed} is written once, under this object's monitor, and read as a volatile by accessors.
 */
public final class GuestMemory implements AutoCloseable
{
    private static final long ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private final FrameAllocator allocator;
    private final int domid;
    private final long firstMfn;
    private final int frameCount;
    private final long size;
    private final UnsafeBuffer ram = new UnsafeBuffer(0, 0);
    private volatile boolean closed;

    private GuestMemory(final FrameAllocator allocator, final int domid, final long firstMfn, final int frameCount)
    {
        this.allocator = allocator;
        this.domid = domid;
        this.firstMfn = firstMfn;
        this.frameCount = frameCount;
        this.size = (long)frameCount << PAGE_SHIFT;
        // Agrona buffers are limited to 2 GiB; larger domains use the per-frame accessors.
        if (size <= Integer.MAX_VALUE)
        {
            allocator.memory().wrap(firstMfn, frameCount, ram);
        }
    }

    /**
     * Allocates {@code frameCount} frames for {@code domid} from {@code allocator}.
     *
     * @throws GuestMemoryAllocationException when the domain's quota or the pool is exhausted.
     */
    public static GuestMemory allocate(final FrameAllocator allocator, final int domid, final int frameCount)
    {
        final long mfn = allocator.allocate(domid, frameCount);
        if (mfn == FrameAllocator.QUOTA_EXCEEDED)
        {
            throw new GuestMemoryAllocationException(
                "domain " + domid + ": " + frameCount + " frames exceed its memory quota");
        }
        if (mfn == FrameAllocator.OUT_OF_MEMORY)
        {
            throw new GuestMemoryAllocationException(
                "domain " + domid + ": no free extent of " + frameCount + " frames in machine memory");
        }
        return new GuestMemory(allocator, domid, mfn, frameCount);
    }

    public int domid()
    {
        return domid;
    }

    public int frameCount()
    {
        return frameCount;
    }

    public long size()
    {
        return size;
    }

    long firstMfn()
    {
        return firstMfn;
    }

    /**
     * The file behind this memory's frames when the machine memory is file-backed (a process of its
     * own, such as the domain's stub domain, may map {@link #sharedFileOffset()} and the
     * {@link #size()} bytes after it, and nothing else), or null when it is anonymous.
     */
    public java.nio.file.Path sharedFile()
    {
        return allocator.memory().file();
    }

    /** @return the offset of guest-physical byte 0 in {@link #sharedFile()}: frames are contiguous there too */
    public long sharedFileOffset()
    {
        return firstMfn << PAGE_SHIFT;
    }

    public boolean isValidFrame(final long gpfn)
    {
        return gpfn >= 0 && gpfn < frameCount;
    }

    public boolean isValidRange(final long gpa, final long length)
    {
        return gpa >= 0 && length >= 0 && length <= size && gpa <= size - length;
    }

    /**
     * All of RAM as one buffer, for the CPU's load/store path, which checks addresses itself.
     * Only for domains of at most 2 GiB.
     */
    public AtomicBuffer ram()
    {
        if (size > Integer.MAX_VALUE)
        {
            throw new UnsupportedOperationException("guest memory above 2 GiB has no single buffer view");
        }
        return ram;
    }

    /**
     * Points {@code buffer} at guest frame {@code gpfn}.
     *
     * @return false, leaving the buffer untouched, when {@code gpfn} is not a frame of this domain.
     */
    public boolean wrapFrame(final long gpfn, final UnsafeBuffer buffer)
    {
        if (!isValidFrame(gpfn) || closed)
        {
            return false;
        }
        buffer.wrap(allocator.memory().addressOf(firstMfn + gpfn), PAGE_SIZE);
        return true;
    }

    /**
     * Points {@code buffer} at {@code frames} consecutive guest frames starting at {@code gpfn}.
     */
    public boolean wrapFrames(final long gpfn, final int frames, final UnsafeBuffer buffer)
    {
        if (frames <= 0 || !isValidFrame(gpfn) || gpfn > frameCount - (long)frames || closed)
        {
            return false;
        }
        buffer.wrap(allocator.memory().addressOf(firstMfn + gpfn), frames * PAGE_SIZE);
        return true;
    }

    /**
     * The guest-physical address of a host address inside this domain's memory, or -1: how a
     * buffer wrapped over this memory is named to the grant copy interface.
     */
    public long guestPhysicalAddressOf(final long hostAddress)
    {
        final long offset = hostAddress - allocator.memory().addressOf(firstMfn);
        return offset >= 0 && offset < size ? offset : -1;
    }

    public byte getByte(final long gpa)
    {
        return UnsafeApi.getByte(checked(gpa, 1));
    }

    public void putByte(final long gpa, final byte value)
    {
        UnsafeApi.putByte(checked(gpa, 1), value);
    }

    public short getShort(final long gpa)
    {
        return UnsafeApi.getShort(checked(gpa, 2));
    }

    public void putShort(final long gpa, final short value)
    {
        UnsafeApi.putShort(checked(gpa, 2), value);
    }

    public int getInt(final long gpa)
    {
        return UnsafeApi.getInt(checked(gpa, 4));
    }

    public void putInt(final long gpa, final int value)
    {
        UnsafeApi.putInt(checked(gpa, 4), value);
    }

    public long getLong(final long gpa)
    {
        return UnsafeApi.getLong(checked(gpa, 8));
    }

    public void putLong(final long gpa, final long value)
    {
        UnsafeApi.putLong(checked(gpa, 8), value);
    }

    public void getBytes(final long gpa, final MutableDirectBuffer dst, final int dstIndex, final int length)
    {
        final long address = checked(gpa, length);
        dst.boundsCheck(dstIndex, length);
        UnsafeApi.copyMemory(null, address, dst.byteArray(), dst.addressOffset() + dstIndex, length);
    }

    public void putBytes(final long gpa, final DirectBuffer src, final int srcIndex, final int length)
    {
        final long address = checked(gpa, length);
        src.boundsCheck(srcIndex, length);
        UnsafeApi.copyMemory(src.byteArray(), src.addressOffset() + srcIndex, null, address, length);
    }

    public void getBytes(final long gpa, final byte[] dst, final int dstIndex, final int length)
    {
        final long address = checked(gpa, length);
        if (dstIndex < 0 || length < 0 || dstIndex > dst.length - length)
        {
            throw new IndexOutOfBoundsException("dst " + dstIndex + "+" + length + " of " + dst.length);
        }
        UnsafeApi.copyMemory(
            null, address, dst, ARRAY_BASE + dstIndex, length);
    }

    public void putBytes(final long gpa, final byte[] src, final int srcIndex, final int length)
    {
        final long address = checked(gpa, length);
        if (srcIndex < 0 || length < 0 || srcIndex > src.length - length)
        {
            throw new IndexOutOfBoundsException("src " + srcIndex + "+" + length + " of " + src.length);
        }
        UnsafeApi.copyMemory(
            src, ARRAY_BASE + srcIndex, null, address, length);
    }

    /**
     * Host address of machine frame backing guest frame {@code gpfn}, for the grant table; the
     * caller has checked {@code gpfn} with {@link #isValidFrame}.
     */
    long hostAddressOfFrame(final long gpfn)
    {
        return allocator.memory().addressOf(firstMfn + gpfn);
    }

    private long checked(final long gpa, final long length)
    {
        if (!isValidRange(gpa, length))
        {
            throw new GuestMemoryFault(gpa, length, size);
        }
        if (closed)
        {
            throw new GuestMemoryReleasedException(domid);
        }
        // Frames are contiguous in machine memory, so a range that is inside RAM is one host range.
        return allocator.memory().addressOf(firstMfn) + gpa;
    }

    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Returns the frames to the allocator (scrubbed). Buffers wrapped over them must not be used after.
     */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            ram.wrap(0, 0);
            allocator.free(domid, firstMfn, frameCount);
        }
    }
}
