package io.javisor.emulation.sbi;

import static io.javisor.emulation.sbi.SbiDescriptor.*;

import io.javisor.emulation.cpu.Bus;
import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.cpu.Interpreter;
import io.javisor.emulation.cpu.MachineFirmware;
import io.javisor.emulation.cpu.StopReason;
import io.javisor.emulation.hypercall.HypercallDescriptor;
import io.javisor.emulation.hypercall.Hypercalls;

/**
 * javisor's SBI firmware for the "builtin" boot mode: the guest kernel runs in S-mode and the
 * host answers its ECALLs as M-mode firmware would, the way KVM and Xen serve RISC-V guests.
 * One hart, hart id 0.
 * <p>
 * Implemented: BASE, TIME, IPI, RFENCE (no hypervisor fences), HSM, SRST, DBCN and the legacy
 * v0.1 extensions 0x00..0x08; with {@link #setHypercalls} also javisor's hypercall extension
 * ({@link HypercallDescriptor#EID}), whose calls go to the domain's {@link Hypercalls}. Anything else
 * answers {@link SbiDescriptor#ERR_NOT_SUPPORTED} in a0 and changes nothing else.
 * <p>
 * The guest is hostile: every argument is validated, guest memory is reached only inside the RAM
 * window given to the constructor and only through the {@link Bus} (every access checked with
 * {@link Bus#takeFault()}), and nothing here throws. The ECALL path allocates nothing.
 * <p>
 * Stops: {@code hart_stop} and {@code system_reset} (and legacy shutdown) return
 * {@link StopReason#FIRMWARE_STOP}; the board then asks {@link #hartStopped()},
 * {@link #resetRequested()}, {@link #resetType()} and {@link #resetReason()} what happened, and
 * calls {@link #reset()} before it boots the hart again.
 * <p>
 * Not thread safe: called on the hart's thread only (the statistics may be read racily).
 */
public final class SbiFirmware implements MachineFirmware
{
    /** The most bytes one DBCN console_write or console_read moves; the spec allows fewer. */
    public static final int CONSOLE_CHUNK = 4096;

    private static final long STIP = 1L << CpuState.IRQ_STIP;
    private static final long SSIP = 1L << CpuState.IRQ_SSIP;
    private static final long HART_ID = 0;

    private static final long SATP_MODE_SV39 = 8;
    private static final long PTE_V = 1;
    private static final long PTE_R = 1 << 1;
    private static final long PTE_W = 1 << 2;
    private static final long PTE_X = 1 << 3;
    private static final long PTE_U = 1 << 4;
    private static final long PTE_A = 1 << 6;
    private static final long PPN_MASK = (1L << 44) - 1;
    private static final long NO_ADDRESS = -1;

    private final Bus bus;
    private final SbiPlatform platform;
    private final long ramBase;
    private final long ramSize;
    private final byte[] consoleBuffer = new byte[CONSOLE_CHUNK];
    private final long[] ecalls = new long[STAT_COUNT];

    private boolean hartStopped;
    private boolean resetRequested;
    private int resetType;
    private int resetReason;
    private long consoleBytesOut;
    private long consoleBytesIn;
    private long suspends;
    private Hypercalls hypercalls;
    /** Set by a hypercall that blocks the vCPU, taken by the board ({@link #takeBlocked()}). */
    private boolean blocked;
    private boolean hypercallShutdown;

    /**
     * @param bus guest physical memory, for DBCN buffers and legacy hart-mask pointers
     * @param platform the board
     * @param ramBase guest-physical base of RAM
     * @param ramSize RAM size in bytes (> 0); guest buffers must lie entirely within
     *                {@code [ramBase, ramBase + ramSize)}, so no MMIO register is ever touched
     */
    public SbiFirmware(final Bus bus, final SbiPlatform platform, final long ramBase, final long ramSize)
    {
        if (bus == null || platform == null)
        {
            throw new NullPointerException("bus and platform are required");
        }
        if (ramSize <= 0 || Long.compareUnsigned(ramBase + ramSize - 1, ramBase) < 0)
        {
            throw new IllegalArgumentException("bad RAM window");
        }
        this.bus = bus;
        this.platform = platform;
        this.ramBase = ramBase;
        this.ramSize = ramSize;
    }

