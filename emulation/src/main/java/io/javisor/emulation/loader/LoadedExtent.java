package io.javisor.emulation.loader;

/**
 * The guest-physical span an {@link ElfLoader#load} call wrote, from the lowest segment start to the
 * highest segment end (exclusive), and the image's entry point.
 */
public record LoadedExtent(long start, long end, long entry)
{
}
