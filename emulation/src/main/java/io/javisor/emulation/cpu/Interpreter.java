package io.javisor.emulation.cpu;

import io.javisor.emulation.isa.Decoded;
import io.javisor.emulation.isa.Decoder;
import io.javisor.emulation.isa.Opcode;
import io.javisor.emulation.jit.RegionContext;
import io.javisor.emulation.jit.Translator;
import io.javisor.memory.GuestMemory;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.util.function.LongSupplier;

/**
 * A plain fetch-decode-execute interpreter for RV64IMAC + Zicsr with M, S and U modes and Sv39
 * paging (see {@link Sv39}, including MPRV for loads and stores). Exceptions are taken in M-mode to {@code mtvec}, or in S-mode to {@code stvec} when they
 * arise in S or U and are delegated through {@code medeleg}; both vectors in direct mode.
 * <p>
 * Each instruction is fetched through the {@link Bus} and decoded anew. A later optimisation is
 * a per-page cache of decoded words (indexed by (pc & 0xFFF) >> 1, invalidated on stores to the
 * page and on FENCE.I); the translator will supersede both for hot code.
 * <p>
 * Misaligned loads, stores and AMOs trap (cause 4 / 6) rather than being emulated. With C in
 * misa, instruction addresses are only ever 2-byte aligned (JALR clears bit 0, branch and jump
 * offsets are even), so cause 0 cannot arise.
 */
public final class Interpreter
{
    public static final int CAUSE_FETCH_ACCESS = 1;
    public static final int CAUSE_ILLEGAL_INSTRUCTION = 2;
    public static final int CAUSE_BREAKPOINT = 3;
    public static final int CAUSE_LOAD_MISALIGNED = 4;
    public static final int CAUSE_LOAD_ACCESS = 5;
    public static final int CAUSE_STORE_MISALIGNED = 6;
    public static final int CAUSE_STORE_ACCESS = 7;
    public static final int CAUSE_ECALL_U = 8;
    public static final int CAUSE_ECALL_S = 9;
    public static final int CAUSE_ECALL_M = 11;
    public static final int CAUSE_FETCH_PAGE_FAULT = 12;
    public static final int CAUSE_LOAD_PAGE_FAULT = 13;
    public static final int CAUSE_STORE_PAGE_FAULT = 15;

    public static final int CSR_SSTATUS = 0x100;
    public static final int CSR_SIE = 0x104;
    public static final int CSR_STVEC = 0x105;
    public static final int CSR_SCOUNTEREN = 0x106;
    public static final int CSR_SSCRATCH = 0x140;
    public static final int CSR_SEPC = 0x141;
    public static final int CSR_SCAUSE = 0x142;
    public static final int CSR_STVAL = 0x143;
    public static final int CSR_SIP = 0x144;
    public static final int CSR_SATP = 0x180;
    public static final int CSR_MSTATUS = 0x300;
    public static final int CSR_MISA = 0x301;
    public static final int CSR_MEDELEG = 0x302;
    public static final int CSR_MIDELEG = 0x303;
    public static final int CSR_MIE = 0x304;
    public static final int CSR_MTVEC = 0x305;
    public static final int CSR_MCOUNTEREN = 0x306;
    public static final int CSR_MSCRATCH = 0x340;
    public static final int CSR_MEPC = 0x341;
    public static final int CSR_MCAUSE = 0x342;
    public static final int CSR_MTVAL = 0x343;
    public static final int CSR_MIP = 0x344;
    public static final int CSR_CYCLE = 0xC00;
    public static final int CSR_TIME = 0xC01;
    public static final int CSR_INSTRET = 0xC02;
    public static final int CSR_MVENDORID = 0xF11;
    public static final int CSR_MARCHID = 0xF12;
    public static final int CSR_MIMPID = 0xF13;
    public static final int CSR_MHARTID = 0xF14;
    public static final int CSR_MCYCLE = 0xB00;
    public static final int CSR_MINSTRET = 0xB02;
    public static final int CSR_SENVCFG = 0x10A;
    public static final int CSR_MENVCFG = 0x30A;
    public static final int CSR_MCOUNTINHIBIT = 0x320;
    public static final int CSR_MHPMEVENT3 = 0x323;
    public static final int CSR_MHPMEVENT31 = 0x33F;
    public static final int CSR_MHPMCOUNTER3 = 0xB03;
    public static final int CSR_MHPMCOUNTER31 = 0xB1F;
    public static final int CSR_HPMCOUNTER3 = 0xC03;
    public static final int CSR_HPMCOUNTER31 = 0xC1F;
    public static final int CSR_TSELECT = 0x7A0;
    public static final int CSR_TDATA1 = 0x7A1;
    public static final int CSR_TDATA2 = 0x7A2;
    public static final int CSR_TDATA3 = 0x7A3;
    public static final int CSR_TINFO = 0x7A4;
    /** mcounteren and scounteren: one enable bit per counter, cycle (0) to hpmcounter31 (31). */
    public static final long COUNTEREN_MASK = 0xFFFF_FFFFL;
    public static final int CSR_PMPCFG0 = 0x3A0;
    public static final int CSR_PMPCFG2 = 0x3A2;
    public static final int CSR_PMPADDR0 = 0x3B0;
    public static final int CSR_PMPADDR15 = 0x3BF;
    /** pmpcfg lock bit of one entry: the entry and its address ignore writes until reset. */
    private static final long PMP_L = 0x80;
    /** pmpaddr holds bits 55:2 of an address. */
    private static final long PMP_ADDR_MASK = (1L << 54) - 1;

    /** Offset of element 0 in a {@code long[]}, for unchecked access to registers and slots. */
    private static final long LONGS = UnsafeApi.arrayBaseOffset(long[].class);

    /** At most this many pages (64 MiB of slots) of pre-decoded instructions are kept. */
    static final int MAX_DECODED_PAGES = 4096;

    /** Returned by {@link #readCsr} for a CSR that does not exist or may not be accessed. */
    private static final int CSR_OK = 0;
    private static final int CSR_ILLEGAL = 1;

    // Set by translateData when it returns Sv39.FAULT: avoids allocating a result pair.
    private int dataFaultCause;
    // Set by translateMisaligned for the access in progress (vCPU thread only).
    private long misalignedFirstPa;
    private long misalignedSecondPa;
    private int misalignedBytesOnFirstPage;
    private final CpuState cpu;
    private final Bus bus;
    /**
     * Set when {@link #invalidateCode} dropped a translated region (device DMA onto code), so that a
     * device access from translated code leaves the region after it.
     */
    private boolean regionInvalidated;
    /** Whether each call into translated code is timed (two clock reads per dispatch: off by default). */
    private boolean timeTiers;
    private final Sv39 mmu;
    private MachineFirmware firmware;
    /** Set by {@link #readCsr}: whether the access was legal. Avoids a boxed/out-param result. */
    private int csrStatus;
    /** Whether a trap was taken since the last retired instruction. */
    private boolean trappedSinceRetire;
    /**
     * Set by {@link #requestStop()}, possibly from another thread; read before each fast run and
     * each slow step (a volatile read is a plain load on x86 and ARM's ldar is cheap at that rate).
     */
    private volatile boolean stopRequested;
    /** The {@code time} CSR's source (the board's mtime), or null to read {@link CpuState#instret}. */
    private LongSupplier timeSource;
    /** Exceptions taken (synchronous traps, ECALLs included; not interrupts) since construction. */
    private long exceptions;
    /** Of those, the instruction fetches that faulted (nothing was decoded). */
    private long fetchFaults;
    /** minstret/mcycle as written by M-mode, minus {@link CpuState#instret}, which stays exact. */
    private long counterOffset;

    /** Native address of RAM at {@link RamBus#RAM_BASE}, or 0 when the bus offers no direct RAM. */
    private final long ramAddress;
    /** What the last LR read (raw, zero-extended): an SC on shared RAM stores only over this value. */
    private long reservedValue;
    private final long ramSize;
    private final DecodedPages code;
    /** Tier 1, or null when off (or when the bus offers no direct RAM). */
    private Translator translator;
    /**
     * With tier 1 on, a fast run is cut into pieces of at most this many instructions, so that hot
     * code that the fast path would otherwise loop in for a whole slice gets counted and translated.
     */
    private static final long INTERPRETED_CHUNK = 1024;

    public Interpreter(final CpuState cpu, final Bus bus)
    {
        this.cpu = cpu;
        this.bus = bus;
        this.mmu = new Sv39(cpu, bus);
        final GuestMemory ram = bus.directRam();
        final UnsafeBuffer firstFrame = new UnsafeBuffer(0, 0);
        // A domain's frames are one contiguous extent of machine memory: frame 0's host address
        // is the base of all of RAM, whatever its size.
        if (ram != null && ram.wrapFrame(0, firstFrame))
        {
            this.ramAddress = firstFrame.addressOffset();
            this.ramSize = ram.size();
            this.code = new DecodedPages(ramSize, MAX_DECODED_PAGES);
        }
        else
        {
            this.ramAddress = 0;
            this.ramSize = 0;
            this.code = null;
        }
    }

