package io.javisor.emulation.device.virtio;

import io.javisor.emulation.cpu.RamBus;
import io.javisor.memory.GuestMemory;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A device's view of its guest's RAM by guest-physical address, as DMA sees it: every range is
 * checked against RAM before use, and {@link #window} lends a {@link ByteBuffer} over guest memory
 * for {@code DiskImage} IO without copying or allocating. In-process the view is the guest's own
 * {@link GuestMemory} buffer (which refuses every access once the memory is released); in a stub
 * domain it is the process's shared mapping of exactly the guest's RAM ({@link #mapped}).
 * <p>
 * Not thread-safe: the window is one reusable buffer, owned by the vCPU thread that runs the
 * device models of one machine (in a stub domain, the thread holding its host's monitor).
 */
public final class GuestRam
{
    /** All of RAM, offset 0 at guest-physical {@link RamBus#RAM_BASE}. */
    private final AtomicBuffer ram;
    private final long size;
    /** All of RAM; position and limit move per {@link #window} call. */
    private final ByteBuffer all;

    public GuestRam(final GuestMemory memory)
    {
        // The CPU already needs RAM as one buffer (at most 2 GiB - 1); so does this view.
        this(memory.ram(), memory.size());
    }

    private GuestRam(final AtomicBuffer ram, final long size)
    {
        this.ram = ram;
        this.size = size;
        this.all = MemorySegment.ofAddress(ram.addressOffset()).reinterpret(size).asByteBuffer();
    }

    /**
     * A view of RAM mapped into this process: {@code segment} is all of the guest's RAM and nothing
     * else, and stays mapped while the view is used (a stub domain's mapping of its guest's memory).
     */
    public static GuestRam mapped(final MemorySegment segment)
    {
        if (segment.byteSize() <= 0 || segment.byteSize() > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("guest RAM of " + segment.byteSize() + " bytes has no single buffer view");
        }
        return new GuestRam(new UnsafeBuffer(segment.address(), (int)segment.byteSize()), segment.byteSize());
    }

    /** @return the bytes of RAM */
    public long size()
    {
        return size;
    }

    /**
     * @return the RAM offset of guest-physical {@code [pa, pa + length)}, or -1 when any byte of it
     * is outside RAM (including ranges that wrap around the address space).
     */
    public long offsetOf(final long pa, final long length)
    {
        final long off = pa - RamBus.RAM_BASE;
        if (Long.compareUnsigned(pa, RamBus.RAM_BASE) < 0 || length < 0 || off > size || length > size - off)
        {
            return -1;
        }
        return off;
    }

    /** @return a buffer whose remaining bytes are RAM offsets {@code [offset, offset + length)}; the caller checked the range. */
    public ByteBuffer window(final long offset, final int length)
    {
        all.limit((int)offset + length).position((int)offset);
        return all;
    }

    public int getShort(final long offset)
    {
        return ram.getShort((int)offset) & 0xFFFF;
    }

    public void putShort(final long offset, final int value)
    {
        ram.putShort((int)offset, (short)value);
    }

    public long getIntUnsigned(final long offset)
    {
        return ram.getInt((int)offset) & 0xFFFF_FFFFL;
    }

    public void putInt(final long offset, final int value)
    {
        ram.putInt((int)offset, value);
    }

    public long getLong(final long offset)
    {
        return ram.getLong((int)offset);
    }

    public void putByte(final long offset, final byte value)
    {
        ram.putByte((int)offset, value);
    }

    public void getBytes(final long offset, final MutableDirectBuffer dst, final int dstIndex, final int length)
    {
        ram.getBytes((int)offset, dst, dstIndex, length);
    }

    public void putBytes(final long offset, final DirectBuffer src, final int srcIndex, final int length)
    {
        ram.putBytes((int)offset, src, srcIndex, length);
    }
}
