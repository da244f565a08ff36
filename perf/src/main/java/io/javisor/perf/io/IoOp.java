package io.javisor.perf.io;

/** What one block request does. The codes are the disk-io guests' and the trace's. Immutable. */
public enum IoOp
{
    READ,
    WRITE;

    public int code()
    {
        return ordinal();
    }

    public static IoOp of(final int code)
    {
        return switch (code)
        {
            case 0 -> READ;
            case 1 -> WRITE;
            default -> throw new IllegalArgumentException("no such op code: " + code);
        };
    }

    public String label()
    {
        return this == READ ? "read" : "write";
    }
}