    /**
     * Put a hart into the state OpenSBI leaves it in when it jumps to the next stage, for the
     * builtin boot mode where no guest M-mode code exists: S-mode at {@code entry} with
     * a0 = hart id, a1 = {@code dtb}, MMU off, S interrupts disabled; every S-level interrupt and
     * every delegable exception apart from ECALL-from-S (the firmware's) delegated to S, since
     * nothing would answer at {@code mtvec}; as OpenSBI leaves them, every counter readable from S
     * (mcounteren all ones) and cycle, time and instret from U (scounteren = 7), so that a user
     * program reading the clock through the vDSO ({@code rdtime}) works under a kernel that
     * leaves scounteren alone.
     * The caller flushes the interpreter's TLB if satp was set before.
     */
    public static void enterSupervisor(final CpuState cpu, final long entry, final long dtb)
    {
        cpu.priv = CpuState.PRIV_S;
        cpu.pc = entry;
        cpu.x[10] = cpu.mhartid;
        cpu.x[11] = dtb;
        cpu.satp = 0;
        cpu.mstatus &= ~(CpuState.MSTATUS_SIE | CpuState.MSTATUS_MPRV);
        cpu.mideleg = CpuState.IRQ_S_ALL;
        cpu.medeleg = CpuState.MEDELEG_WRITABLE & ~(1L << 9);
        cpu.mcounteren = Interpreter.COUNTEREN_MASK;
        cpu.scounteren = 7;
        cpu.reservation = -1;
    }

    /**
     * Answer javisor's hypercall extension with {@code hypercalls} (null: not supported, the default).
     * The board then also asks {@link #takeBlocked()} after a {@link StopReason#WFI} and
     * {@link #hypercallShutdown()} after a {@link StopReason#FIRMWARE_STOP}.
     */
    public void setHypercalls(final Hypercalls hypercalls)
    {
        this.hypercalls = hypercalls;
    }

    public Hypercalls hypercalls()
    {
        return hypercalls;
    }

    /** @return whether the last WFI stop was a hypercall that blocks the vCPU; clears it. */
    public boolean takeBlocked()
    {
        final boolean was = blocked;
        blocked = false;
        return was;
    }

    /** @return whether the domain shut down through a hypercall (reason: {@link Hypercalls#shutdownReason()}). */
    public boolean hypercallShutdown()
    {
        return hypercallShutdown;
    }

    // ---------------------------------------------------------------- board-facing state

    /** @return whether the hart called HSM hart_stop. */
    public boolean hartStopped()
    {
        return hartStopped;
    }

    /** @return whether the guest asked for a system reset or shutdown (SRST or legacy shutdown). */
    public boolean resetRequested()
    {
        return resetRequested;
    }

    /** @return the requested reset type ({@link SbiDescriptor#SRST_TYPE_SHUTDOWN} ...), valid when {@link #resetRequested()}. */
    public int resetType()
    {
        return resetType;
    }

    /** @return the reset reason ({@link SbiDescriptor#SRST_REASON_NONE} ...), valid when {@link #resetRequested()}. */
    public int resetReason()
    {
        return resetReason;
    }

    /** Forget a stop or reset request: the board calls this before it starts the hart again. */
    public void reset()
    {
        blocked = false;
        hypercallShutdown = false;
        hartStopped = false;
        resetRequested = false;
        resetType = 0;
        resetReason = 0;
    }

    /** @param stat one of the {@code STAT_} slots of {@link SbiDescriptor} */
    public long ecallCount(final int stat)
    {
        return ecalls[stat];
    }

    public long ecallTotal()
    {
        long total = 0;
        for (final long n : ecalls)
        {
            total += n;
        }
        return total;
    }