    /**
     * Tier 1: translate a page's hot code to JVM bytecode once its entry has been reached
     * {@code hotThreshold} times (0: at once); negative leaves every instruction to this interpreter.
     * The translator's contract: the architectural state (registers, pc, CSRs, memory, instret) after
     * any run is what the interpreter alone would have produced.
     */
    public void setTranslationThreshold(final int hotThreshold)
    {
        setTranslation(hotThreshold, Translator.DEFAULT_CAPACITY, Translator.DEFAULT_REGION_CAP);
    }

    /**
     * {@link #setTranslationThreshold} with the code cache's capacity (regions) and the most guest
     * instructions per region; drops every translation made so far.
     */
    public void setTranslation(final int hotThreshold, final int capacity, final int regionCap)
    {
        this.translator = hotThreshold >= 0 && ramAddress != 0 ?
            new Translator(new Context(), ramAddress, ramSize, hotThreshold, capacity, regionCap) : null;
        if (translator != null)
        {
            mmu.setInlineTlb(translator.context().tlb);
        }
    }

    /**
     * Time every call into translated code ({@code TranslatorStatistics.translatedNanos}), so that a
     * report can split the run's time between the tiers. Costs two clock reads per dispatch.
     */
    public void setTierTiming(final boolean on)
    {
        this.timeTiers = on;
    }

    /** @return tier 1 of this hart, or null when it is off. */
    public Translator translator()
    {
        return translator;
    }

    /** What translated code calls back for: data translation under paging, and stores onto code. */
    private final class Context extends RegionContext
    {
        Context()
        {
            super(ramAddress, ramSize);
        }

        @Override
        public long translate(final long va, final int access)
        {
            // RegionContext.LOAD/STORE equal Sv39.LOAD/STORE; Sv39.FAULT is -1 as the contract says.
            translator.statistics().recordInlineTlbMiss();
            final long pa = mmu.translate(va, access);
            if (pa != Sv39.FAULT && Long.compareUnsigned(pa - RamBus.RAM_BASE, ramSize) < 0)
            {
                // A RAM page: the next access to it from translated code can hit inline.
                mmu.fillInline(va, pa, ramAddress + (pa - RamBus.RAM_BASE));
            }
            return pa;
        }

        @Override
        public boolean codeWritten(final long pa, final int size)
        {
            final long off = pa - RamBus.RAM_BASE;
            code.invalidate(off, size);
            dropReservationAt(pa);
            return translator != null && translator.invalidate(pa, size);
        }

        @Override
        public long deviceLoad(final long pa, final int size)
        {
            if (Long.compareUnsigned(pa - RamBus.RAM_BASE, ramSize) < 0)
            {
                deviceOutcome = DEVICE_REFUSED;
                return 0;
            }
            final long pendingBefore = cpu.mip;
            regionInvalidated = false;
            final long value = load(bus, pa, size);
            deviceOutcome = bus.takeFault() ? DEVICE_REFUSED : afterDevice(pendingBefore);
            return value;
        }

        @Override
        public void deviceStore(final long pa, final int size, final long value)
        {
            if (Long.compareUnsigned(pa - RamBus.RAM_BASE, ramSize) < 0)
            {
                deviceOutcome = DEVICE_REFUSED;
                return;
            }
            final long pendingBefore = cpu.mip;
            regionInvalidated = false;
            store(bus, pa, size, value);
            // A store that hit no device had no effect: the interpreter runs it again and traps.
            if (bus.takeFault())
            {
                deviceOutcome = DEVICE_REFUSED;
                return;
            }
            // As the interpreter's store: one on the reserved doubleword (LR on MMIO) ends the reservation.
            dropReservationAt(pa);
            deviceOutcome = afterDevice(pendingBefore);
        }

        /**
         * Interrupts were checked before the region ran, so only a line the device newly raised can be
         * takeable now; that, a stop request or code the device overwrote ends the region after this
         * instruction, as the interpreter would take the interrupt at the next boundary.
         */
        private int afterDevice(final long pendingBefore)
        {
            final CpuState cpu = Interpreter.this.cpu;
            return (cpu.mip & ~pendingBefore & cpu.mie) != 0 || stopRequested || regionInvalidated ?
                DEVICE_DONE_LEAVE : DEVICE_DONE;
        }
    }

    /**
     * Install host firmware that answers ECALLs from S-mode (javisor's SBI), or {@code null} to let
     * them trap to M-mode like any other exception.
     */
    public void setFirmware(final MachineFirmware firmware)
    {
        this.firmware = firmware;
    }

    /** Drop every cached translation; needed after changing satp or page tables behind the CPU's back. */
    public void flushTlb()
    {
        mmu.flushAll();
    }

    /**
     * Ask {@link #run} to return {@link StopReason#HOST_STOP} at the next instruction boundary it
     * checks (within one fast run of at most the remaining budget). From any thread.
     */
    public void requestStop()
    {
        stopRequested = true;
        final Translator t = translator;
        if (t != null)
        {
            t.context().stopRequested = true;
        }
    }

    /** Read the {@code time} CSR from the board's timer (10 MHz mtime on the virt board). */
    public void setTimeSource(final LongSupplier timeSource)
    {
        this.timeSource = timeSource;
    }

    /**
     * Tell the CPU that RAM in {@code [pa, pa + length)} was written behind its back (a loader,
     * firmware, device DMA), so that pre-decoded instructions there are dropped.
     */
    public void invalidateCode(final long pa, final long length)
    {
        final long off = pa - RamBus.RAM_BASE;
        if (code != null && length > 0 && Long.compareUnsigned(off, ramSize) < 0)
        {
            code.invalidateRange(off, Math.min(length, ramSize - off));
            if (translator != null && translator.invalidate(pa, Math.min(length, ramSize - off)))
            {
                regionInvalidated = true;
            }
        }
    }

    /** Drop every pre-decoded instruction (FENCE.I does this too). */
    public void flushCode()
    {
        if (code != null)
        {
            code.clear();
        }
        if (translator != null)
        {
            translator.flush();
        }
    }

    /**
     * @return exceptions taken since construction: instructions that trapped instead of retiring
     * (so retired + exceptions is every instruction the hart started)
     */
    public long exceptions()
    {
        return exceptions;
    }

    /** @return of {@link #exceptions()}, the fetches that faulted: no instruction was decoded */
    public long fetchFaults()
    {
        return fetchFaults;
    }

    /** @return how many RAM pages hold pre-decoded instructions now. */
    public int decodedPages()
    {
        return code == null ? 0 : code.cachedPages();
    }

    public CpuState cpu()
    {
        return cpu;
    }

    /**
     * Run until {@code maxInstructions} steps have been executed (a step retires one instruction
     * or takes one exception or interrupt) or the hart stops.
     * <p>
     * Straight-line work runs in {@link #runCached} over pre-decoded instructions of one page;
     * everything else (CSRs, system instructions, atomics, device accesses, anything that traps)
     * runs one instruction at a time through {@link #step}. Interrupt lines and enables change only
     * in those slow steps, in device models they call, or between calls to this method, so
     * checking for an interrupt before each fast run and each slow step takes it at exactly the
     * instruction boundary the specification requires.
     */
    public StopReason run(final long maxInstructions)
    {
        final CpuState cpu = this.cpu;
        long steps = 0;
        while (steps < maxInstructions)
        {
            if (stopRequested)
            {
                stopRequested = false;
                if (translator != null)
                {
                    translator.context().stopRequested = false;
                }
                return StopReason.HOST_STOP;
            }
            if ((cpu.mip & cpu.mie) != 0 && takeInterrupt())
            {
                steps++;
                continue;
            }
            if (translator != null)
            {
                // (At steps == 0 the pc is where the last run's budget ran out: likely mid-block.)
                final long retired = runTranslated(maxInstructions - steps, steps == 0);
                if (retired > 0)
                {
                    steps += retired;
                    continue;
                }
            }
            if (ramAddress != 0)
            {
                final long left = maxInstructions - steps;
                final long retired = runCached(translator != null ? Math.min(left, INTERPRETED_CHUNK) : left);
                if (retired > 0)
                {
                    steps += retired;
                    continue;
                }
            }
            final StopReason stop = step();
            steps++;
            if (stop != null)
            {
                return stop;
            }
        }
        return StopReason.BUDGET_EXHAUSTED;
    }

