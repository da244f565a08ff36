package io.javisor.core.hypercall;

import io.javisor.memory.GuestMemory;

import static io.javisor.memory.PageDescriptor.PAGE_SHIFT;
import static io.javisor.memory.PageDescriptor.PAGE_SIZE;

/**
 * A domain's RAM as its guest code addresses it: guest-physical {@link #RAM_BASE} upwards, frame
 * numbers counted from {@link #RAM_BASE_FRAME}. Every hypercall argument that names guest memory
 * goes through here once; anything outside RAM (below it, past it, on MMIO, wrapping around) is
 * refused. Stateless apart from the memory it checks against; thread-safe.
 */
public final class GuestRam
{
    /** Where RAM starts on javisor's boards, as on QEMU's virt. */
    public static final long RAM_BASE = 0x8000_0000L;
    public static final long RAM_BASE_FRAME = RAM_BASE >>> PAGE_SHIFT;

    private final GuestMemory memory;

    public GuestRam(final GuestMemory memory)
    {
        this.memory = memory;
    }

    public GuestMemory memory()
    {
        return memory;
    }

    /**
     * @return the offset into {@link GuestMemory} of {@code [gpa, gpa + length)}, or -1 when any of
     * it lies outside RAM or the length is negative (all quantities unsigned, no wrap-around).
     */
    public long offsetOf(final long gpa, final long length)
    {
        if (length < 0 || Long.compareUnsigned(gpa, RAM_BASE) < 0)
        {
            return -1;
        }
        final long offset = gpa - RAM_BASE;
        return memory.isValidRange(offset, length) ? offset : -1;
    }

    /**
     * @return the frame of {@link GuestMemory} (0-based) that the page-aligned {@code gpa} starts,
     * -2 when {@code gpa} is not page aligned, -1 when {@code frames} pages from it are not all RAM.
     */
    public long frameOfPage(final long gpa, final long frames)
    {
        if ((gpa & (PAGE_SIZE - 1)) != 0)
        {
            return -2;
        }
        if (frames <= 0 || frames > Integer.MAX_VALUE)
        {
            return -1;
        }
        final long offset = offsetOf(gpa, frames * PAGE_SIZE);
        return offset < 0 ? -1 : offset >>> PAGE_SHIFT;
    }

    /** @return the guest-physical address of a {@link GuestMemory} offset. */
    public static long addressOf(final long offset)
    {
        return RAM_BASE + offset;
    }
}
