package io.javisor.emulation.cpu;

/**
 * Architectural state of one RV64 hart, shared by the interpreter and (later) the JVM-bytecode
 * translator.
 * <p>
 * Layout choice: plain public fields, no accessors on the hot path. Generated code reaches a
 * register with {@code getfield x; bipush n; laload/lastore}; the array is final, so the JIT
 * hoists the array load and bounds checks out of translated blocks. The CSRs are separate long
 * fields (not an array indexed by CSR number) so a translated block touches them with a single
 * {@code getfield}/{@code putfield}. {@code x[0]} is kept at zero by never writing it: every
 * writer skips {@code rd == 0} (the translator can drop such writes at translation time).
 * <p>
 * {@link #instret} counts retired instructions exactly: an instruction that raises an exception
 * does not retire and is not counted. The cycle and time CSRs read as {@code instret} until a
 * real timer exists.
 */
public final class CpuState
{
    public static final int PRIV_U = 0;
    public static final int PRIV_S = 1;
    public static final int PRIV_M = 3;

    /** mstatus bits this implementation keeps (the rest read as zero, apart from UXL/SXL). */
    public static final long MSTATUS_SIE = 1L << 1;
    public static final long MSTATUS_MIE = 1L << 3;
    public static final long MSTATUS_SPIE = 1L << 5;
    public static final long MSTATUS_MPIE = 1L << 7;
    public static final long MSTATUS_SPP = 1L << 8;
    public static final int MSTATUS_MPP_SHIFT = 11;
    public static final long MSTATUS_MPP = 3L << MSTATUS_MPP_SHIFT;
    /** S-mode is not implemented yet, so SIE/SPIE/SPP read as zero. */
    public static final long MSTATUS_WRITABLE = MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP;
    /** UXL = SXL = 2 (64-bit), read-only. */
    public static final long MSTATUS_FIXED = 2L << 32 | 2L << 34;

    /**
     * MXL = 2 (RV64) with the A, C, I and M extensions and U-mode (MRET can drop to U); no F/D, and
     * no S until S-mode (SRET, delegation, satp) exists.
     */
    public static final long MISA = 2L << 62 | 1L << ('A' - 'A') | 1L << ('C' - 'A') | 1L << ('I' - 'A') |
        1L << ('M' - 'A') | 1L << ('U' - 'A');

    /** General purpose registers; x[0] is never written. */
    public final long[] x = new long[32];
    public long pc;
    /** Exactly the number of instructions retired since reset. */
    public long instret;
    /** Current privilege mode: {@link #PRIV_M}, {@link #PRIV_S} or {@link #PRIV_U}. */
    public int priv = PRIV_M;

    /** Writable mstatus bits only; read through {@link #mstatus()}. */
    public long mstatus;
    /** Trap vector; bit 1 is kept zero (mode 0 direct or 1 vectored). */
    public long mtvec;
    public long mepc;
    public long mcause;
    public long mtval;
    public long mscratch;
    public final long mhartid;

    /** LR/SC reservation: the reserved physical address, or -1 for none. */
    public long reservation = -1;

    public CpuState()
    {
        this(0);
    }

    public CpuState(final long hartId)
    {
        this.mhartid = hartId;
    }

    public long mstatus()
    {
        return mstatus | MSTATUS_FIXED;
    }

    public void writeMstatus(final long value)
    {
        long v = value & MSTATUS_WRITABLE;
        final long mpp = (v & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT;
        if (mpp != PRIV_M && mpp != PRIV_U)
        {
            // MPP is WARL: S is not implemented and 2 is reserved, so keep the old legal value.
            v = (v & ~MSTATUS_MPP) | (mstatus & MSTATUS_MPP);
        }
        mstatus = v;
    }

    public long reg(final int i)
    {
        return x[i];
    }

    public void setReg(final int i, final long value)
    {
        if (i != 0)
        {
            x[i] = value;
        }
    }
}