    /**
     * Run translated code at pc if there is (or, the page being hot, now is) a region for it.
     *
     * @return instructions retired (0: none, the interpreter goes on)
     */
    private long runTranslated(final long limit, final boolean resumed)
    {
        final CpuState cpu = this.cpu;
        final long pc = cpu.pc;
        final long pa = mmu.translate(pc, Sv39.FETCH);
        if (pa == Sv39.FAULT || Long.compareUnsigned(pa - RamBus.RAM_BASE, ramSize) >= 0)
        {
            return 0;
        }
        final boolean bareData = mmu.isBare(Sv39.LOAD);
        if (!bareData)
        {
            // Regions cannot change the privilege or mstatus, so the inline verdicts hold for this run.
            translator.context().tlb.sync(mmu.inlineStateKey());
        }
        final long started = timeTiers ? System.nanoTime() : 0;
        final long retired = translator.run(cpu, pc, pa, cpu.priv, bareData, mmu.isBare(Sv39.FETCH), limit,
            resumed);
        if (timeTiers)
        {
            translator.statistics().recordTranslatedNanos(System.nanoTime() - started);
        }
        if (retired > 0)
        {
            trappedSinceRetire = false;
        }
        return retired;
    }

    /**
     * Execute instructions from the pre-decoded page that holds {@code pc}, for as long as control
     * stays in that page and every instruction is one the fast path handles: integer ALU and M
     * operations, branches, jumps, and loads and stores that hit RAM naturally aligned without a
     * fault. Anything else ends the run with pc at that instruction, for {@link #step}.
     * <p>
     * Within one call nothing can change the translation of the page (satp, privilege, MPRV and
     * SFENCE.VMA are slow-path instructions), so the fetch translation and the data translation
     * mode are computed once on entry.
     *
     * @param limit the most instructions to retire
     * @return how many instructions were retired (0: the first one needs the general path)
     */
    private long runCached(final long limit)
    {
        final CpuState cpu = this.cpu;
        final long startPc = cpu.pc;
        final long fetchPa = mmu.translate(startPc, Sv39.FETCH);
        if (fetchPa == Sv39.FAULT)
        {
            return 0;
        }
        final long fetchOff = fetchPa - RamBus.RAM_BASE;
        if (Long.compareUnsigned(fetchOff, ramSize) >= 0)
        {
            return 0;
        }
        final DecodedPages code = this.code;
        final long[] page = code.page((int)(fetchOff >>> 12));
        if (translator != null)
        {
            // Translated stores onto this page must now keep its decoded slots exact.
            translator.context().codePages[(int)(fetchOff >>> 12)] = 1;
        }
        final long pageAddress = ramAddress + (fetchOff & ~0xFFFL);
        final long virtualPage = startPc & ~0xFFFL;
        final boolean bare = mmu.isBare(Sv39.LOAD);
        final long[] x = cpu.x;
        // With translated code on this page, stop at the first taken branch or jump: its target is
        // likely an entry of that code, which the next dispatch will find.
        final boolean toTranslated = translator != null && translator.hasRegionsAt(fetchPa);

        // The loop keeps a slot index, not a pc: straight-line code advances it by the
        // instruction's length in halfwords and never leaves the page except onto the sentinel
        // slot past its end; only taken branches and jumps compute a pc and check its page.
        int slot = (int)(startPc & 0xFFF) >>> 1;
        long retired = 0;
        long exitPc = -1;
        run:
        while (retired < limit)
        {
            long d = UnsafeApi.getLong(page, LONGS + ((long)slot << 3));
            if (d == 0)
            {
                d = decodeSlot(page, pageAddress, slot);
                if (d == 0)
                {
                    break;
                }
            }
            // Register fields are at most 32 (the sink) and page slots at most SLOTS (the
            // sentinel), both within their arrays: no bounds checks.
            final long rdo = LONGS + ((long)CachedInstruction.rd(d) << 3);
            final long a = UnsafeApi.getLong(x, LONGS + ((long)CachedInstruction.rs1(d) << 3));
            final long b = UnsafeApi.getLong(x, LONGS + ((long)CachedInstruction.rs2(d) << 3));
            final long imm = CachedInstruction.imm(d);
            final int next = slot + CachedInstruction.slots(d);
            final long pc = virtualPage + ((long)slot << 1);
            final long target;
            transfer:
            {
                switch (CachedInstruction.opcode(d))
                {
                    // Control transfers leave this switch for the code after it only when taken.
                    case Opcode.JAL:
                        UnsafeApi.putLong(x, rdo, virtualPage + ((long)next << 1));
                        target = pc + imm;
                        break transfer;
                    case Opcode.JALR:
                        UnsafeApi.putLong(x, rdo, virtualPage + ((long)next << 1));
                        target = (a + imm) & ~1L;
                        break transfer;
                    case Opcode.BEQ: if (a == b) { target = pc + imm; break transfer; } slot = next; break;
                    case Opcode.BNE: if (a != b) { target = pc + imm; break transfer; } slot = next; break;
                    case Opcode.BLT: if (a < b) { target = pc + imm; break transfer; } slot = next; break;
                    case Opcode.BGE: if (a >= b) { target = pc + imm; break transfer; } slot = next; break;
                    case Opcode.BLTU:
                        if (Long.compareUnsigned(a, b) < 0) { target = pc + imm; break transfer; }
                        slot = next;
                        break;
                    case Opcode.BGEU:
                        if (Long.compareUnsigned(a, b) >= 0) { target = pc + imm; break transfer; }
                        slot = next;
                        break;

                    case Opcode.LUI: UnsafeApi.putLong(x, rdo, imm); slot = next; break;
                    case Opcode.AUIPC: UnsafeApi.putLong(x, rdo, pc + imm); slot = next; break;

                    case Opcode.LB: case Opcode.LH: case Opcode.LW: case Opcode.LD:
                    case Opcode.LBU: case Opcode.LHU: case Opcode.LWU:
                    {
                        final int op = CachedInstruction.opcode(d);
                        final long address = ramAddress(a + imm, loadSize(op), bare, Sv39.LOAD);
                        if (address == 0)
                        {
                            break run;
                        }
                        final long value;
                        switch (op)
                        {
                            case Opcode.LB: value = UnsafeApi.getByte(address); break;
                            case Opcode.LH: value = UnsafeApi.getShort(address); break;
                            case Opcode.LW: value = UnsafeApi.getInt(address); break;
                            case Opcode.LD: value = UnsafeApi.getLong(address); break;
                            case Opcode.LBU: value = UnsafeApi.getByte(address) & 0xFFL; break;
                            case Opcode.LHU: value = UnsafeApi.getShort(address) & 0xFFFFL; break;
                            default: value = UnsafeApi.getInt(address) & 0xFFFF_FFFFL; break;
                        }
                        UnsafeApi.putLong(x, rdo, value);
                        slot = next;
                        break;
                    }

                    case Opcode.SB: case Opcode.SH: case Opcode.SW: case Opcode.SD:
                    {
                        final int size = 1 << (CachedInstruction.opcode(d) - Opcode.SB);
                        final long address = ramAddress(a + imm, size, bare, Sv39.STORE);
                        if (address == 0)
                        {
                            break run;
                        }
                        switch (size)
                        {
                            case 1: UnsafeApi.putByte(address, (byte)b); break;
                            case 2: UnsafeApi.putShort(address, (short)b); break;
                            case 4: UnsafeApi.putInt(address, (int)b); break;
                            default: UnsafeApi.putLong(address, b); break;
                        }
                        wroteRam(address - ramAddress, size);
                        slot = next;
                        break;
                    }

                    case Opcode.ADDI: UnsafeApi.putLong(x, rdo, a + imm); slot = next; break;
                    case Opcode.SLTI: UnsafeApi.putLong(x, rdo, a < imm ? 1 : 0); slot = next; break;
                    case Opcode.SLTIU: UnsafeApi.putLong(x, rdo, Long.compareUnsigned(a, imm) < 0 ? 1 : 0); slot = next; break;
                    case Opcode.XORI: UnsafeApi.putLong(x, rdo, a ^ imm); slot = next; break;
                    case Opcode.ORI: UnsafeApi.putLong(x, rdo, a | imm); slot = next; break;
                    case Opcode.ANDI: UnsafeApi.putLong(x, rdo, a & imm); slot = next; break;
                    case Opcode.SLLI: UnsafeApi.putLong(x, rdo, a << imm); slot = next; break;
                    case Opcode.SRLI: UnsafeApi.putLong(x, rdo, a >>> imm); slot = next; break;
                    case Opcode.SRAI: UnsafeApi.putLong(x, rdo, a >> imm); slot = next; break;
                    case Opcode.ADD: UnsafeApi.putLong(x, rdo, a + b); slot = next; break;
                    case Opcode.SUB: UnsafeApi.putLong(x, rdo, a - b); slot = next; break;
                    case Opcode.SLL: UnsafeApi.putLong(x, rdo, a << b); slot = next; break;
                    case Opcode.SLT: UnsafeApi.putLong(x, rdo, a < b ? 1 : 0); slot = next; break;
                    case Opcode.SLTU: UnsafeApi.putLong(x, rdo, Long.compareUnsigned(a, b) < 0 ? 1 : 0); slot = next; break;
                    case Opcode.XOR: UnsafeApi.putLong(x, rdo, a ^ b); slot = next; break;
                    case Opcode.SRL: UnsafeApi.putLong(x, rdo, a >>> b); slot = next; break;
                    case Opcode.SRA: UnsafeApi.putLong(x, rdo, a >> b); slot = next; break;
                    case Opcode.OR: UnsafeApi.putLong(x, rdo, a | b); slot = next; break;
                    case Opcode.AND: UnsafeApi.putLong(x, rdo, a & b); slot = next; break;
                    case Opcode.ADDIW: UnsafeApi.putLong(x, rdo, (int)(a + imm)); slot = next; break;
                    case Opcode.SLLIW: UnsafeApi.putLong(x, rdo, (int)a << imm); slot = next; break;
                    case Opcode.SRLIW: UnsafeApi.putLong(x, rdo, (int)a >>> imm); slot = next; break;
                    case Opcode.SRAIW: UnsafeApi.putLong(x, rdo, (int)a >> imm); slot = next; break;
                    case Opcode.ADDW: UnsafeApi.putLong(x, rdo, (int)(a + b)); slot = next; break;
                    case Opcode.SUBW: UnsafeApi.putLong(x, rdo, (int)(a - b)); slot = next; break;
                    case Opcode.SLLW: UnsafeApi.putLong(x, rdo, (int)a << b); slot = next; break;
                    case Opcode.SRLW: UnsafeApi.putLong(x, rdo, (int)a >>> b); slot = next; break;
                    case Opcode.SRAW: UnsafeApi.putLong(x, rdo, (int)a >> b); slot = next; break;
                    case Opcode.MUL: UnsafeApi.putLong(x, rdo, a * b); slot = next; break;
                    case Opcode.MULH: UnsafeApi.putLong(x, rdo, Math.multiplyHigh(a, b)); slot = next; break;
                    case Opcode.MULHSU: UnsafeApi.putLong(x, rdo, Math.multiplyHigh(a, b) + ((b >> 63) & a)); slot = next; break;
                    case Opcode.MULHU: UnsafeApi.putLong(x, rdo, Math.unsignedMultiplyHigh(a, b)); slot = next; break;
                    case Opcode.DIV: UnsafeApi.putLong(x, rdo, b == 0 ? -1 : a / b); slot = next; break;
                    case Opcode.DIVU: UnsafeApi.putLong(x, rdo, b == 0 ? -1 : Long.divideUnsigned(a, b)); slot = next; break;
                    case Opcode.REM: UnsafeApi.putLong(x, rdo, b == 0 ? a : a % b); slot = next; break;
                    case Opcode.REMU: UnsafeApi.putLong(x, rdo, b == 0 ? a : Long.remainderUnsigned(a, b)); slot = next; break;
                    case Opcode.MULW: UnsafeApi.putLong(x, rdo, (int)a * (int)b); slot = next; break;
                    case Opcode.DIVW: UnsafeApi.putLong(x, rdo, (int)b == 0 ? -1 : (int)a / (int)b); slot = next; break;
                    case Opcode.DIVUW:
                        UnsafeApi.putLong(x, rdo, (int)b == 0 ? -1 : Integer.divideUnsigned((int)a, (int)b));
                        slot = next;
                        break;
                    case Opcode.REMW: UnsafeApi.putLong(x, rdo, (int)b == 0 ? (int)a : (int)a % (int)b); slot = next; break;
                    case Opcode.REMUW:
                        UnsafeApi.putLong(x, rdo, (int)b == 0 ? (int)a : Integer.remainderUnsigned((int)a, (int)b));
                        slot = next;
                        break;
                    case Opcode.FENCE: VarHandle.fullFence(); slot = next; break;
                    default:
                        break run;
                }
                retired++;
                continue;
            }
            // A taken branch or jump: it retired; the run goes on only inside this page.
            retired++;
            if ((target & ~0xFFFL) != virtualPage || toTranslated)
            {
                exitPc = target;
                break;
            }
            slot = (int)(target & 0xFFF) >>> 1;
        }
        if (translator != null)
        {
            translator.noteInterpreted(fetchPa, retired);
        }
        return exitTo(exitPc != -1 ? exitPc : virtualPage + ((long)slot << 1), retired);
    }

