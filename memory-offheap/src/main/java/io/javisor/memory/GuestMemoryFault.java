package io.javisor.memory;

/**
 * An access outside a domain's guest-physical memory. The caller turns it into a guest fault
 * (an access fault trap, an error response); it never reaches host memory.
 */
public final class GuestMemoryFault extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final long address;
    private final long length;

    public GuestMemoryFault(final long address, final long length, final long size)
    {
        super("guest-physical access 0x" + Long.toHexString(address) + "+" + length +
            " outside memory of 0x" + Long.toHexString(size) + " bytes", null, false, false);
        this.address = address;
        this.length = length;
    }

    public long address()
    {
        return address;
    }

    public long length()
    {
        return length;
    }
}
