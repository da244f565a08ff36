package io.javisor.perf.io;

/** A net variant that cannot run in this build, holding its place in the table with the reason. Immutable. */
record UnavailableNetVariant(String key, String label, String unavailable) implements NetVariant
{
    @Override
    public NetRun run(final int warmup, final int pings, final int streamFrames, final int streamLength)
    {
        throw new IllegalStateException(unavailable);
    }

    @Override
    public void close()
    {
    }
}