    /** End a fast run: set pc and account for the retired instructions. */
    private long exitTo(final long pc, final long retired)
    {
        cpu.pc = pc;
        if (retired > 0)
        {
            cpu.instret += retired;
            trappedSinceRetire = false;
        }
        return retired;
    }

    /**
     * The host address of a naturally aligned data access of {@code size} bytes at {@code va}
     * that hits RAM, or 0 when it does not (misaligned, a translation fault, outside RAM, or in
     * RAM's last eight bytes): then the general path runs it.
     */
    private long ramAddress(final long va, final int size, final boolean bare, final int access)
    {
        // Sv39.FAULT is -1: far outside RAM, so the range compare rejects it too.
        final long pa = bare ? va : mmu.translate(va, access);
        final long off = pa - RamBus.RAM_BASE;
        if ((va & (size - 1)) != 0 || Long.compareUnsigned(off, ramSize - 8) > 0)
        {
            return 0;
        }
        return ramAddress + off;
    }

    /**
     * Decode the instruction at {@code slot} of a RAM page into the cache.
     *
     * @return the cached word, or 0 when it must not be cached (illegal, or crossing the page)
     */
    private static long decodeSlot(final long[] page, final long pageAddress, final int slot)
    {
        final int low = UnsafeApi.getShort(pageAddress + 2L * slot) & 0xFFFF;
        final int insn;
        if ((low & 3) == 3)
        {
            if (slot == DecodedPages.SLOTS - 1)
            {
                return 0;
            }
            insn = low | (UnsafeApi.getShort(pageAddress + 2L * slot + 2) & 0xFFFF) << 16;
        }
        else
        {
            insn = low;
        }
        final long decoded = Decoder.decodeAny(insn);
        if (Decoded.opcode(decoded) == Opcode.ILLEGAL)
        {
            return 0;
        }
        final long cached = CachedInstruction.of(decoded);
        page[slot] = cached;
        return cached;
    }

    /** Bookkeeping after the CPU wrote RAM at {@code off}: the decode cache and the reservation. */
    private void wroteRam(final long off, final int size)
    {
        code.invalidate(off, size);
        dropReservationAt(RamBus.RAM_BASE + off);
        if (translator != null)
        {
            translator.invalidate(RamBus.RAM_BASE + off, size);
        }
    }

    /** The general path's counterpart of {@link #wroteRam}: {@code pa} may be anywhere. */
    private void wrotePhysical(final long pa, final int size)
    {
        final long off = pa - RamBus.RAM_BASE;
        if (code != null && Long.compareUnsigned(off, ramSize) < 0)
        {
            code.invalidate(off, size);
            if (translator != null)
            {
                translator.invalidate(pa, size);
            }
        }
        dropReservationAt(pa);
    }

    /** A store to the reserved doubleword ends the LR/SC reservation. */
    private void dropReservationAt(final long pa)
    {
        if ((pa & ~7L) == (cpu.reservation & ~7L))
        {
            cpu.reservation = -1;
        }
    }

