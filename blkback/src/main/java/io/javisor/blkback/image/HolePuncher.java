package io.javisor.blkback.image;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * Deallocates byte ranges of a regular file with
 * {@code fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length)}: the range
 * then reads as zeros, the file keeps its size and the file system frees its blocks — what a
 * discard of a raw image means. The JDK exposes no file descriptor of a {@code FileChannel}, so
 * the puncher opens the file once more with {@code open(2)} through the FFM API and keeps that
 * descriptor for punching only; reads and writes stay on the channel (both descriptors name the
 * same inode, so the data is one and the same).
 * <p>
 * Thread safety: {@link #punch} may be called from several threads (fallocate is a system call on
 * an immutable descriptor; a successful punch allocates nothing); {@link #close()} must come after the last punch, which the image
 * guarantees by closing only after its IO executor has stopped. Linux x86_64/aarch64 values,
 * checked against {@code <linux/falloc.h>}, {@code <asm-generic/fcntl.h>} and {@code errno.h}.
 */
final class HolePuncher implements AutoCloseable
{
    static final int FALLOC_FL_KEEP_SIZE = 0x01;
    static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    private static final int O_RDWR = 0x2;
    private static final int O_CLOEXEC = 0x80000; // 02000000 octal
    /** EOPNOTSUPP (= ENOTSUP on Linux): the file system cannot punch holes. */
    static final int EOPNOTSUPP = 95;
    /** ENOSYS: a kernel without fallocate. Treated as EOPNOTSUPP. */
    static final int ENOSYS = 38;
    private static final int EINTR = 4;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle FALLOCATE;
    private static final MethodHandle FALLOCATE_ERRNO;

    static
    {
        final Linker linker = Linker.nativeLinker();
        final Linker.Option errno = Linker.Option.captureCallState("errno");
        // int open(const char *path, int flags, ...): the mode is the first variadic argument.
        OPEN = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            errno, Linker.Option.firstVariadicArg(2));
        CLOSE = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        // int fallocate(int fd, int mode, off_t offset, off_t len), off_t 64-bit on LP64.
        final FunctionDescriptor fallocate = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
        final MemorySegment symbol = linker.defaultLookup().find("fallocate").orElseThrow();
        // Two handles: capturing errno costs an allocation per call (JDK 25), so the common,
        // successful punch goes without, and only a failure is repeated with errno captured
        // (punching the same range again is harmless).
        FALLOCATE = linker.downcallHandle(symbol, fallocate);
        FALLOCATE_ERRNO = linker.downcallHandle(symbol, fallocate, errno);
    }

    private final int fd;

    private HolePuncher(final int fd)
    {
        this.fd = fd;
    }

    /**
     * Opens {@code path} read-write for punching.
     *
     * @return the puncher, or null when the file cannot be opened this way (the image then zeroes).
     */
    static HolePuncher open(final Path path)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment capture = arena.allocate(CAPTURE);
            final int fd = (int)OPEN.invokeExact(capture, arena.allocateFrom(path.toString()), O_RDWR | O_CLOEXEC, 0);
            return fd < 0 ? null : new HolePuncher(fd);
        }
        catch (final Throwable t)
        {
            return null;
        }
    }

    /**
     * Punches [offset, offset + length) out of the file.
     *
     * @return 0, or the positive errno of the failure ({@link #EOPNOTSUPP} when the file system
     * cannot do it).
     */
    int punch(final long offset, final long length)
    {
        try
        {
            if ((int)FALLOCATE.invokeExact(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length) == 0)
            {
                return 0;
            }
        }
        catch (final Throwable t)
        {
            return EOPNOTSUPP;
        }
        return punchCapturingErrno(offset, length);
    }

    private int punchCapturingErrno(final long offset, final long length)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment capture = arena.allocate(CAPTURE);
            while (true)
            {
                final int rc = (int)FALLOCATE_ERRNO.invokeExact(capture, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
                if (rc == 0)
                {
                    return 0;
                }
                final int errno = (int)ERRNO.get(capture, 0L);
                if (errno != EINTR)
                {
                    return errno == ENOSYS ? EOPNOTSUPP : errno;
                }
            }
        }
        catch (final Throwable t)
        {
            return EOPNOTSUPP;
        }
    }

    @Override
    public void close()
    {
        try
        {
            final int ignored = (int)CLOSE.invokeExact(fd);
        }
        catch (final Throwable ignored)
        {
            // Nothing to report to: the descriptor is gone either way.
        }
    }
}
