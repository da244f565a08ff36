package io.javisor.emulation.loader;

/**
 * Places the PT_LOAD segments of an {@link ElfImage} at their physical addresses.
 */
public final class ElfLoader
{
    private ElfLoader()
    {
    }

    /**
     * Copy every non-empty PT_LOAD segment's file bytes to its p_paddr and zero-fill the rest of its p_memsz.
     * Every segment is checked against the target before anything is written, so a rejected image
     * leaves the target untouched.
     *
     * @return the span written and the entry point.
     * @throws ElfFormatException naming the first segment that does not fit the target.
     */
    public static LoadedExtent load(final ElfImage image, final LoadTarget target)
    {
        long start = -1L;
        long end = 0;
        for (final ElfSegment segment : image.segments())
        {
            final long memsz = segment.memorySize();
            if (memsz == 0)
            {
                continue;
            }
            final long paddr = segment.physicalAddress();
            // A memsz of 2^63 or more is a negative long; no target is that large, and contains() expects length >= 0.
            if (memsz < 0 || !target.contains(paddr, memsz))
            {
                throw new ElfFormatException("segment " + segment.index() + " at physical 0x"
                    + Long.toHexString(paddr) + " size 0x" + Long.toHexString(memsz) + " lies outside the load target");
            }
            // Unsigned comparisons: -1 as "no start yet" is the largest unsigned value.
            if (Long.compareUnsigned(paddr, start) < 0)
            {
                start = paddr;
            }
            if (Long.compareUnsigned(paddr + memsz, end) > 0)
            {
                end = paddr + memsz;
            }
        }
        if (start == -1L)
        {
            throw new ElfFormatException("no PT_LOAD segment has a non-zero p_memsz");
        }

        final byte[] data = image.data();
        for (final ElfSegment segment : image.segments())
        {
            final long memsz = segment.memorySize();
            if (memsz == 0)
            {
                continue;
            }
            final long paddr = segment.physicalAddress();
            // ElfImage checked fileOffset + fileSize <= file length, so both fit an int.
            final int filesz = (int)segment.fileSize();
            if (filesz > 0)
            {
                target.write(paddr, data, (int)segment.fileOffset(), filesz);
            }
            if (memsz > filesz)
            {
                target.zero(paddr + filesz, memsz - filesz);
            }
        }
        return new LoadedExtent(start, end, image.entry());
    }
}