    public long consoleBytesOut()
    {
        return consoleBytesOut;
    }

    public long consoleBytesIn()
    {
        return consoleBytesIn;
    }

    public long suspendCount()
    {
        return suspends;
    }

    // ---------------------------------------------------------------- dispatch

    @Override
    public StopReason ecallFromSupervisor(final CpuState cpu)
    {
        final long[] x = cpu.x;
        final long eid = x[17];
        if (eid != (int)eid)
        {
            // EIDs are sign-extended 32-bit values; garbage in the upper half names nothing.
            return unknown(x);
        }
        switch ((int)eid)
        {
            case EID_BASE: ecalls[STAT_BASE]++; return base(x);
            case EID_TIME: ecalls[STAT_TIME]++; return time(cpu);
            case EID_IPI: ecalls[STAT_IPI]++; return ipi(cpu);
            case EID_RFENCE: ecalls[STAT_RFENCE]++; return rfence(x);
            case EID_HSM: ecalls[STAT_HSM]++; return hsm(cpu);
            case EID_SRST: ecalls[STAT_SRST]++; return srst(x);
            case EID_DBCN: ecalls[STAT_DBCN]++; return dbcn(x);
            case HypercallDescriptor.EID: return hypercall(x);
            case EID_LEGACY_SET_TIMER:
            case EID_LEGACY_CONSOLE_PUTCHAR:
            case EID_LEGACY_CONSOLE_GETCHAR:
            case EID_LEGACY_CLEAR_IPI:
            case EID_LEGACY_SEND_IPI:
            case EID_LEGACY_REMOTE_FENCE_I:
            case EID_LEGACY_REMOTE_SFENCE_VMA:
            case EID_LEGACY_REMOTE_SFENCE_VMA_ASID:
            case EID_LEGACY_SHUTDOWN:
                ecalls[STAT_LEGACY]++;
                return legacy(cpu, (int)eid);
            default:
                return unknown(x);
        }
    }

    private StopReason hypercall(final long[] x)
    {
        final Hypercalls handler = hypercalls;
        if (handler == null)
        {
            return unknown(x);
        }
        ecalls[STAT_HYPERCALL]++;
        final int outcome = handler.call(fid(x), x);
        platform.hypercallDone();
        if (outcome == Hypercalls.BLOCK)
        {
            blocked = true;
            return StopReason.WFI;
        }
        if (outcome == Hypercalls.SHUTDOWN)
        {
            hypercallShutdown = true;
            return StopReason.FIRMWARE_STOP;
        }
        return null;
    }

    private StopReason unknown(final long[] x)
    {
        ecalls[STAT_UNKNOWN]++;
        x[10] = ERR_NOT_SUPPORTED;
        return null;
    }

    private static StopReason notSupported(final long[] x)
    {
        x[10] = ERR_NOT_SUPPORTED;
        return null;
    }

    private static StopReason ret(final long[] x, final long error, final long value)
    {
        x[10] = error;
        x[11] = value;
        return null;
    }

    /** @return whether {@code id} is an EID this firmware answers. */
    public static boolean implemented(final long id)
    {
        if (id != (int)id)
        {
            return false;
        }
        switch ((int)id)
        {
            case EID_LEGACY_SET_TIMER:
            case EID_LEGACY_CONSOLE_PUTCHAR:
            case EID_LEGACY_CONSOLE_GETCHAR:
            case EID_LEGACY_CLEAR_IPI:
            case EID_LEGACY_SEND_IPI:
            case EID_LEGACY_REMOTE_FENCE_I:
            case EID_LEGACY_REMOTE_SFENCE_VMA:
            case EID_LEGACY_REMOTE_SFENCE_VMA_ASID:
            case EID_LEGACY_SHUTDOWN:
            case EID_BASE:
            case EID_TIME:
            case EID_IPI:
            case EID_RFENCE:
            case EID_HSM:
            case EID_SRST:
            case EID_DBCN:
                return true;
            default:
                return false;
        }
    }

