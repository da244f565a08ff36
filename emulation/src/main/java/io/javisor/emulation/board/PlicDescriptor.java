package io.javisor.emulation.board;

/** Register layout of the SiFive PLIC on QEMU {@code virt} for one hart (contexts M and S). */
public final class PlicDescriptor
{
    public static final long BASE = 0x0C00_0000L;
    /** Sources 1..95; source 0 means "none". */
    public static final int SOURCES = 96;
    public static final int CONTEXTS = 2;
    public static final int CONTEXT_M = 0;
    public static final int CONTEXT_S = 1;
    /** Priorities are 3 bits wide, as on QEMU {@code virt}. */
    public static final int PRIORITY_MASK = 7;

    /** 32-bit priority of source n at {@code PRIORITY + 4·n}. */
    public static final long PRIORITY = 0x0;
    /** Pending bits, 32 sources per word. */
    public static final long PENDING = 0x1000;
    /** Enable bits of context c at {@code ENABLE + ENABLE_STRIDE·c}, 32 sources per word. */
    public static final long ENABLE = 0x2000;
    public static final long ENABLE_STRIDE = 0x80;
    /** Threshold of context c at {@code CONTEXT + CONTEXT_STRIDE·c}; claim/complete at +4. */
    public static final long CONTEXT = 0x20_0000;
    public static final long CONTEXT_STRIDE = 0x1000;
    public static final long CLAIM = 4;

    public static final long SIZE = CONTEXT + CONTEXTS * CONTEXT_STRIDE;

    private PlicDescriptor()
    {
    }

    public static long enableWord(final int context, final int word)
    {
        return ENABLE + ENABLE_STRIDE * context + 4L * word;
    }

    public static long threshold(final int context)
    {
        return CONTEXT + CONTEXT_STRIDE * context;
    }

    public static long claim(final int context)
    {
        return CONTEXT + CONTEXT_STRIDE * context + CLAIM;
    }
}
