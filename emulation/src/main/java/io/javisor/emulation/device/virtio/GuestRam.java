package io.javisor.emulation.device.virtio;

import io.javisor.emulation.cpu.RamBus;
import io.javisor.memory.GuestMemory;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A device's view of its guest's RAM by guest-physical address, as DMA sees it: every range is
 * checked against RAM before use, and {@link #window} lends a {@link ByteBuffer} over guest memory
 * for {@code DiskImage} IO without copying or allocating.
 * <p>
 * Not thread-safe: the window is one reusable buffer, owned by the vCPU thread that runs the
 * device models of one machine.
 */
public final class GuestRam
{
    private final GuestMemory memory;
    private final long size;
    /** All of RAM; position and limit move per {@link #window} call. */
    private final ByteBuffer all;

    public GuestRam(final GuestMemory memory)
    {
        this.memory = memory;
        this.size = memory.size();
        // The CPU already needs RAM as one buffer (at most 2 GiB - 1); so does this view.
        this.all = MemorySegment.ofAddress(memory.ram().addressOffset()).reinterpret(size).asByteBuffer();
    }

    public GuestMemory memory()
    {
        return memory;
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
        return memory.getShort(offset) & 0xFFFF;
    }

    public void putShort(final long offset, final int value)
    {
        memory.putShort(offset, (short)value);
    }

    public long getIntUnsigned(final long offset)
    {
        return memory.getInt(offset) & 0xFFFF_FFFFL;
    }

    public void putInt(final long offset, final int value)
    {
        memory.putInt(offset, value);
    }

    public long getLong(final long offset)
    {
        return memory.getLong(offset);
    }

    public void putByte(final long offset, final byte value)
    {
        memory.putByte(offset, value);
    }

    public void getBytes(final long offset, final MutableDirectBuffer dst, final int dstIndex, final int length)
    {
        memory.getBytes(offset, dst, dstIndex, length);
    }

    public void putBytes(final long offset, final DirectBuffer src, final int srcIndex, final int length)
    {
        memory.putBytes(offset, src, srcIndex, length);
    }
}