    /**
     * Execute one instruction (or take the exception it raises) by the general path: fetch and
     * translate through the MMU and the bus, decode, execute.
     *
     * @return null to go on, or why {@link #run} must return
     */
    private StopReason step()
    {
        final CpuState cpu = this.cpu;
        final Bus bus = this.bus;
        final long[] x = cpu.x;
        final long pc = cpu.pc;

        // Fetch a halfword at a time, so a 16-bit instruction at the end of RAM (or of a
        // mapped page) still runs.
        final long fpa = mmu.translate(pc, Sv39.FETCH);
        if (fpa == Sv39.FAULT)
        {
            if (trap(mmu.faultCause, pc))
            {
                return StopReason.TRAP_LOOP;
            }
            return null;
        }
        long bits = bus.load16(fpa);
        if (bus.takeFault())
        {
            if (trap(CAUSE_FETCH_ACCESS, pc))
            {
                return StopReason.TRAP_LOOP;
            }
            return null;
        }
        if ((bits & 3) == 3)
        {
            final long fpa2 = (pc & 0xFFF) != 0xFFE ? fpa + 2 : mmu.translate(pc + 2, Sv39.FETCH);
            if (fpa2 == Sv39.FAULT)
            {
                if (trap(mmu.faultCause, pc + 2))
                {
                    return StopReason.TRAP_LOOP;
                }
                return null;
            }
            bits |= bus.load16(fpa2) << 16;
            if (bus.takeFault())
            {
                if (trap(CAUSE_FETCH_ACCESS, pc + 2))
                {
                    return StopReason.TRAP_LOOP;
                }
                return null;
            }
        }

        final int insn = (int)bits;
        final long d = Decoder.decodeAny(insn);
        final int rd = Decoded.rd(d);
        final int rs1 = Decoded.rs1(d);
        final int rs2 = Decoded.rs2(d);
        final long imm = Decoded.imm(d);
        final long a = x[rs1];
        final long b = x[rs2];
        long next = pc + Decoded.length(d);
        long result = 0;
        boolean writes = true;
        int cause = -1;
        long tval = 0;

        switch (Decoded.opcode(d))
        {
            case Opcode.LUI: result = imm; break;
            case Opcode.AUIPC: result = pc + imm; break;
            case Opcode.JAL: result = next; next = pc + imm; break;
            case Opcode.JALR: result = next; next = (a + imm) & ~1L; break;
            case Opcode.BEQ: writes = false; if (a == b) next = pc + imm; break;
            case Opcode.BNE: writes = false; if (a != b) next = pc + imm; break;
            case Opcode.BLT: writes = false; if (a < b) next = pc + imm; break;
            case Opcode.BGE: writes = false; if (a >= b) next = pc + imm; break;
            case Opcode.BLTU: writes = false; if (Long.compareUnsigned(a, b) < 0) next = pc + imm; break;
            case Opcode.BGEU: writes = false; if (Long.compareUnsigned(a, b) >= 0) next = pc + imm; break;

            case Opcode.LB:
            case Opcode.LH:
            case Opcode.LW:
            case Opcode.LD:
            case Opcode.LBU:
            case Opcode.LHU:
            case Opcode.LWU:
            {
                final long addr = a + imm;
                final int op = Decoded.opcode(d);
                final int size = loadSize(op);
                final boolean misaligned = (addr & (size - 1)) != 0;
                final long pa = misaligned ? translateMisaligned(addr, size, Sv39.LOAD) : translateData(addr, size, Sv39.LOAD);
                if (pa == Sv39.FAULT)
                {
                    cause = dataFaultCause;
                    tval = addr;
                    break;
                }
                final long v = misaligned ? loadMisaligned(size) : load(bus, pa, size);
                if (bus.takeFault())
                {
                    cause = CAUSE_LOAD_ACCESS;
                    tval = addr;
                    break;
                }
                switch (op)
                {
                    case Opcode.LB: result = (byte)v; break;
                    case Opcode.LH: result = (short)v; break;
                    case Opcode.LW: result = (int)v; break;
                    default: result = v; break;
                }
                break;
            }

            case Opcode.SB:
            case Opcode.SH:
            case Opcode.SW:
            case Opcode.SD:
            {
                writes = false;
                final long addr = a + imm;
                final int size = 1 << (Decoded.opcode(d) - Opcode.SB);
                final boolean misaligned = (addr & (size - 1)) != 0;
                final long pa = misaligned ? translateMisaligned(addr, size, Sv39.STORE) : translateData(addr, size, Sv39.STORE);
                if (pa == Sv39.FAULT)
                {
                    cause = dataFaultCause;
                    tval = addr;
                    break;
                }
                if (misaligned)
                {
                    storeMisaligned(size, b);
                }
                else
                {
                    store(bus, pa, size, b);
                }
                if (bus.takeFault())
                {
                    cause = CAUSE_STORE_ACCESS;
                    tval = addr;
                    break;
                }
                if (!misaligned)
                {
                    wrotePhysical(pa, size);
                }
                break;
            }

            case Opcode.ADDI: result = a + imm; break;
            case Opcode.SLTI: result = a < imm ? 1 : 0; break;
            case Opcode.SLTIU: result = Long.compareUnsigned(a, imm) < 0 ? 1 : 0; break;
            case Opcode.XORI: result = a ^ imm; break;
            case Opcode.ORI: result = a | imm; break;
            case Opcode.ANDI: result = a & imm; break;
            case Opcode.SLLI: result = a << imm; break;
            case Opcode.SRLI: result = a >>> imm; break;
            case Opcode.SRAI: result = a >> imm; break;

            case Opcode.ADD: result = a + b; break;
            case Opcode.SUB: result = a - b; break;
            case Opcode.SLL: result = a << b; break;
            case Opcode.SLT: result = a < b ? 1 : 0; break;
            case Opcode.SLTU: result = Long.compareUnsigned(a, b) < 0 ? 1 : 0; break;
            case Opcode.XOR: result = a ^ b; break;
            case Opcode.SRL: result = a >>> b; break;
            case Opcode.SRA: result = a >> b; break;
            case Opcode.OR: result = a | b; break;
            case Opcode.AND: result = a & b; break;

            case Opcode.ADDIW: result = (int)(a + imm); break;
            case Opcode.SLLIW: result = (int)a << imm; break;
            case Opcode.SRLIW: result = (int)a >>> imm; break;
            case Opcode.SRAIW: result = (int)a >> imm; break;
            case Opcode.ADDW: result = (int)(a + b); break;
            case Opcode.SUBW: result = (int)(a - b); break;
            case Opcode.SLLW: result = (int)a << b; break;
            case Opcode.SRLW: result = (int)a >>> b; break;
            case Opcode.SRAW: result = (int)a >> b; break;

            case Opcode.FENCE:
                // One hart, but RAM is shared with host threads (PV back ends, virtio devices on
                // other threads): a guest's store-then-load barrier must order the host accesses too.
                VarHandle.fullFence();
                writes = false;
                break;
            case Opcode.FENCE_I:
                // Stores already keep the decode cache exact; dropping it also covers writes
                // that reached RAM some other way and were not reported.
                writes = false;
                flushCode();
                break;

            case Opcode.ECALL:
                writes = false;
                if (firmware != null && cpu.priv == CpuState.PRIV_S)
                {
                    final StopReason stop = firmware.ecallFromSupervisor(cpu);
                    if (cpu.pc == pc)
                    {
                        retire(cpu, next);
                    }
                    else
                    {
                        // The firmware resumed the hart elsewhere; the ECALL still retired.
                        cpu.instret++;
                        trappedSinceRetire = false;
                    }
                    if (stop != null)
                    {
                        return stop;
                    }
                    return null;
                }
                cause = cpu.priv == CpuState.PRIV_M ? CAUSE_ECALL_M :
                    cpu.priv == CpuState.PRIV_S ? CAUSE_ECALL_S : CAUSE_ECALL_U;
                break;
            case Opcode.EBREAK:
                writes = false;
                cause = CAUSE_BREAKPOINT;
                tval = pc;
                break;

            case Opcode.MRET:
            {
                writes = false;
                if (cpu.priv != CpuState.PRIV_M)
                {
                    cause = CAUSE_ILLEGAL_INSTRUCTION;
                    tval = insnBits(d, insn);
                    break;
                }
                final long s = cpu.mstatus;
                final int mpp = (int)((s & CpuState.MSTATUS_MPP) >>> CpuState.MSTATUS_MPP_SHIFT);
                long ns = (s & ~(CpuState.MSTATUS_MIE | CpuState.MSTATUS_MPP)) | CpuState.MSTATUS_MPIE;
                if ((s & CpuState.MSTATUS_MPIE) != 0)
                {
                    ns |= CpuState.MSTATUS_MIE;
                }
                // MPP becomes the least-privileged mode supported: U. Leaving M clears MPRV.
                if (mpp != CpuState.PRIV_M)
                {
                    ns &= ~CpuState.MSTATUS_MPRV;
                }
                cpu.mstatus = ns;
                cpu.priv = mpp;
                next = cpu.mepc;
                break;
            }

            case Opcode.SRET:
            {
                writes = false;
                if (cpu.priv == CpuState.PRIV_U ||
                    cpu.priv == CpuState.PRIV_S && (cpu.mstatus & CpuState.MSTATUS_TSR) != 0)
                {
                    cause = CAUSE_ILLEGAL_INSTRUCTION;
                    tval = insnBits(d, insn);
                    break;
                }
                final long s = cpu.mstatus;
                final int spp = (s & CpuState.MSTATUS_SPP) != 0 ? CpuState.PRIV_S : CpuState.PRIV_U;
                long ns = (s & ~(CpuState.MSTATUS_SIE | CpuState.MSTATUS_SPP)) | CpuState.MSTATUS_SPIE;
                if ((s & CpuState.MSTATUS_SPIE) != 0)
                {
                    ns |= CpuState.MSTATUS_SIE;
                }
                cpu.mstatus = ns & ~CpuState.MSTATUS_MPRV;   // SRET never returns to M
                cpu.priv = spp;
                next = cpu.sepc;
                break;
            }

            case Opcode.SFENCE_VMA:
                // ASIDs are not tracked, so rs2 is ignored: flush all, or one address.
                writes = false;
                if (cpu.priv == CpuState.PRIV_U ||
                    cpu.priv == CpuState.PRIV_S && (cpu.mstatus & CpuState.MSTATUS_TVM) != 0)
                {
                    cause = CAUSE_ILLEGAL_INSTRUCTION;
                    tval = insnBits(d, insn);
                    break;
                }
                if (rs1 == 0)
                {
                    mmu.flushAll();
                }
                else
                {
                    mmu.flush(a);
                }
                break;

            case Opcode.WFI:
                if (cpu.priv == CpuState.PRIV_U ||
                    cpu.priv == CpuState.PRIV_S && (cpu.mstatus & CpuState.MSTATUS_TW) != 0)
                {
                    cause = CAUSE_ILLEGAL_INSTRUCTION;
                    tval = insnBits(d, insn);
                    writes = false;
                    break;
                }
                writes = false;
                // An interrupt pending in mie resumes the hart whatever the global enables;
                // otherwise stop so the caller can sleep until a line is raised.
                if ((cpu.mip & cpu.mie) == 0)
                {
                    retire(cpu, next);
                    return StopReason.WFI;
                }
                break;

            case Opcode.CSRRW:
            case Opcode.CSRRS:
            case Opcode.CSRRC:
            case Opcode.CSRRWI:
            case Opcode.CSRRSI:
            case Opcode.CSRRCI:
            {
                final int op = Decoded.opcode(d);
                final int csr = Decoded.csr(d);
                final boolean immediate = op >= Opcode.CSRRWI;
                final long src = immediate ? rs1 : a;
                final int kind = immediate ? op - Opcode.CSRRWI : op - Opcode.CSRRW;
                // CSRRW always writes; CSRRS/C write only when the source field is not 0.
                final boolean doWrite = kind == 0 || rs1 != 0;
                // CSRRW with rd = x0 must not read (no side effects here, so reading is fine).
                final long old = readCsr(csr);
                if (csrStatus != CSR_OK || doWrite && !csrWritable(csr))
                {
                    cause = CAUSE_ILLEGAL_INSTRUCTION;
                    tval = insnBits(d, insn);
                    writes = false;
                    break;
                }
                if (doWrite)
                {
                    final long value = kind == 0 ? src : kind == 1 ? old | src : old & ~src;
                    writeCsr(csr, value);
                }
                result = old;
                break;
            }

            case Opcode.MUL: result = a * b; break;
            case Opcode.MULH: result = Math.multiplyHigh(a, b); break;
            case Opcode.MULHSU: result = Math.multiplyHigh(a, b) + ((b >> 63) & a); break;
            case Opcode.MULHU: result = Math.unsignedMultiplyHigh(a, b); break;
            case Opcode.DIV:
                // Java's Long.MIN_VALUE / -1 already yields MIN_VALUE, as the spec wants.
                result = b == 0 ? -1 : a / b;
                break;
            case Opcode.DIVU: result = b == 0 ? -1 : Long.divideUnsigned(a, b); break;
            case Opcode.REM: result = b == 0 ? a : a % b; break;
            case Opcode.REMU: result = b == 0 ? a : Long.remainderUnsigned(a, b); break;
            case Opcode.MULW: result = (int)a * (int)b; break;
            case Opcode.DIVW: result = (int)b == 0 ? -1 : (int)a / (int)b; break;
            case Opcode.DIVUW:
                result = (int)b == 0 ? -1 : (int)Integer.divideUnsigned((int)a, (int)b);
                break;
            case Opcode.REMW: result = (int)b == 0 ? (int)a : (int)a % (int)b; break;
            case Opcode.REMUW:
                result = (int)b == 0 ? (int)a : (int)Integer.remainderUnsigned((int)a, (int)b);
                break;

            case Opcode.LR_W:
            case Opcode.LR_D:
            {
                final int size = Decoded.opcode(d) == Opcode.LR_W ? 4 : 8;
                final long pa = translateData(a, size, Sv39.LOAD);
                if (pa == Sv39.FAULT)
                {
                    cause = dataFaultCause;
                    tval = a;
                    break;
                }
                final long v = load(bus, pa, size);
                if (bus.takeFault())
                {
                    cause = CAUSE_LOAD_ACCESS;
                    tval = a;
                    break;
                }
                result = size == 4 ? (int)v : v;
                cpu.reservation = pa;
                reservedValue = v;
                final long reservedOff = pa - RamBus.RAM_BASE;
                if (translator != null && Long.compareUnsigned(reservedOff, ramSize) < 0)
                {
                    // Translated stores onto this page must now drop the reservation (see RegionContext).
                    translator.context().codePages[(int)(reservedOff >>> 12)] = 1;
                }
                break;
            }
            case Opcode.SC_W:
            case Opcode.SC_D:
            {
                final int size = Decoded.opcode(d) == Opcode.SC_W ? 4 : 8;
                final long pa = translateData(a, size, Sv39.STORE);
                if (pa == Sv39.FAULT)
                {
                    cause = dataFaultCause;
                    tval = a;
                    break;
                }
                if (cpu.reservation != pa)
                {
                    cpu.reservation = -1;
                    result = 1;
                    break;
                }
                final long scOff = pa - RamBus.RAM_BASE;
                if (sharedRam(scOff, size))
                {
                    // Another host thread may have written the word since the LR: the store succeeds only
                    // if the word still holds what the LR read, in one atomic host operation.
                    final long address = ramAddress + scOff;
                    final boolean stored = size == 4 ?
                        UnsafeApi.compareAndSetInt(null, address, (int)reservedValue, (int)b) :
                        UnsafeApi.compareAndSetLong(null, address, reservedValue, b);
                    cpu.reservation = -1;
                    if (stored)
                    {
                        wrotePhysical(pa, size);
                    }
                    result = stored ? 0 : 1;
                    break;
                }
                store(bus, pa, size, b);
                if (bus.takeFault())
                {
                    cause = CAUSE_STORE_ACCESS;
                    tval = a;
                    break;
                }
                wrotePhysical(pa, size);
                cpu.reservation = -1;
                result = 0;
                break;
            }

            case Opcode.AMOSWAP_W: case Opcode.AMOADD_W: case Opcode.AMOXOR_W: case Opcode.AMOAND_W:
            case Opcode.AMOOR_W: case Opcode.AMOMIN_W: case Opcode.AMOMAX_W: case Opcode.AMOMINU_W:
            case Opcode.AMOMAXU_W:
            case Opcode.AMOSWAP_D: case Opcode.AMOADD_D: case Opcode.AMOXOR_D: case Opcode.AMOAND_D:
            case Opcode.AMOOR_D: case Opcode.AMOMIN_D: case Opcode.AMOMAX_D: case Opcode.AMOMINU_D:
            case Opcode.AMOMAXU_D:
            {
                final int op = Decoded.opcode(d);
                final boolean word = op < Opcode.LR_D;
                final int size = word ? 4 : 8;
                final long pa = translateData(a, size, Sv39.STORE);
                if (pa == Sv39.FAULT)
                {
                    cause = dataFaultCause;
                    tval = a;
                    break;
                }
                final long amoOff = pa - RamBus.RAM_BASE;
                if (sharedRam(amoOff, size))
                {
                    // RAM is shared with host threads that update the same words with CAS (event
                    // channels, grant entries): the read-modify-write is one atomic host operation.
                    final long address = ramAddress + amoOff;
                    final int amoOp = word ? op : op - Opcode.AMO_D_OFFSET;
                    long old;
                    while (true)
                    {
                        old = word ? UnsafeApi.getIntVolatile(null, address) : UnsafeApi.getLongVolatile(null, address);
                        final long value = amo(amoOp, old, word ? (int)b : b);
                        if (word ? UnsafeApi.compareAndSetInt(null, address, (int)old, (int)value) :
                            UnsafeApi.compareAndSetLong(null, address, old, value))
                        {
                            break;
                        }
                    }
                    wrotePhysical(pa, size);
                    result = old;
                    break;
                }
                final long raw = load(bus, pa, size);
                if (bus.takeFault())
                {
                    cause = CAUSE_STORE_ACCESS;
                    tval = a;
                    break;
                }
                final long old = word ? (int)raw : raw;
                final long src = word ? (int)b : b;
                final long value = amo(word ? op : op - Opcode.AMO_D_OFFSET, old, src);
                store(bus, pa, size, value);
                if (bus.takeFault())
                {
                    cause = CAUSE_STORE_ACCESS;
                    tval = a;
                    break;
                }
                wrotePhysical(pa, size);
                result = old;
                break;
            }

            default:
                // ILLEGAL.
                writes = false;
                cause = CAUSE_ILLEGAL_INSTRUCTION;
                tval = insnBits(d, insn);
                break;
        }

        if (cause >= 0)
        {
            if (trap(cause, tval))
            {
                return StopReason.TRAP_LOOP;
            }
            return null;
        }
        if (writes && rd != 0)
        {
            x[rd] = result;
        }
        retire(cpu, next);
        return null;
    }

