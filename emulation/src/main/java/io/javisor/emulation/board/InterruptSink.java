package io.javisor.emulation.board;

/**
 * Where board devices drive a hart's interrupt-pending lines. {@code mipBit} is the bit number in
 * the {@code mip} CSR (3 MSIP, 7 MTIP, 9 SEIP, 11 MEIP); {@code level} is the new line level.
 */
@FunctionalInterface
public interface InterruptSink
{
    int MSIP = 3;
    int MTIP = 7;
    int SEIP = 9;
    int MEIP = 11;

    void setPending(int mipBit, boolean level);

    /** A sink that ignores everything. */
    InterruptSink NONE = (bit, level) -> { };
}
