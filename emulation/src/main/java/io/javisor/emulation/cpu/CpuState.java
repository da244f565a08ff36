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
public final class CpuState implements InterruptLines
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
    public static final long MSTATUS_MPRV = 1L << 17;
    public static final long MSTATUS_SUM = 1L << 18;
    public static final long MSTATUS_MXR = 1L << 19;
    /** Trap virtual memory: satp accesses and SFENCE.VMA in S-mode are illegal. */
    public static final long MSTATUS_TVM = 1L << 20;
    /** Timeout wait: WFI below M-mode is illegal (the time limit is zero). */
    public static final long MSTATUS_TW = 1L << 21;
    /** Trap SRET: SRET in S-mode is illegal. */
    public static final long MSTATUS_TSR = 1L << 22;
    /** The FS/VS/XS fields are not implemented (no F, D or V) and read as zero. */
    public static final long MSTATUS_WRITABLE = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE |
        MSTATUS_SPP | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW |
        MSTATUS_TSR;
    /** The mstatus bits that sstatus shows and may write (UXL is shown too, read-only). */
    public static final long SSTATUS_WRITABLE = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM |
        MSTATUS_MXR;
    public static final long SSTATUS_FIXED = 2L << 32;

    /** Interrupt bits of mip/mie. */
    public static final int IRQ_SSIP = 1;
    public static final int IRQ_MSIP = 3;
    public static final int IRQ_STIP = 5;
    public static final int IRQ_MTIP = 7;
    public static final int IRQ_SEIP = 9;
    public static final int IRQ_MEIP = 11;
    /** The interrupts that exist; mie is writable in exactly these bits. */
    public static final long IRQ_ALL = 1L << IRQ_SSIP | 1L << IRQ_MSIP | 1L << IRQ_STIP | 1L << IRQ_MTIP |
        1L << IRQ_SEIP | 1L << IRQ_MEIP;
    /** The S-level interrupts, the only ones mideleg can delegate. */
    public static final long IRQ_S_ALL = 1L << IRQ_SSIP | 1L << IRQ_STIP | 1L << IRQ_SEIP;
    /**
     * Exceptions medeleg can delegate: all the standard causes apart from ECALL from M (11) and
     * the reserved 10 and 14.
     */
    public static final long MEDELEG_WRITABLE = 0xB3FFL;
    /** UXL = SXL = 2 (64-bit), read-only. */
    public static final long MSTATUS_FIXED = 2L << 32 | 2L << 34;

    /** MXL = 2 (RV64) with the A, C, I and M extensions, S-mode and U-mode; no F/D. */
    public static final long MISA = 2L << 62 | 1L << ('A' - 'A') | 1L << ('C' - 'A') | 1L << ('I' - 'A') |
        1L << ('M' - 'A') | 1L << ('S' - 'A') | 1L << ('U' - 'A');

    /**
     * General purpose registers x0..x31, plus {@code x[32]}: a write sink that pre-decoded
     * instructions with {@code rd = x0} write to, so that no fast path tests for x0. x[0] is never
     * written and reads as zero; x[32] holds garbage and is not architectural.
     */
    public final long[] x = new long[33];
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
    public long medeleg;
    public long mideleg;
    public long mie;
    /** Pending interrupts; the M-level bits are driven by devices, not by software. */
    public long mip;
    /** Bit 0 CY, 1 TM, 2 IR: whether the counters may be read below M. Reset value 0. */
    public long mcounteren;
    /** Same, gating U-mode reads (on top of {@link #mcounteren}). */
    public long scounteren;

    public long stvec;
    public long sepc;
    public long scause;
    public long stval;
    public long sscratch;
    /** MODE 0 (bare) or 8 (Sv39); set directly, it needs an {@link Interpreter#flushTlb}. */
    public long satp;

    /**
     * PMP configuration (pmpcfg0 and pmpcfg2, 8 entries each) and addresses (pmpaddr0..15). The
     * registers hold what M-mode writes (WARL, lock bits honoured) but do not restrict accesses.
     */
    public final long[] pmpcfg = new long[2];
    public final long[] pmpaddr = new long[16];

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
        if (mpp == 2)
        {
            // MPP is WARL: 2 is reserved, so keep the old legal value.
            v = (v & ~MSTATUS_MPP) | (mstatus & MSTATUS_MPP);
        }
        mstatus = v;
    }

    @Override
    public void setPending(final int bit, final boolean level)
    {
        final long mask = 1L << bit;
        if ((IRQ_ALL & mask) == 0)
        {
            throw new IllegalArgumentException("no interrupt line " + bit);
        }
        mip = level ? mip | mask : mip & ~mask;
    }

    public long sstatus()
    {
        return mstatus & SSTATUS_WRITABLE | SSTATUS_FIXED;
    }

    public void writeSstatus(final long value)
    {
        mstatus = (mstatus & ~SSTATUS_WRITABLE) | (value & SSTATUS_WRITABLE);
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
