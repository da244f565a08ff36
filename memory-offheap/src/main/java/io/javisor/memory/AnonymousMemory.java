package io.javisor.memory;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Private anonymous host memory through {@code mmap(MAP_ANONYMOUS | MAP_NORESERVE)}: the host
 * commits a page only when it is first touched, and {@code madvise(MADV_DONTNEED)} gives pages
 * back (they then read as zeros). The one place javisor calls these system calls (Linux values).
 * Addresses cross the native boundary as plain longs (the same register on LP64).
 * <p>
 * Thread-safe (stateless but for {@link #mappedBytes()}, an atomic count every caller adds to). Every
 * mapping is unmapped whole, by the one that made it, so the count is what is mapped now.
 */
public final class AnonymousMemory
{
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;
    private static final int MADV_DONTNEED = 4;
    private static final long MAP_FAILED = -1L;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;
    /** Bytes mapped by {@link #map} and not yet unmapped: how leak tests see a RAM disk nobody closed. */
    private static final AtomicLong MAPPED_BYTES = new AtomicLong();

    static
    {
        final Linker linker = Linker.nativeLinker();
        MMAP = linker.downcallHandle(
            linker.defaultLookup().find("mmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        MUNMAP = linker.downcallHandle(
            linker.defaultLookup().find("munmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        MADVISE = linker.downcallHandle(
            linker.defaultLookup().find("madvise").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    }

    private AnonymousMemory()
    {
    }

    /**
     * @return the address of {@code length} fresh zero bytes, lazily committed.
     * @throws IllegalStateException when the host refuses the mapping.
     */
    public static long map(final long length)
    {
        final long address;
        try
        {
            address = (long)MMAP.invokeExact(0L, length, PROT_READ_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("mmap of " + length + " bytes failed: " + t, t);
        }
        if (address == MAP_FAILED || address == 0L)
        {
            throw new IllegalStateException("mmap of " + length + " bytes of anonymous memory failed");
        }
        MAPPED_BYTES.addAndGet(length);
        return address;
    }

    /**
     * @return true when the range was unmapped.
     */
    public static boolean unmap(final long address, final long length)
    {
        final boolean unmapped;
        try
        {
            unmapped = (int)MUNMAP.invokeExact(address, length) == 0;
        }
        catch (final Throwable t)
        {
            return false;
        }
        if (unmapped)
        {
            MAPPED_BYTES.addAndGet(-length);
        }
        return unmapped;
    }

    /**
     * @return bytes of anonymous memory javisor has mapped through {@link #map} and not unmapped (the
     * machine's frame pool, RAM disks), whether or not the host has committed them.
     */
    public static long mappedBytes()
    {
        return MAPPED_BYTES.get();
    }

    /**
     * Gives the pages of a page-aligned range back to the host; they read as zeros afterwards.
     *
     * @return false when the host refused (the caller then zeroes the range itself).
     */
    public static boolean dontNeed(final long address, final long length)
    {
        try
        {
            return (int)MADVISE.invokeExact(address, length, MADV_DONTNEED) == 0;
        }
        catch (final Throwable t)
        {
            return false;
        }
    }
}
