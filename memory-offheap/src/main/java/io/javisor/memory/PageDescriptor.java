package io.javisor.memory;

/**
 * Geometry of a guest frame: javisor, like Xen on x86 and RISC-V, works in 4 KiB frames.
 */
public final class PageDescriptor
{
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    public static final int PAGE_MASK = PAGE_SIZE - 1;

    private PageDescriptor()
    {
    }

    public static long frameOf(final long address)
    {
        return address >>> PAGE_SHIFT;
    }

    public static int offsetInPage(final long address)
    {
        return (int)(address & PAGE_MASK);
    }

    public static long framesFor(final long bytes)
    {
        return (bytes + PAGE_MASK) >>> PAGE_SHIFT;
    }
}
