package io.javisor.emulation.board;

/** An {@link InterruptSink} that keeps the current level of each mip bit. */
final class RecordingSink implements InterruptSink
{
    long mip;
    int changes;

    @Override
    public void setPending(final int mipBit, final boolean level)
    {
        changes++;
        mip = level ? mip | 1L << mipBit : mip & ~(1L << mipBit);
    }

    boolean is(final int mipBit)
    {
        return (mip & 1L << mipBit) != 0;
    }
}
