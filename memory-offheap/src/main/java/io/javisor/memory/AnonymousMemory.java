package io.javisor.memory;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Private anonymous host memory through {@code mmap(MAP_ANONYMOUS | MAP_NORESERVE)}: the host
 * commits a page only when it is first touched, and {@code madvise(MADV_DONTNEED)} gives pages
 * back (they then read as zeros). The one place javisor calls these system calls (Linux values).
 * Addresses cross the native boundary as plain longs (the same register on LP64).
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
        return address;
    }

    /**
     * @return true when the range was unmapped.
     */
    public static boolean unmap(final long address, final long length)
    {
        try
        {
            return (int)MUNMAP.invokeExact(address, length) == 0;
        }
        catch (final Throwable t)
        {
            return false;
        }
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