    /** FIDs are sign-extended 32-bit values too; anything else maps to -1, which no extension uses. */
    private static int fid(final long[] x)
    {
        final long fid = x[16];
        return fid == (int)fid ? (int)fid : -1;
    }

    // ---------------------------------------------------------------- BASE

    private StopReason base(final long[] x)
    {
        switch (fid(x))
        {
            case FID_BASE_GET_SPEC_VERSION: return ret(x, SUCCESS, SPEC_VERSION);
            case FID_BASE_GET_IMPL_ID: return ret(x, SUCCESS, IMPL_ID);
            case FID_BASE_GET_IMPL_VERSION: return ret(x, SUCCESS, IMPL_VERSION);
            case FID_BASE_PROBE_EXTENSION:
                return ret(x, SUCCESS, implemented(x[10]) || hypercalls != null && x[10] == HypercallDescriptor.EID ? 1 : 0);
            case FID_BASE_GET_MVENDORID:
            case FID_BASE_GET_MARCHID:
            case FID_BASE_GET_MIMPID:
                return ret(x, SUCCESS, 0);
            default: return notSupported(x);
        }
    }

    // ---------------------------------------------------------------- TIME

    private StopReason time(final CpuState cpu)
    {
        final long[] x = cpu.x;
        if (fid(x) != FID_TIME_SET_TIMER)
        {
            return notSupported(x);
        }
        setTimer(cpu, x[10]);
        return ret(x, SUCCESS, 0);
    }

    private void setTimer(final CpuState cpu, final long stimeValue)
    {
        cpu.mip &= ~STIP;
        platform.setSupervisorTimer(stimeValue);
        if (Long.compareUnsigned(platform.mtime(), stimeValue) >= 0)
        {
            // Already due: pending at once rather than at the board's next timer check.
            cpu.mip |= STIP;
        }
    }

    // ---------------------------------------------------------------- IPI and RFENCE

    /**
     * @return whether the harts named by a (hart_mask, hart_mask_base) pair all exist. Only set
     * bits name harts; base -1 means all harts. With one hart: base 0 and bit 0 only.
     */
    private static boolean validHartMask(final long mask, final long base)
    {
        if (base == HART_MASK_BASE_ALL || mask == 0)
        {
            return true;
        }
        return base == HART_ID && (mask & ~1L) == 0;
    }

    /** @return whether the mask (already validated) names hart 0. */
    private static boolean namesHart0(final long mask, final long base)
    {
        return base == HART_MASK_BASE_ALL || (mask & 1L) != 0;
    }

    private StopReason ipi(final CpuState cpu)
    {
        final long[] x = cpu.x;
        if (fid(x) != FID_IPI_SEND_IPI)
        {
            return notSupported(x);
        }
        final long mask = x[10];
        final long base = x[11];
        if (!validHartMask(mask, base))
        {
            return ret(x, ERR_INVALID_PARAM, 0);
        }
        if (namesHart0(mask, base))
        {
            cpu.mip |= SSIP;
        }
        return ret(x, SUCCESS, 0);
    }

    private StopReason rfence(final long[] x)
    {
        final int fid = fid(x);
        switch (fid)
        {
            case FID_RFENCE_REMOTE_FENCE_I:
            case FID_RFENCE_REMOTE_SFENCE_VMA:
            case FID_RFENCE_REMOTE_SFENCE_VMA_ASID:
                break;
            default:
                // Including the hypervisor-extension fences (FIDs 3..6): no H extension here.
                return notSupported(x);
        }
        final long mask = x[10];
        final long base = x[11];
        if (!validHartMask(mask, base))
        {
            return ret(x, ERR_INVALID_PARAM, 0);
        }
        if (namesHart0(mask, base))
        {
            if (fid == FID_RFENCE_REMOTE_FENCE_I)
            {
                platform.flushInstructionCache();
            }
            else
            {
                // Any start/size/asid is served by a full flush, which is always correct.
                platform.flushTlb();
            }
        }
        return ret(x, SUCCESS, 0);
    }