    private void retire(final CpuState cpu, final long next)
    {
        cpu.pc = next;
        cpu.instret++;
        trappedSinceRetire = false;
    }

    /** The instruction's own bits for mtval: 16 of them for a compressed one. */
    private static long insnBits(final long decoded, final int insn)
    {
        return Decoded.length(decoded) == 2 ? insn & 0xFFFFL : insn & 0xFFFF_FFFFL;
    }

    private static int loadSize(final int op)
    {
        switch (op)
        {
            case Opcode.LB: case Opcode.LBU: return 1;
            case Opcode.LH: case Opcode.LHU: return 2;
            case Opcode.LW: case Opcode.LWU: return 4;
            default: return 8;
        }
    }

    private static long load(final Bus bus, final long addr, final int size)
    {
        switch (size)
        {
            case 1: return bus.load8(addr);
            case 2: return bus.load16(addr);
            case 4: return bus.load32(addr);
            default: return bus.load64(addr);
        }
    }

    private static void store(final Bus bus, final long addr, final int size, final long value)
    {
        switch (size)
        {
            case 1: bus.store8(addr, value); break;
            case 2: bus.store16(addr, value); break;
            case 4: bus.store32(addr, value); break;
            default: bus.store64(addr, value); break;
        }
    }

    /**
     * @return whether {@code [RAM_BASE + off, + size)} is naturally aligned RAM reachable directly,
     * where host threads may access the same words concurrently.
     */
    private boolean sharedRam(final long off, final int size)
    {
        return ramAddress != 0 && Long.compareUnsigned(off, ramSize - size) <= 0 && (off & (size - 1)) == 0;
    }

