package io.javisor.emulation.jit;

/**
 * Static helpers that translated code calls for operations with no single JVM instruction (RISC-V
 * division never traps; set-less-than yields 0 or 1). Small enough that C2 inlines them.
 * Thread safety: stateless.
 */
public final class RegionOps
{
    private static final java.lang.invoke.VarHandle STOP;

    static
    {
        try
        {
            STOP = java.lang.invoke.MethodHandles.lookup()
                .findVarHandle(RegionContext.class, "stopRequested", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /**
     * An opaque read of the stop flag: never hoisted out of a loop, yet no acquire barrier that would
     * keep C2 from moving the loop's other loads.
     */
    public static boolean stopRequested(final RegionContext ctx)
    {
        return (boolean)STOP.getOpaque(ctx);
    }

    private RegionOps()
    {
    }

    public static long slt(final long a, final long b)
    {
        return a < b ? 1 : 0;
    }

    public static long sltu(final long a, final long b)
    {
        return (a ^ Long.MIN_VALUE) < (b ^ Long.MIN_VALUE) ? 1 : 0;
    }

    public static long mulhsu(final long a, final long b)
    {
        return Math.multiplyHigh(a, b) + ((b >> 63) & a);
    }

    public static long div(final long a, final long b)
    {
        // Long.MIN_VALUE / -1 overflows to Long.MIN_VALUE on the JVM, as RISC-V requires.
        return b == 0 ? -1 : a / b;
    }

    public static long divu(final long a, final long b)
    {
        return b == 0 ? -1 : Long.divideUnsigned(a, b);
    }

    public static long rem(final long a, final long b)
    {
        return b == 0 ? a : a % b;
    }

    public static long remu(final long a, final long b)
    {
        return b == 0 ? a : Long.remainderUnsigned(a, b);
    }

    public static long divw(final long a, final long b)
    {
        return (int)b == 0 ? -1 : (int)a / (int)b;
    }

    public static long divuw(final long a, final long b)
    {
        return (int)b == 0 ? -1 : Integer.divideUnsigned((int)a, (int)b);
    }

    public static long remw(final long a, final long b)
    {
        return (int)b == 0 ? (int)a : (int)a % (int)b;
    }

    public static long remuw(final long a, final long b)
    {
        return (int)b == 0 ? (int)a : Integer.remainderUnsigned((int)a, (int)b);
    }
}