    // ---------------------------------------------------------------- HSM

    private StopReason hsm(final CpuState cpu)
    {
        final long[] x = cpu.x;
        switch (fid(x))
        {
            case FID_HSM_HART_START:
                // The only hart is the one calling, so it is running.
                return ret(x, x[10] == HART_ID ? ERR_ALREADY_AVAILABLE : ERR_INVALID_PARAM, 0);
            case FID_HSM_HART_STOP:
                hartStopped = true;
                return StopReason.FIRMWARE_STOP;
            case FID_HSM_HART_GET_STATUS:
                return x[10] == HART_ID ? ret(x, SUCCESS, HSM_STATE_STARTED) : ret(x, ERR_INVALID_PARAM, 0);
            case FID_HSM_HART_SUSPEND:
                return suspend(cpu);
            default:
                return notSupported(x);
        }
    }

    private StopReason suspend(final CpuState cpu)
    {
        final long[] x = cpu.x;
        final long type = x[10];
        final long resumeAddr = x[11];
        final long opaque = x[12];
        if (type == HSM_SUSPEND_RETENTIVE)
        {
            suspends++;
            ret(x, SUCCESS, 0);
            return StopReason.WFI;
        }
        if (type != HSM_SUSPEND_NON_RETENTIVE)
        {
            // Reserved, platform-specific (none implemented) or wider than 32 bits.
            return ret(x, ERR_INVALID_PARAM, 0);
        }
        // Resume must be able to fetch there: inside RAM, halfword aligned (C extension).
        if ((resumeAddr & 1) != 0 || !inRam(resumeAddr, 2))
        {
            return ret(x, ERR_INVALID_ADDRESS, 0);
        }
        suspends++;
        // Resume state per the spec: S-mode at resume_addr, satp = 0, sstatus.SIE = 0,
        // a0 = hart id, a1 = opaque. The other registers are kept (the spec leaves them undefined).
        cpu.priv = CpuState.PRIV_S;
        cpu.satp = 0;
        platform.flushTlb();
        cpu.mstatus &= ~CpuState.MSTATUS_SIE;
        cpu.reservation = -1;
        x[10] = HART_ID;
        x[11] = opaque;
        cpu.pc = resumeAddr;
        return StopReason.WFI;
    }

    // ---------------------------------------------------------------- SRST

    private StopReason srst(final long[] x)
    {
        if (fid(x) != FID_SRST_SYSTEM_RESET)
        {
            return notSupported(x);
        }
        final long type = x[10];
        final long reason = x[11];
        if (type < SRST_TYPE_SHUTDOWN || type > SRST_TYPE_WARM_REBOOT ||
            reason < SRST_REASON_NONE || reason > SRST_REASON_SYSTEM_FAILURE)
        {
            // Reserved, vendor-specific (none implemented) or wider than 32 bits.
            return ret(x, ERR_INVALID_PARAM, 0);
        }
        return requestReset((int)type, (int)reason);
    }

    private StopReason requestReset(final int type, final int reason)
    {
        resetRequested = true;
        resetType = type;
        resetReason = reason;
        return StopReason.FIRMWARE_STOP;
    }

    // ---------------------------------------------------------------- DBCN

    private StopReason dbcn(final long[] x)
    {
        switch (fid(x))
        {
            case FID_DBCN_CONSOLE_WRITE: return consoleWrite(x);
            case FID_DBCN_CONSOLE_READ: return consoleRead(x);
            case FID_DBCN_CONSOLE_WRITE_BYTE:
                platform.consoleWrite((int)(x[10] & 0xFF));
                consoleBytesOut++;
                return ret(x, SUCCESS, 0);
            default: return notSupported(x);
        }
    }