    private static long amo(final int wordOp, final long old, final long src)
    {
        switch (wordOp)
        {
            case Opcode.AMOSWAP_W: return src;
            case Opcode.AMOADD_W: return old + src;
            case Opcode.AMOXOR_W: return old ^ src;
            case Opcode.AMOAND_W: return old & src;
            case Opcode.AMOOR_W: return old | src;
            case Opcode.AMOMIN_W: return Math.min(old, src);
            case Opcode.AMOMAX_W: return Math.max(old, src);
            case Opcode.AMOMINU_W: return Long.compareUnsigned(old, src) <= 0 ? old : src;
            default: return Long.compareUnsigned(old, src) >= 0 ? old : src;
        }
    }

    /**
     * A misaligned plain load or store completes, as on QEMU and Spike, byte by byte: both pages it
     * may touch are translated first (so a page fault comes before any byte is written; an access fault
     * on the bus may leave the bytes before it written, as the specification lets a misaligned access
     * be done piecewise), the first byte's
     * physical address is returned and the bytes on the next page, if any, start at
     * {@link #misalignedSecondPa}. AMOs and LR/SC keep their alignment traps ({@link #translateData}).
     *
     * @return the first byte's physical address, or {@link Sv39#FAULT} with the cause in {@link #dataFaultCause}.
     */
    private long translateMisaligned(final long address, final int size, final int access)
    {
        final long first = mmu.translate(address, access);
        if (first == Sv39.FAULT)
        {
            dataFaultCause = mmu.faultCause;
            return Sv39.FAULT;
        }
        misalignedFirstPa = first;
        misalignedBytesOnFirstPage = (int)Math.min(size, 0x1000 - (address & 0xFFF));
        if (misalignedBytesOnFirstPage < size)
        {
            final long second = mmu.translate((address | 0xFFF) + 1, access);
            if (second == Sv39.FAULT)
            {
                dataFaultCause = mmu.faultCause;
                return Sv39.FAULT;
            }
            misalignedSecondPa = second;
        }
        return first;
    }

    private long misalignedByteAddress(final int i)
    {
        return i < misalignedBytesOnFirstPage ? misalignedFirstPa + i : misalignedSecondPa + (i - misalignedBytesOnFirstPage);
    }

    /** The bytes {@link #translateMisaligned} located, little-endian. */
    private long loadMisaligned(final int size)
    {
        long value = 0;
        for (int i = 0; i < size; i++)
        {
            value |= (bus.load8(misalignedByteAddress(i)) & 0xFFL) << (8 * i);
        }
        return value;
    }

    private void storeMisaligned(final int size, final long value)
    {
        for (int i = 0; i < size; i++)
        {
            final long pa = misalignedByteAddress(i);
            bus.store8(pa, value >>> (8 * i));
            wrotePhysical(pa, 1);
        }
    }

    /**
     * The checks every data access makes before it touches the bus: natural alignment (misaligned
     * AMOs and LR/SC trap; plain loads and stores go through {@link #translateMisaligned}), then translation for a load or a store (AMOs and
     * SC translate as stores).
     *
     * @return the physical address, or {@link Sv39#FAULT} with the cause left in {@link #dataFaultCause}.
     */
    private long translateData(final long address, final int size, final int access)
    {
        if ((address & (size - 1)) != 0)
        {
            dataFaultCause = access == Sv39.LOAD ? CAUSE_LOAD_MISALIGNED : CAUSE_STORE_MISALIGNED;
            return Sv39.FAULT;
        }
        final long pa = mmu.translate(address, access);
        if (pa == Sv39.FAULT)
        {
            dataFaultCause = mmu.faultCause;
        }
        return pa;
    }

    /**
     * Take an exception: in S-mode when it arises in S or U and its medeleg bit is set, otherwise
     * in M-mode.
     *
     * @return whether this is a trap loop: no instruction retired since the previous trap entry.
     */
    private boolean trap(final long cause, final long tval)
    {
        exceptions++;
        if (cause == CAUSE_FETCH_ACCESS || cause == CAUSE_FETCH_PAGE_FAULT)
        {
            fetchFaults++;
        }
        final CpuState cpu = this.cpu;
        final boolean toS = cpu.priv <= CpuState.PRIV_S && ((cpu.medeleg >>> cause) & 1) != 0;
        return enterTrap(toS, cause, tval);
    }

    /** Interrupts in priority order: MEI, MSI, MTI, SEI, SSI, STI. */
    private static final int[] IRQ_PRIORITY = {
        CpuState.IRQ_MEIP, CpuState.IRQ_MSIP, CpuState.IRQ_MTIP,
        CpuState.IRQ_SEIP, CpuState.IRQ_SSIP, CpuState.IRQ_STIP,
    };

    /**
     * Take the highest-priority pending interrupt that is enabled in the current mode, if any.
     * Undelegated ones go to M when running below M or with MIE set; delegated ones go to S when
     * running in U, or in S with SIE set, and never interrupt M.
     *
     * @return whether one was taken
     */
    private boolean takeInterrupt()
    {
        final CpuState cpu = this.cpu;
        final long pending = cpu.mip & cpu.mie;
        final long s = cpu.mstatus;
        final long toM = pending & ~cpu.mideleg;
        final long toS = pending & cpu.mideleg;
        final boolean mEnabled = cpu.priv < CpuState.PRIV_M || (s & CpuState.MSTATUS_MIE) != 0;
        final boolean sEnabled = cpu.priv < CpuState.PRIV_S ||
            cpu.priv == CpuState.PRIV_S && (s & CpuState.MSTATUS_SIE) != 0;
        final long enabled = (mEnabled ? toM : 0) | (sEnabled ? toS : 0);
        if (enabled == 0)
        {
            return false;
        }
        for (final int bit : IRQ_PRIORITY)
        {
            if ((enabled >>> bit & 1) != 0)
            {
                enterTrap((toS >>> bit & 1) != 0, Long.MIN_VALUE | bit, 0);
                return true;
            }
        }
        return false;
    }

    /**
     * Enter a trap handler in S-mode or M-mode. Interrupts with the vector in mode 1 (vectored) go
     * to base + 4 * cause.
     *
     * @return whether this is a trap loop (see {@link #trap})
     */
    private boolean enterTrap(final boolean toS, final long cause, final long tval)
    {
        final CpuState cpu = this.cpu;
        final long tvec = toS ? cpu.stvec : cpu.mtvec;
        long handler = tvec & ~3L;
        if (cause < 0 && (tvec & 1) != 0)
        {
            handler += 4 * (cause & 63);
        }
        // Nothing retired since the last trap entry and we are still at the handler's address:
        // the handler's first instruction traps, and would forever. (Checking the pc too means
        // an embedder that moves pc between runs is not mistaken for a loop.)
        final boolean loop = trappedSinceRetire && cpu.pc == handler;
        trappedSinceRetire = true;
        if (toS)
        {
            cpu.sepc = cpu.pc;
            cpu.scause = cause;
            cpu.stval = tval;
            long s = cpu.mstatus & ~(CpuState.MSTATUS_SPIE | CpuState.MSTATUS_SPP | CpuState.MSTATUS_SIE);
            if ((cpu.mstatus & CpuState.MSTATUS_SIE) != 0)
            {
                s |= CpuState.MSTATUS_SPIE;
            }
            if (cpu.priv == CpuState.PRIV_S)
            {
                s |= CpuState.MSTATUS_SPP;
            }
            cpu.mstatus = s;
            cpu.priv = CpuState.PRIV_S;
        }
        else
        {
            cpu.mepc = cpu.pc;
            cpu.mcause = cause;
            cpu.mtval = tval;
            long s = cpu.mstatus & ~(CpuState.MSTATUS_MPIE | CpuState.MSTATUS_MPP | CpuState.MSTATUS_MIE);
            if ((cpu.mstatus & CpuState.MSTATUS_MIE) != 0)
            {
                s |= CpuState.MSTATUS_MPIE;
            }
            s |= (long)cpu.priv << CpuState.MSTATUS_MPP_SHIFT;
            cpu.mstatus = s;
            cpu.priv = CpuState.PRIV_M;
        }
        cpu.pc = handler;
        return loop;
    }

