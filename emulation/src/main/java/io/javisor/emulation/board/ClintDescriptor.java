package io.javisor.emulation.board;

/** Register layout of the SiFive CLINT as mapped on QEMU {@code virt} (one hart). */
public final class ClintDescriptor
{
    public static final long BASE = 0x0200_0000L;
    public static final long SIZE = 0x1_0000L;
    /** Per-hart 32-bit software-interrupt register; bit 0 drives MSIP. */
    public static final long MSIP = 0x0;
    /** Per-hart 64-bit timer compare (+8 per hart). */
    public static final long MTIMECMP = 0x4000;
    /** The shared 64-bit timer. */
    public static final long MTIME = 0xBFF8;
    public static final long FREQUENCY_HZ = 10_000_000L;

    private ClintDescriptor()
    {
    }
}