    /**
     * @return whether {@code [pa, pa + length)} lies in RAM, with every quantity unsigned and no
     * wrap-around; {@code length} > 0.
     */
    private boolean inRam(final long pa, final long length)
    {
        final long off = pa - ramBase;
        return Long.compareUnsigned(pa, ramBase) >= 0 &&
            Long.compareUnsigned(length, ramSize) <= 0 &&
            Long.compareUnsigned(off, ramSize - length) <= 0;
    }

    /**
     * Checks a DBCN (num_bytes, base_addr_lo, base_addr_hi) buffer against RAM.
     * @return the number of bytes to move this call (≤ {@link #CONSOLE_CHUNK}), or -1 if invalid
     */
    private long consoleChunk(final long numBytes, final long lo, final long hi)
    {
        // A physical address above 2^64 is nowhere; the whole stated range must be RAM.
        if (hi != 0 || !inRam(lo, numBytes))
        {
            return -1;
        }
        return Long.compareUnsigned(numBytes, CONSOLE_CHUNK) > 0 ? CONSOLE_CHUNK : numBytes;
    }

    private StopReason consoleWrite(final long[] x)
    {
        final long numBytes = x[10];
        if (numBytes == 0)
        {
            return ret(x, SUCCESS, 0);
        }
        final long n = consoleChunk(numBytes, x[11], x[12]);
        if (n < 0)
        {
            return ret(x, ERR_INVALID_PARAM, 0);
        }
        // Read everything first so that a fault writes nothing at all.
        final long addr = x[11];
        final byte[] buffer = consoleBuffer;
        for (int i = 0; i < n; i++)
        {
            final long b = bus.load8(addr + i);
            if (bus.takeFault())
            {
                return ret(x, ERR_INVALID_PARAM, 0);
            }
            buffer[i] = (byte)b;
        }
        for (int i = 0; i < n; i++)
        {
            platform.consoleWrite(buffer[i] & 0xFF);
        }
        consoleBytesOut += n;
        return ret(x, SUCCESS, n);
    }

    private StopReason consoleRead(final long[] x)
    {
        final long numBytes = x[10];
        if (numBytes == 0)
        {
            return ret(x, SUCCESS, 0);
        }
        final long n = consoleChunk(numBytes, x[11], x[12]);
        if (n < 0)
        {
            return ret(x, ERR_INVALID_PARAM, 0);
        }
        final long addr = x[11];
        long count = 0;
        while (count < n)
        {
            final int c = platform.consoleRead();
            if (c < 0)
            {
                break;
            }
            bus.store8(addr + count, c & 0xFF);
            if (bus.takeFault())
            {
                consoleBytesIn += count;
                return ret(x, ERR_FAILED, count);
            }
            count++;
        }
        consoleBytesIn += count;
        return ret(x, SUCCESS, count);
    }

    // ---------------------------------------------------------------- legacy (v0.1)

    /** Legacy calls ignore a6, return only in a0 and leave a1 alone. */
    private StopReason legacy(final CpuState cpu, final int eid)
    {
        final long[] x = cpu.x;
        switch (eid)
        {
            case EID_LEGACY_SET_TIMER:
                setTimer(cpu, x[10]);
                x[10] = 0;
                return null;
            case EID_LEGACY_CONSOLE_PUTCHAR:
                platform.consoleWrite((int)(x[10] & 0xFF));
                consoleBytesOut++;
                x[10] = 0;
                return null;
            case EID_LEGACY_CONSOLE_GETCHAR:
            {
                final int c = platform.consoleRead();
                if (c >= 0)
                {
                    consoleBytesIn++;
                    x[10] = c & 0xFF;
                }
                else
                {
                    x[10] = -1;
                }
                return null;
            }
            case EID_LEGACY_CLEAR_IPI:
            {
                final boolean pending = (cpu.mip & SSIP) != 0;
                cpu.mip &= ~SSIP;
                x[10] = pending ? 1 : 0;
                return null;
            }
            case EID_LEGACY_SEND_IPI:
            case EID_LEGACY_REMOTE_FENCE_I:
            case EID_LEGACY_REMOTE_SFENCE_VMA:
            case EID_LEGACY_REMOTE_SFENCE_VMA_ASID:
                return legacyHartMaskCall(cpu, eid);
            case EID_LEGACY_SHUTDOWN:
            default:
                return requestReset(SRST_TYPE_SHUTDOWN, SRST_REASON_NONE);
        }
    }

