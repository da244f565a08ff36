package io.javisor.emulation.machine;

/**
 * OpenSBI's {@code struct fw_dynamic_info} (version 2), which a previous boot stage passes in a2
 * to tell {@code fw_dynamic} where to go next; {@code fw_jump} ignores it. Six little-endian
 * 64-bit words.
 */
final class FwDynamicInfoDescriptor
{
    static final long MAGIC_VALUE = 0x4942534FL;      // "OSBI"
    static final long VERSION_VALUE = 2;
    static final long NEXT_MODE_S = 1;

    static final int MAGIC = 0;
    static final int VERSION = 8;
    static final int NEXT_ADDR = 16;
    static final int NEXT_MODE = 24;
    static final int OPTIONS = 32;
    static final int BOOT_HART = 40;
    static final int LENGTH = 48;

    private FwDynamicInfoDescriptor()
    {
    }
}
