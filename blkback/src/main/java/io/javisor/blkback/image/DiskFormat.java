package io.javisor.blkback.image;

/**
 * The {@code format=} of a disk spec.
 */
public enum DiskFormat
{
    /** A raw image file, byte for byte the disk; the target is its path. */
    RAW("raw"),
    /** javisor's RAM disk, zero-filled and gone with the domain; the target is its size (64M, 1G). */
    RAM("ram");

    private final String specName;

    DiskFormat(final String specName)
    {
        this.specName = specName;
    }

    /**
     * The name as written in a disk spec.
     */
    public String specName()
    {
        return specName;
    }

    /**
     * @return the format named {@code name} in a disk spec, or null.
     */
    public static DiskFormat fromSpecName(final String name)
    {
        for (final DiskFormat format : values())
        {
            if (format.specName.equals(name))
            {
                return format;
            }
        }
        return null;
    }

    @Override
    public String toString()
    {
        return specName;
    }
}
