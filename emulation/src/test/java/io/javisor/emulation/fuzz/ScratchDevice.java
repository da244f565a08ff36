package io.javisor.emulation.fuzz;

import io.javisor.emulation.board.MmioDevice;

import java.util.Arrays;

/**
 * A deterministic MMIO device for the fuzzer: 64 bytes of little-endian registers that read back
 * what was written, plus a read counter at offset 0x40 that counts every read of the device (so a
 * tier that reads MMIO twice, or speculatively, shows up in the comparison). Accesses of any size
 * are supported except 8-byte ones at odd offsets, which fault, so device faults are covered too.
 */
final class ScratchDevice implements MmioDevice
{
    static final int REGISTERS = 64;
    static final long SIZE = 0x48;

    final byte[] registers = new byte[REGISTERS];
    long reads;

    @Override
    public long size()
    {
        return SIZE;
    }

    @Override
    public boolean supports(final long offset, final int size)
    {
        return size != 8 || (offset & 1) == 0;
    }

    @Override
    public long read(final long offset, final int size)
    {
        reads++;
        if (offset >= REGISTERS)
        {
            return reads;
        }
        long value = 0;
        for (int i = size - 1; i >= 0; i--)
        {
            final long at = offset + i;
            value = value << 8 | (at < REGISTERS ? registers[(int)at] & 0xFFL : 0);
        }
        return value;
    }

    @Override
    public void write(final long offset, final int size, final long value)
    {
        for (int i = 0; i < size; i++)
        {
            final long at = offset + i;
            if (at < REGISTERS)
            {
                registers[(int)at] = (byte)(value >>> (8 * i));
            }
        }
    }

    void reset(final byte[] pattern)
    {
        System.arraycopy(pattern, 0, registers, 0, REGISTERS);
        reads = 0;
    }

    boolean sameAs(final ScratchDevice other)
    {
        return reads == other.reads && Arrays.equals(registers, other.registers);
    }

    @Override
    public String toString()
    {
        final StringBuilder s = new StringBuilder("reads=").append(reads).append(" registers=");
        for (final byte b : registers)
        {
            s.append(String.format("%02x", b & 0xFF));
        }
        return s.toString();
    }
}
