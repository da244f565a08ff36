package io.javisor.emulation.loader;

/**
 * Thrown when an ELF file is malformed, unsupported, or does not fit where it is to be loaded.
 * The message is one line naming the offending field and value.
 */
public final class ElfFormatException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public ElfFormatException(final String message)
    {
        super(message);
    }
}