    /**
     * The legacy IPI and fence calls take a pointer (a supervisor virtual address, or 0 for all
     * harts) to a hart bit-vector; one hart means one doubleword.
     */
    private StopReason legacyHartMaskCall(final CpuState cpu, final int eid)
    {
        final long[] x = cpu.x;
        final long pointer = x[10];
        final long mask;
        if (pointer == 0)
        {
            mask = 1L;
        }
        else
        {
            final long pa = translateForRead(cpu, pointer);
            if (pa == NO_ADDRESS || (pointer & 7) != 0 || !inRam(pa, 8))
            {
                x[10] = ERR_INVALID_ADDRESS;
                return null;
            }
            mask = bus.load64(pa);
            if (bus.takeFault())
            {
                x[10] = ERR_INVALID_ADDRESS;
                return null;
            }
        }
        if ((mask & ~1L) != 0)
        {
            x[10] = ERR_INVALID_PARAM;
            return null;
        }
        if (mask != 0)
        {
            switch (eid)
            {
                case EID_LEGACY_SEND_IPI: cpu.mip |= SSIP; break;
                case EID_LEGACY_REMOTE_FENCE_I: platform.flushInstructionCache(); break;
                default: platform.flushTlb(); break;
            }
        }
        x[10] = 0;
        return null;
    }

    /**
     * Translate a supervisor virtual address for a firmware read, as an M-mode load with
     * MPRV = 1, MPP = S would: bare when satp is off, else an Sv39 walk. Read-only: accessed and
     * dirty bits are not updated (the hardware may do that or fault; the firmware just refuses
     * a leaf without A). Every PTE is read through the bus and must lie in RAM.
     * @return the physical address, or {@link #NO_ADDRESS}
     */
    private long translateForRead(final CpuState cpu, final long va)
    {
        final long satp = cpu.satp;
        final long mode = satp >>> 60;
        if (mode == 0)
        {
            return va;
        }
        if (mode != SATP_MODE_SV39 || (va << 25 >> 25) != va)
        {
            return NO_ADDRESS;
        }
        long table = (satp & PPN_MASK) << 12;
        for (int level = 2; level >= 0; level--)
        {
            final long pteAddr = table + ((va >>> (12 + 9 * level)) & 0x1FF) * 8;
            if (!inRam(pteAddr, 8))
            {
                return NO_ADDRESS;
            }
            final long pte = bus.load64(pteAddr);
            if (bus.takeFault() || (pte & PTE_V) == 0 || (pte & (PTE_R | PTE_W)) == PTE_W)
            {
                return NO_ADDRESS;
            }
            final long ppn = (pte >>> 10) & PPN_MASK;
            if ((pte & (PTE_R | PTE_X)) != 0)
            {
                final boolean readable = (pte & PTE_R) != 0 ||
                    ((pte & PTE_X) != 0 && (cpu.mstatus & CpuState.MSTATUS_MXR) != 0);
                final long pageBits = 12 + 9 * level;
                final long superMask = (1L << (9 * level)) - 1;
                final boolean userPageDenied = (pte & PTE_U) != 0 && (cpu.mstatus & CpuState.MSTATUS_SUM) == 0;
                if (!readable || userPageDenied || (pte & PTE_A) == 0 || (ppn & superMask) != 0)
                {
                    return NO_ADDRESS;
                }
                return (ppn << 12) | (va & ((1L << pageBits) - 1));
            }
            table = ppn << 12;
        }
        return NO_ADDRESS;
    }
}
