package io.javisor.emulation.board;

/** Register layout of the SiFive test finisher ({@code sifive_test}) as mapped on QEMU {@code virt}. */
public final class TestFinisherDescriptor
{
    public static final long BASE = 0x10_0000L;
    public static final long SIZE = 0x1000L;
    /** The single 32-bit command register. */
    public static final long FINISHER = 0x0;
    public static final int FAIL = 0x3333;
    public static final int PASS = 0x5555;
    public static final int RESET = 0x7777;

    private TestFinisherDescriptor()
    {
    }
}