    /** Read a CSR, setting {@link #csrStatus}. */
    private long readCsr(final int csr)
    {
        final CpuState cpu = this.cpu;
        // Bits 9:8 give the lowest privilege level that may access the CSR.
        if (((csr >>> 8) & 3) > cpu.priv)
        {
            csrStatus = CSR_ILLEGAL;
            return 0;
        }
        csrStatus = CSR_OK;
        switch (csr)
        {
            case CSR_MSTATUS: return cpu.mstatus();
            case CSR_MISA: return CpuState.MISA;
            case CSR_MTVEC: return cpu.mtvec;
            case CSR_MSCRATCH: return cpu.mscratch;
            case CSR_MEPC: return cpu.mepc;
            case CSR_MCAUSE: return cpu.mcause;
            case CSR_MTVAL: return cpu.mtval;
            case CSR_CYCLE:
            case CSR_TIME:
            case CSR_INSTRET:
            {
                if (!counterEnabled(csr - CSR_CYCLE))
                {
                    csrStatus = CSR_ILLEGAL;
                    return 0;
                }
                if (csr == CSR_TIME && timeSource != null)
                {
                    return timeSource.getAsLong();
                }
                return cpu.instret + counterOffset;
            }
            case CSR_MCYCLE:
            case CSR_MINSTRET:
                return cpu.instret + counterOffset;
            case CSR_PMPCFG0: return cpu.pmpcfg[0];
            case CSR_PMPCFG2: return cpu.pmpcfg[1];
            case CSR_SSTATUS: return cpu.sstatus();
            case CSR_SIE: return cpu.mie & cpu.mideleg;
            case CSR_SIP: return cpu.mip & cpu.mideleg;
            case CSR_STVEC: return cpu.stvec;
            case CSR_SCOUNTEREN: return cpu.scounteren;
            case CSR_SSCRATCH: return cpu.sscratch;
            case CSR_SEPC: return cpu.sepc;
            case CSR_SCAUSE: return cpu.scause;
            case CSR_STVAL: return cpu.stval;
            case CSR_SATP:
                if (cpu.priv == CpuState.PRIV_S && (cpu.mstatus & CpuState.MSTATUS_TVM) != 0)
                {
                    csrStatus = CSR_ILLEGAL;
                    return 0;
                }
                return cpu.satp;
            case CSR_MEDELEG: return cpu.medeleg;
            case CSR_MIDELEG: return cpu.mideleg;
            case CSR_MIE: return cpu.mie;
            case CSR_MIP: return cpu.mip;
            case CSR_MCOUNTEREN: return cpu.mcounteren;
            case CSR_MVENDORID:
            case CSR_MARCHID:
            case CSR_MIMPID:
                return 0;
            case CSR_MHARTID: return cpu.mhartid;
            // Debug triggers: none implemented. tselect reads 0 whatever was written, and
            // tdata1.type = 0 there says "no trigger at this tselect"; tinfo = 1 likewise.
            case CSR_TSELECT:
            case CSR_TDATA1:
            case CSR_TDATA2:
            case CSR_TDATA3:
                return 0;
            case CSR_TINFO:
                return 1;
            // No Zicbo*, Svpbmt, Sstc, ADUE, and FIOM changes nothing here: read-only 0.
            case CSR_MENVCFG:
            case CSR_SENVCFG:
            // Nothing stops cycle/instret, and the HPM counters and events are read-only 0.
            case CSR_MCOUNTINHIBIT:
                return 0;
            default:
                if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR15)
                {
                    return cpu.pmpaddr[csr - CSR_PMPADDR0];
                }
                if (csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31 || csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)
                {
                    return 0;
                }
                if (csr >= CSR_HPMCOUNTER3 && csr <= CSR_HPMCOUNTER31 && counterEnabled(csr - CSR_CYCLE))
                {
                    return 0;
                }
                csrStatus = CSR_ILLEGAL;
                return 0;
        }
    }

    /**
     * Whether the current mode may read the user counter with this index (0 cycle, 1 time,
     * 2 instret, 3..31 hpmcounterN): below M mcounteren must allow it, in U scounteren as well.
     */
    private boolean counterEnabled(final int bit)
    {
        final CpuState cpu = this.cpu;
        return (cpu.priv == CpuState.PRIV_M || ((cpu.mcounteren >>> bit) & 1) != 0) &&
            (cpu.priv >= CpuState.PRIV_S || ((cpu.scounteren >>> bit) & 1) != 0);
    }

    /** CSRs whose bits 11:10 are 3 are read-only. */
    private static boolean csrWritable(final int csr)
    {
        return (csr >>> 10) != 3;
    }

    private void writeCsr(final int csr, final long value)
    {
        final CpuState cpu = this.cpu;
        switch (csr)
        {
            case CSR_MSTATUS: cpu.writeMstatus(value); break;
            case CSR_MISA: break; // WARL, fixed
            case CSR_MTVEC: cpu.mtvec = value & ~2L; break;
            case CSR_MSCRATCH: cpu.mscratch = value; break;
            case CSR_MEPC: cpu.mepc = value & ~1L; break;
            case CSR_MCAUSE: cpu.mcause = value; break;
            case CSR_MTVAL: cpu.mtval = value; break;
            case CSR_MEDELEG: cpu.medeleg = value & CpuState.MEDELEG_WRITABLE; break;
            case CSR_MIDELEG: cpu.mideleg = value & CpuState.IRQ_S_ALL; break;
            case CSR_MIE: cpu.mie = value & CpuState.IRQ_ALL; break;
            case CSR_MIP:
                // Software may set or clear only the S-level bits; the M-level ones follow devices.
                cpu.mip = (cpu.mip & ~CpuState.IRQ_S_ALL) | (value & CpuState.IRQ_S_ALL);
                break;
            case CSR_MCOUNTEREN: cpu.mcounteren = value & COUNTEREN_MASK; break;
            case CSR_SSTATUS: cpu.writeSstatus(value); break;
            case CSR_SIE: cpu.mie = (cpu.mie & ~cpu.mideleg) | (value & cpu.mideleg); break;
            case CSR_SIP:
            {
                // From S only SSIP is writable, and only when delegated.
                final long mask = cpu.mideleg & (1L << CpuState.IRQ_SSIP);
                cpu.mip = (cpu.mip & ~mask) | (value & mask);
                break;
            }
            case CSR_STVEC: cpu.stvec = value & ~2L; break;
            case CSR_SCOUNTEREN: cpu.scounteren = value & COUNTEREN_MASK; break;
            case CSR_SSCRATCH: cpu.sscratch = value; break;
            case CSR_SEPC: cpu.sepc = value & ~1L; break;
            case CSR_SCAUSE: cpu.scause = value; break;
            case CSR_STVAL: cpu.stval = value; break;
            case CSR_SATP:
                // (TVM was checked by the read that every CSR write is preceded by.)
                // WARL: a write with an unsupported MODE has no effect; bare (0) and Sv39 (8).
                if (value >>> 60 == 0 || value >>> 60 == Sv39.SATP_MODE_SV39)
                {
                    cpu.satp = value & (0xFL << 60 | 0xFFFFL << 44 | (1L << 44) - 1);
                    mmu.flushAll();
                }
                break;
            case CSR_MCYCLE:
            case CSR_MINSTRET:
                // The write takes effect on the value the next instruction sees; instret itself
                // stays the exact count of retired instructions. This instruction retires after
                // the write, hence the - 1.
                counterOffset = value - cpu.instret - 1;
                break;
            case CSR_PMPCFG0: writePmpcfg(0, value); break;
            case CSR_PMPCFG2: writePmpcfg(1, value); break;
            case CSR_TSELECT:
            case CSR_TDATA1:
            case CSR_TDATA2:
            case CSR_TDATA3:
            case CSR_MENVCFG:
            case CSR_SENVCFG:
            case CSR_MCOUNTINHIBIT:
                break; // WARL, read-only 0 (see readCsr); so are mhpmcounterN and mhpmeventN
            default:
                if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR15)
                {
                    final int i = csr - CSR_PMPADDR0;
                    if ((pmpEntry(i) & PMP_L) == 0)
                    {
                        cpu.pmpaddr[i] = value & PMP_ADDR_MASK;
                    }
                }
                break;
        }
    }

    private long pmpEntry(final int i)
    {
        return cpu.pmpcfg[i >>> 3] >>> (8 * (i & 7)) & 0xFF;
    }

    /** Write one pmpcfg register, leaving locked entries as they are; W without R is reserved. */
    private void writePmpcfg(final int register, final long value)
    {
        long result = cpu.pmpcfg[register];
        for (int e = 0; e < 8; e++)
        {
            final int shift = 8 * e;
            if ((result >>> shift & PMP_L) != 0)
            {
                continue;
            }
            long cfg = value >>> shift & 0x9F;   // L, A, X, W, R; bits 6:5 are reserved zero
            if ((cfg & 3) == 2)
            {
                cfg &= ~2L;
            }
            result = (result & ~(0xFFL << shift)) | cfg << shift;
        }
        cpu.pmpcfg[register] = result;
    }
}
