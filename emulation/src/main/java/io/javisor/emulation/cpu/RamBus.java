package io.javisor.emulation.cpu;

import io.javisor.memory.GuestMemory;

/**
 * A {@link Bus} with only RAM: {@link GuestMemory} mapped at guest-physical {@link #RAM_BASE}, as
 * on QEMU's {@code virt} board. Everything else is an access fault. Accesses are checked here
 * before touching memory, so GuestMemory's own check never throws.
 */
public final class RamBus implements Bus
{
    public static final long RAM_BASE = 0x8000_0000L;

    private final GuestMemory memory;
    private final long size;
    private boolean fault;

    public RamBus(final GuestMemory memory)
    {
        this.memory = memory;
        this.size = memory.size();
    }

    public GuestMemory memory()
    {
        return memory;
    }

    @Override
    public GuestMemory directRam()
    {
        return memory;
    }

    /**
     * @return the RAM offset of an access of {@code length} bytes at {@code pa}, or -1 when any
     * byte of it lies outside RAM.
     */
    private long offset(final long pa, final int length)
    {
        final long off = pa - RAM_BASE;
        // Unsigned compare catches pa below the base (off wraps to a huge value) as well.
        if (Long.compareUnsigned(off, size - length) > 0)
        {
            fault = true;
            return -1;
        }
        return off;
    }

    @Override
    public long load8(final long pa)
    {
        final long off = offset(pa, 1);
        return off < 0 ? 0 : memory.getByte(off) & 0xFFL;
    }

    @Override
    public long load16(final long pa)
    {
        final long off = offset(pa, 2);
        return off < 0 ? 0 : memory.getShort(off) & 0xFFFFL;
    }

    @Override
    public long load32(final long pa)
    {
        final long off = offset(pa, 4);
        return off < 0 ? 0 : memory.getInt(off) & 0xFFFF_FFFFL;
    }

    @Override
    public long load64(final long pa)
    {
        final long off = offset(pa, 8);
        return off < 0 ? 0 : memory.getLong(off);
    }

    @Override
    public void store8(final long pa, final long value)
    {
        final long off = offset(pa, 1);
        if (off >= 0)
        {
            memory.putByte(off, (byte)value);
        }
    }

    @Override
    public void store16(final long pa, final long value)
    {
        final long off = offset(pa, 2);
        if (off >= 0)
        {
            memory.putShort(off, (short)value);
        }
    }

    @Override
    public void store32(final long pa, final long value)
    {
        final long off = offset(pa, 4);
        if (off >= 0)
        {
            memory.putInt(off, (int)value);
        }
    }

    @Override
    public void store64(final long pa, final long value)
    {
        final long off = offset(pa, 8);
        if (off >= 0)
        {
            memory.putLong(off, value);
        }
    }

    @Override
    public boolean takeFault()
    {
        final boolean f = fault;
        fault = false;
        return f;
    }
}
