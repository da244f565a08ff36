package io.javisor.blkback.image;

/**
 * Opens the {@link DiskImage} a {@link DiskSpec} describes.
 */
public final class DiskImages
{
    private DiskImages()
    {
    }

    /**
     * @throws DiskImageException with a one-line message when the image cannot be opened.
     */
    public static DiskImage open(final DiskSpec spec)
    {
        return switch (spec.format())
        {
            case RAW -> RawFileImage.open(spec.targetPath(), spec.readOnly());
            case RAM -> new RamDiskImage(spec.ramSizeBytes(), spec.readOnly());
        };
    }

    /**
     * Parses {@code spec} and opens its image.
     *
     * @throws IllegalArgumentException when the spec does not parse.
     * @throws DiskImageException       when the image cannot be opened.
     */
    public static DiskImage open(final String spec)
    {
        return open(DiskSpec.parse(spec));
    }
}
