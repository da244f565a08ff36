package io.javisor.emulation.fuzz;

import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.cpu.Interpreter;
import io.javisor.emulation.isa.Asm;
import io.javisor.emulation.isa.Decoded;
import io.javisor.emulation.isa.Decoder;
import io.javisor.emulation.isa.Opcode;

import java.util.SplittableRandom;

import static io.javisor.emulation.fuzz.FuzzLayout.*;
import static io.javisor.emulation.isa.Asm.*;

/**
 * Seeded random RV64IMAC + Zicsr code, laid out as images of many short "regions" (4 to 64
 * generated items each; an item is an instruction or a short idiom) that each end in EBREAK, plus
 * a random start state per region. Everything generated is valid code that terminates within its
 * budget; faults and traps are generated on purpose and resumed from by the images' trap handlers,
 * which step over the faulting instruction (M-mode at {@link FuzzLayout#M_HANDLER}, delegated ones
 * in S-mode at {@link FuzzLayout#S_HANDLER}) and stop the hart with WFI on EBREAK or a fetch fault.
 * <p>
 * Coverage: RV64I ALU register and immediate forms including the W forms and LUI/AUIPC; M
 * (division by zero and MIN / -1 set up on purpose); A (LR/SC pairs that succeed and fail, all AMOs
 * .W and .D, aq/rl, aligned and misaligned); C (every RV64C form but the FP ones); loads and
 * stores of every width, aligned and misaligned, into RAM, past RAM's end, into an MMIO device and
 * into unmapped space; forward branches, guest loops (nested, bounded trip counts), JAL/C.J over
 * dead bytes, calls to subroutines in another page and back (JAL, JALR, C.JALR, C.JR), computed
 * JALR with an odd offset; CSR reads and writes (scratch, epc, cause, tval, status, ie, ip, deleg,
 * counteren, counters, satp, pmp, read-only and non-existent ones); ECALL, EBREAK, illegal
 * encodings, privileged instructions in the wrong mode, FENCE variants, FENCE.I, SFENCE.VMA, WFI;
 * self-modifying code; a drop from M to S or U through MRET; random decodable words; and runs in
 * M, S and U mode, bare or under Sv39 with randomly flagged 4 KiB pages, megapages and gigapages
 * (A/D updates, permission and invalid-PTE faults, aliases, SUM, MXR, MPRV), PTE edits with and
 * without SFENCE.VMA, interrupts raised by CSR writes or by the harness at a given step.
 * Register values and immediates are biased to edge cases.
 */
final class RandomRegionGenerator
{
    /** What was generated, for the coverage report. */
    enum Item
    {
        ALU_REG, ALU_IMM, LI, MUL_DIV, DIV_EDGE, LOAD, STORE, COMPRESSED, AMO, LR_SC, CSR, ECALL, EBREAK, FENCE,
        FENCE_I, SFENCE_VMA, WFI, ILLEGAL, XRET_IN_U, RANDOM_WORD, BRANCH, LOOP, JUMP, CALL, JALR, SELF_MODIFY,
        PTE_EDIT, DROP_PRIVILEGE, MMIO_POINTER
    }

    static final long[] EDGES = {
        0, 1, -1, 2, -2, 0x7FF, -0x800, 0x800, 0xFFF, 0x1000, 31, 32, 63, 64,
        Integer.MAX_VALUE, Integer.MIN_VALUE, 0x8000_0000L, 0xFFFF_FFFFL, 0x1_0000_0000L,
        Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, 0xFFFF_FFFF_FFFF_F000L, 0x5555_5555_5555_5555L,
        BASE, BASE + 0xFFF, RAM_END - 1, RAM_END, MMIO, GIGA_ALIAS,
    };

    /** Registers a loop counter may live in (never written by subroutines or handlers). */
    private static final int[] COUNTERS = {5, 6, 7, 12, 13, 14, 15, 28, 29};
    /** Registers subroutines may write. */
    private static final int[] PAD_REGS = {3, 4, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 30, 31};
    private static final int PADS_COUNT = 16;
    private static final int SOFT = 1;
    private static final int HARD = 2;

    private static final int[] CSRS = {
        Interpreter.CSR_MSCRATCH, Interpreter.CSR_SSCRATCH, Interpreter.CSR_MEPC, Interpreter.CSR_SEPC,
        Interpreter.CSR_MCAUSE, Interpreter.CSR_SCAUSE, Interpreter.CSR_MTVAL, Interpreter.CSR_STVAL,
        Interpreter.CSR_MSTATUS, Interpreter.CSR_SSTATUS, Interpreter.CSR_MIE, Interpreter.CSR_SIE,
        Interpreter.CSR_MIP, Interpreter.CSR_SIP, Interpreter.CSR_MEDELEG, Interpreter.CSR_MIDELEG,
        Interpreter.CSR_MCOUNTEREN, Interpreter.CSR_SCOUNTEREN, Interpreter.CSR_CYCLE, Interpreter.CSR_TIME,
        Interpreter.CSR_INSTRET, Interpreter.CSR_MCYCLE, Interpreter.CSR_MINSTRET, Interpreter.CSR_MISA,
        Interpreter.CSR_MHARTID, Interpreter.CSR_MVENDORID, Interpreter.CSR_SATP, Interpreter.CSR_PMPCFG0,
        Interpreter.CSR_PMPADDR0, Interpreter.CSR_PMPADDR0 + 7, Interpreter.CSR_MTVEC, Interpreter.CSR_STVEC,
        0x7FF, 0x5C0, 0xC03,
    };

    /** Those S-mode may access (U-mode only the counters, when counteren allows). */
    private static final int[] S_CSRS = {
        Interpreter.CSR_SSCRATCH, Interpreter.CSR_SEPC, Interpreter.CSR_SCAUSE, Interpreter.CSR_STVAL,
        Interpreter.CSR_SSTATUS, Interpreter.CSR_SIE, Interpreter.CSR_SIP, Interpreter.CSR_SCOUNTEREN,
        Interpreter.CSR_SATP, Interpreter.CSR_CYCLE, Interpreter.CSR_TIME, Interpreter.CSR_INSTRET,
    };

    private final SplittableRandom random;
    private final long[] coverage = new long[Item.values().length];
    private final int[] reserved = new int[32];
    private final long[] pads = new long[PADS_COUNT];
    private CodeBuffer code;
    /** The start privilege of the region being generated. */
    private int priv;
    private int statesPerRegion = 1;
    private int images;

    RandomRegionGenerator(final long seed)
    {
        this.random = new SplittableRandom(seed);
    }

    /** Run each region's code from this many different start states (they share its translation). */
    RandomRegionGenerator statesPerRegion(final int n)
    {
        this.statesPerRegion = n;
        return this;
    }

    long[] coverage()
    {
        return coverage.clone();
    }

    // ------------------------------------------------------------------ images

    /** A fresh image: handlers, subroutines, as many regions as fit in the code pages, random data. */
    FuzzImage nextImage()
    {
        final FuzzImage image = new FuzzImage("image " + images++);
        random.nextBytes(image.device);
        // Data pages: random bytes, with some runs of edge values.
        for (int page = FIRST_DATA_PAGE; page <= LAST_DATA_PAGE; page++)
        {
            final int from = page * PAGE;
            for (int i = from; i < from + PAGE; i += 8)
            {
                final long v = chance(4) ? edge() : random.nextLong();
                for (int b = 0; b < 8; b++)
                {
                    image.ram[i + b] = (byte)(v >>> (8 * b));
                }
            }
        }
        writeHandlers(image.ram);
        writePads(image.ram);
        code = new CodeBuffer(image.ram, CODE, CODE_END);
        int index = 0;
        while (code.room() > 600)
        {
            final Region r = region(image.name + " region " + index++);
            image.regions.add(r);
            for (int s = 1; s < statesPerRegion; s++)
            {
                final Region again = r.sameCode(r.name + " state " + s);
                startState(again);
                image.regions.add(again);
            }
        }
        return image;
    }

    /**
     * The trap handlers. Both use only x30 and x31. An interrupt is acknowledged by clearing mie
     * (sie) and returned from; EBREAK and fetch faults stop the hart (mie cleared, WFI); any other
     * exception resumes after the faulting instruction, whose length the handler reads from it.
     */
    static void writeHandlers(final byte[] ram)
    {
        handler(new CodeBuffer(ram, M_HANDLER, M_HANDLER + 0x200), Interpreter.CSR_MCAUSE, Interpreter.CSR_MEPC,
            Interpreter.CSR_MIE, mret(), false);
        handler(new CodeBuffer(ram, S_HANDLER, S_HANDLER + 0x200), Interpreter.CSR_SCAUSE, Interpreter.CSR_SEPC,
            Interpreter.CSR_SIE, sret(), true);
    }

    private static void handler(final CodeBuffer c, final int cause, final int epc, final int ie, final int ret,
        final boolean supervisor)
    {
        c.word(csrrs(31, cause, 0));
        final long toIrq = c.pc();
        c.word(0);
        final long[] toStop = new long[3];
        final int[] stopCauses = {Interpreter.CAUSE_BREAKPOINT, Interpreter.CAUSE_FETCH_ACCESS,
            Interpreter.CAUSE_FETCH_PAGE_FAULT};
        for (int i = 0; i < 3; i++)
        {
            c.word(addi(30, 0, stopCauses[i]));
            toStop[i] = c.pc();
            c.word(0);
        }
        if (supervisor)
        {
            // Set SUM, so that the handler can read a U-mode instruction.
            c.word(lui(30, (int)(CpuState.MSTATUS_SUM >>> 12)));
            c.word(csrrs(0, Interpreter.CSR_SSTATUS, 30));
        }
        c.word(csrrs(31, epc, 0));
        c.word(lhu(30, 31, 0));
        c.word(andi(30, 30, 3));
        c.word(addi(31, 31, 2));
        c.word(addi(30, 30, -3));
        c.word(bne(30, 0, 8));
        c.word(addi(31, 31, 2));
        c.word(csrrw(0, epc, 31));
        c.word(ret);
        final long irq = c.pc();
        c.word(csrrw(0, ie, 0));
        c.word(ret);
        final long stop = c.pc();
        c.word(csrrw(0, ie, 0));
        c.word(wfi());
        c.word(jal(0, -4));
        c.patchWord(toIrq, blt(31, 0, (int)(irq - toIrq)));
        for (final long at : toStop)
        {
            c.patchWord(at, beq(31, 30, (int)(stop - at)));
        }
    }

    /** Subroutines at the start of page 1: a few ALU instructions on {@link #PAD_REGS}, then return. */
    private void writePads(final byte[] ram)
    {
        final CodeBuffer c = new CodeBuffer(ram, PADS, PADS_END);
        for (int p = 0; p < PADS_COUNT; p++)
        {
            pads[p] = c.pc();
            final int n = 1 + random.nextInt(5);
            for (int i = 0; i < n; i++)
            {
                final int rd = PAD_REGS[random.nextInt(PAD_REGS.length)];
                final int rs = PAD_REGS[random.nextInt(PAD_REGS.length)];
                switch (random.nextInt(4))
                {
                    case 0 -> c.word(add(rd, rs, random.nextInt(32)));
                    case 1 -> c.word(addiw(rd, rs, imm12()));
                    case 2 -> c.half(c_addi(rd, random.nextInt(64) - 32));
                    default -> c.word(mul(rd, rs, random.nextInt(32)));
                }
            }
            if (random.nextBoolean())
            {
                c.half(c_jr(1));
            }
            else
            {
                c.word(jalr(0, 1, 0));
            }
        }
    }

    // ------------------------------------------------------------------ regions

    private Region region(final String name)
    {
        // A gap of dead bytes, so regions start at varied alignments and some straddle pages.
        final int gap = random.nextInt(12);
        for (int i = 0; i < gap; i++)
        {
            code.half((short)random.nextInt());
        }
        java.util.Arrays.fill(reserved, 0);
        reserved[2] = reserved[8] = reserved[9] = SOFT;
        final Region r = new Region();
        r.name = name;
        r.entry = code.pc();
        r.codeStart = r.entry;
        priv = pickPriv();
        r.priv = priv;
        final int items = 4 + random.nextInt(61);
        for (int i = 0; i < items && code.room() > 400; i++)
        {
            item(0);
        }
        count(Item.EBREAK);
        if (random.nextBoolean())
        {
            code.half(c_ebreak());
        }
        else
        {
            code.word(ebreak());
        }
        r.codeEnd = code.pc();
        startState(r);
        return r;
    }

    private int pickPriv()
    {
        final int k = random.nextInt(10);
        return k < 4 ? CpuState.PRIV_M : k < 7 ? CpuState.PRIV_S : CpuState.PRIV_U;
    }

    private void item(final int depth)
    {
        final int k = random.nextInt(100);
        if (k < 14) aluReg();
        else if (k < 28) aluImm();
        else if (k < 31) li(dst(), edge(), Item.LI);
        else if (k < 38) mulDiv();
        else if (k < 46) load();
        else if (k < 53) store();
        else if (k < 65) compressed();
        else if (k < 69) atomic();
        else if (k < 74) csr();
        else if (k < 77) system();
        else if (k < 79 && depth == 0) randomWord();
        else if (k < 84) forwardBranch(depth);
        else if (k < 88 && depth < 2) loop(depth);
        else if (k < 91) jumpOver();
        else if (k < 93) call();
        else if (k < 95) computedJalr();
        else if (k < 96) selfModify();
        else if (k < 97) pteEdit();
        else if (k < 98 && priv == CpuState.PRIV_M && depth == 0) dropPrivilege();
        else aluReg();
    }

    /** The straight-line items: what a branch may skip over. */
    private void simple()
    {
        final int k = random.nextInt(6);
        switch (k)
        {
            case 0 -> aluReg();
            case 1 -> aluImm();
            case 2 -> mulDiv();
            case 3 -> load();
            case 4 -> store();
            default -> compressed();
        }
    }

    // ------------------------------------------------------------------ operands

    private boolean chance(final int percent)
    {
        return random.nextInt(100) < percent;
    }

    private void count(final Item item)
    {
        coverage[item.ordinal()]++;
    }

    long edge()
    {
        return EDGES[random.nextInt(EDGES.length)];
    }

    private int src()
    {
        return chance(10) ? 0 : random.nextInt(32);
    }

    /** A destination: any register but loop counters and temporaries in use, rarely a pointer. */
    private int dst()
    {
        while (true)
        {
            final int r = random.nextInt(32);
            if (reserved[r] == 0 || reserved[r] == SOFT && chance(5))
            {
                return r;
            }
        }
    }

    private int dstPrime()
    {
        for (int tries = 0; tries < 64; tries++)
        {
            final int r = 8 + random.nextInt(8);
            if (reserved[r] == 0 || reserved[r] == SOFT && chance(5))
            {
                return r;
            }
        }
        return 10;
    }

    /** A temporary for an idiom: not reserved, not x0; reserve with {@link #hold}. */
    private int temp()
    {
        while (true)
        {
            final int r = 1 + random.nextInt(31);
            if (reserved[r] == 0 && r != 30 && r != 31)
            {
                return r;
            }
        }
    }

    private int hold(final int r)
    {
        reserved[r] = HARD;
        return r;
    }

    private void release(final int r)
    {
        reserved[r] = 0;
    }

    private int base()
    {
        if (chance(92))
        {
            final int k = random.nextInt(10);
            return k < 3 ? 8 : k < 6 ? 9 : k < 8 ? 2 : 10;
        }
        return src();
    }

    private int imm12()
    {
        final int k = random.nextInt(8);
        return switch (k)
        {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> random.nextBoolean() ? 2047 : -2048;
            case 3 -> random.nextInt(4096) - 2048;
            default -> random.nextInt(33) - 16;
        };
    }

    private int offset(final int width)
    {
        return switch (random.nextInt(8))
        {
            case 0 -> 0;
            case 1 -> random.nextInt(33) - 16;                        // often misaligned
            case 2 -> random.nextBoolean() ? 2047 : -2048;
            default -> width * (random.nextInt(33) - 16);
        };
    }

    private int shamt(final int bits)
    {
        return switch (random.nextInt(5))
        {
            case 0 -> 0;
            case 1 -> bits - 1;
            case 2 -> bits / 2;
            default -> random.nextInt(bits);
        };
    }

    // ------------------------------------------------------------------ items

    private void aluReg()
    {
        count(Item.ALU_REG);
        final int rd = dst();
        final int a = src();
        final int b = src();
        code.word(switch (random.nextInt(15))
        {
            case 0 -> add(rd, a, b);
            case 1 -> sub(rd, a, b);
            case 2 -> sll(rd, a, b);
            case 3 -> slt(rd, a, b);
            case 4 -> sltu(rd, a, b);
            case 5 -> xor(rd, a, b);
            case 6 -> srl(rd, a, b);
            case 7 -> sra(rd, a, b);
            case 8 -> or(rd, a, b);
            case 9 -> and(rd, a, b);
            case 10 -> addw(rd, a, b);
            case 11 -> subw(rd, a, b);
            case 12 -> sllw(rd, a, b);
            case 13 -> srlw(rd, a, b);
            default -> sraw(rd, a, b);
        });
    }

    private void aluImm()
    {
        count(Item.ALU_IMM);
        final int rd = dst();
        final int a = src();
        code.word(switch (random.nextInt(15))
        {
            case 0 -> addi(rd, a, imm12());
            case 1 -> slti(rd, a, imm12());
            case 2 -> sltiu(rd, a, imm12());
            case 3 -> xori(rd, a, imm12());
            case 4 -> ori(rd, a, imm12());
            case 5 -> andi(rd, a, imm12());
            case 6 -> slli(rd, a, shamt(64));
            case 7 -> srli(rd, a, shamt(64));
            case 8 -> srai(rd, a, shamt(64));
            case 9 -> addiw(rd, a, imm12());
            case 10 -> slliw(rd, a, shamt(32));
            case 11 -> srliw(rd, a, shamt(32));
            case 12 -> sraiw(rd, a, shamt(32));
            case 13 -> lui(rd, random.nextBoolean() ? random.nextInt(1 << 20) : new int[] {0, 0x80000, 0xFFFFF, 0x7FFFF, 1}[random.nextInt(5)]);
            default -> auipc(rd, random.nextInt(1 << 20));
        });
    }

    /** {@link #li} into another buffer, for tests of the idiom itself. */
    void li(final CodeBuffer into, final int rd, final long value)
    {
        code = into;
        li(rd, value, null);
    }

    /** Load any 64-bit constant (LUI/ADDIW/SLLI/ADDI as a compiler would). */
    void li(final int rd, final long value, final Item item)
    {
        if (item != null)
        {
            count(item);
        }
        if (value == (int)value)
        {
            final long hi = (value + 0x800) >> 12;
            final int lo = (int)(value - (hi << 12));
            if (hi != 0)
            {
                code.word(lui(rd, (int)(hi & 0xFFFFF)));
                if (lo != 0)
                {
                    code.word(addiw(rd, rd, lo));
                }
            }
            else
            {
                code.word(addi(rd, 0, lo));
            }
            return;
        }
        final int lo12 = (int)(value << 52 >> 52);
        long hi52 = (value - lo12) >> 12;
        int shift = 12;
        while ((hi52 & 1) == 0)
        {
            hi52 >>= 1;
            shift++;
        }
        li(rd, hi52, null);
        code.word(slli(rd, rd, shift));
        if (lo12 != 0)
        {
            code.word(addi(rd, rd, lo12));
        }
    }

    private void mulDiv()
    {
        final int rd = dst();
        int a = src();
        int b = src();
        if (chance(25))
        {
            // Division by zero, or the one overflowing division, on purpose.
            count(Item.DIV_EDGE);
            a = hold(temp());
            b = hold(temp());
            li(a, random.nextBoolean() ? Long.MIN_VALUE : Integer.MIN_VALUE, null);
            code.word(addi(b, 0, random.nextBoolean() ? -1 : 0));
            release(a);
            release(b);
        }
        count(Item.MUL_DIV);
        code.word(switch (random.nextInt(13))
        {
            case 0 -> mul(rd, a, b);
            case 1 -> mulh(rd, a, b);
            case 2 -> mulhsu(rd, a, b);
            case 3 -> mulhu(rd, a, b);
            case 4 -> div(rd, a, b);
            case 5 -> divu(rd, a, b);
            case 6 -> rem(rd, a, b);
            case 7 -> remu(rd, a, b);
            case 8 -> mulw(rd, a, b);
            case 9 -> divw(rd, a, b);
            case 10 -> divuw(rd, a, b);
            case 11 -> remw(rd, a, b);
            default -> remuw(rd, a, b);
        });
    }

    private void load()
    {
        count(Item.LOAD);
        final int rd = dst();
        final int b = base();
        final int op = random.nextInt(7);
        final int width = new int[] {1, 2, 4, 8, 1, 2, 4}[op];
        final int off = offset(width);
        code.word(switch (op)
        {
            case 0 -> lb(rd, b, off);
            case 1 -> lh(rd, b, off);
            case 2 -> lw(rd, b, off);
            case 3 -> ld(rd, b, off);
            case 4 -> lbu(rd, b, off);
            case 5 -> lhu(rd, b, off);
            default -> lwu(rd, b, off);
        });
    }

    private void store()
    {
        count(Item.STORE);
        final int b = base();
        final int v = src();
        final int op = random.nextInt(4);
        final int off = offset(1 << op);
        code.word(switch (op)
        {
            case 0 -> sb(v, b, off);
            case 1 -> sh(v, b, off);
            case 2 -> sw(v, b, off);
            default -> sd(v, b, off);
        });
    }

    private int primeBase()
    {
        return chance(85) ? 8 + random.nextInt(2) : 8 + random.nextInt(8);
    }

    private int primeSrc()
    {
        return 8 + random.nextInt(8);
    }

    private int nonZero(final int r)
    {
        return r == 0 ? 1 + random.nextInt(31) : r;
    }

    private void compressed()
    {
        count(Item.COMPRESSED);
        final short insn = switch (random.nextInt(26))
        {
            case 0 -> c_addi(dst(), random.nextInt(64) - 32);
            case 1 -> c_addiw(nonZero(dst()), random.nextInt(64) - 32);
            case 2 -> c_li(dst(), random.nextInt(64) - 32);
            case 3 ->
            {
                int rd = dst();
                while (rd == 2)
                {
                    rd = dst();
                }
                int imm = random.nextInt(64) - 32;
                yield c_lui(rd, imm == 0 ? 1 : imm);
            }
            case 4 -> c_addi16sp(sp16());
            case 5 -> c_addi4spn(dstPrime(), 4 * (1 + random.nextInt(255)));
            case 6 -> c_srli(dstPrime(), shamt(64));
            case 7 -> c_srai(dstPrime(), shamt(64));
            case 8 -> c_andi(dstPrime(), random.nextInt(64) - 32);
            case 9 -> c_sub(dstPrime(), primeSrc());
            case 10 -> c_xor(dstPrime(), primeSrc());
            case 11 -> c_or(dstPrime(), primeSrc());
            case 12 -> c_and(dstPrime(), primeSrc());
            case 13 -> c_subw(dstPrime(), primeSrc());
            case 14 -> c_addw(dstPrime(), primeSrc());
            case 15 -> c_slli(dst(), shamt(64));
            case 16 -> c_mv(dst(), nonZero(src()));
            case 17 -> c_add(dst(), nonZero(src()));
            case 18 -> c_lw(dstPrime(), primeBase(), 4 * random.nextInt(32));
            case 19 -> c_ld(dstPrime(), primeBase(), 8 * random.nextInt(32));
            case 20 -> c_sw(primeSrc(), primeBase(), 4 * random.nextInt(32));
            case 21 -> c_sd(primeSrc(), primeBase(), 8 * random.nextInt(32));
            case 22 -> c_lwsp(nonZero(dst()), 4 * random.nextInt(64));
            case 23 -> c_ldsp(nonZero(dst()), 8 * random.nextInt(64));
            case 24 -> random.nextBoolean() ? c_swsp(src(), 4 * random.nextInt(64)) : c_sdsp(src(), 8 * random.nextInt(64));
            default -> c_nop();
        };
        code.half(insn);
    }

    private int sp16()
    {
        int k = random.nextInt(63) - 32;
        if (k == 0)
        {
            k = 1;
        }
        return k * 16;
    }

    private void atomic()
    {
        final int t = hold(temp());
        final int b = base();
        final boolean word = random.nextBoolean();
        final int width = word ? 4 : 8;
        final int off = chance(15) ? random.nextInt(8) : width * (random.nextInt(16) - 8);
        code.word(addi(t, b, off));
        if (chance(35))
        {
            count(Item.LR_SC);
            final int rd = dst();
            code.word(word ? lr_w(rd, t) : lr_d(rd, t));
            final int between = random.nextInt(3);
            for (int i = 0; i < between; i++)
            {
                if (chance(20))
                {
                    store();
                }
                else
                {
                    aluReg();
                }
            }
            int scBase = t;
            if (chance(20))
            {
                scBase = hold(temp());
                code.word(addi(scBase, t, chance(50) ? 8 : 4));
                release(scBase);
            }
            final int rd2 = dst();
            code.word(word ? sc_w(rd2, src(), scBase) : sc_d(rd2, src(), scBase));
        }
        else
        {
            count(Item.AMO);
            final int[] funct5 = {0b00001, 0b00000, 0b00100, 0b01100, 0b01000, 0b10000, 0b10100, 0b11000, 0b11100};
            code.word(Asm.amo(funct5[random.nextInt(funct5.length)], word ? 2 : 3, dst(), t, src(),
                random.nextBoolean(), random.nextBoolean()));
        }
        release(t);
    }

    private void csr()
    {
        count(Item.CSR);
        int csr = priv != CpuState.PRIV_M && chance(60) ? S_CSRS[random.nextInt(S_CSRS.length)] :
            CSRS[random.nextInt(CSRS.length)];
        final boolean vector = csr == Interpreter.CSR_MTVEC || csr == Interpreter.CSR_STVEC;
        final int rd = dst();
        final int kind = random.nextInt(6);
        if (vector || chance(30))
        {
            // Read only (CSRRS/CSRRC with x0, or the immediate forms with 0): the trap vectors stay.
            code.word(kind < 3 ? csrrs(rd, csr, 0) : csrrci(rd, csr, 0));
            return;
        }
        if (chance(10))
        {
            csr = random.nextInt(4096);
            if (csr == Interpreter.CSR_MTVEC || csr == Interpreter.CSR_STVEC)
            {
                csr = 0x7FF;
            }
        }
        int source = src();
        if (csr == Interpreter.CSR_SATP && chance(70))
        {
            source = hold(temp());
            li(source, random.nextBoolean() ? SATP_SV39 : 0, null);
            release(source);
        }
        else if (chance(40))
        {
            source = hold(temp());
            li(source, chance(50) ? edge() : 1L << random.nextInt(64), null);
            release(source);
        }
        final int uimm = random.nextInt(32);
        code.word(switch (kind)
        {
            case 0 -> csrrw(rd, csr, source);
            case 1 -> csrrs(rd, csr, source);
            case 2 -> csrrc(rd, csr, source);
            case 3 -> csrrwi(rd, csr, uimm);
            case 4 -> csrrsi(rd, csr, uimm);
            default -> csrrci(rd, csr, uimm);
        });
    }

    private void system()
    {
        final int k = random.nextInt(20);
        if (k < 6)
        {
            count(Item.ECALL);
            code.word(ecall());
        }
        else if (k < 9)
        {
            count(Item.FENCE);
            code.word(switch (random.nextInt(3))
            {
                case 0 -> fence(random.nextInt(16), random.nextInt(16));
                case 1 -> fenceTso();
                default -> pause();
            });
        }
        else if (k < 11)
        {
            count(Item.FENCE_I);
            code.word(fence_i());
        }
        else if (k < 13)
        {
            count(Item.SFENCE_VMA);
            code.word(sfence_vma(random.nextBoolean() ? 0 : base(), random.nextBoolean() ? 0 : src()));
        }
        else if (k < 14)
        {
            count(Item.WFI);
            code.word(wfi());
        }
        else if (k < 15)
        {
            count(Item.EBREAK);
            if (random.nextBoolean())
            {
                code.word(ebreak());
            }
            else
            {
                code.half(c_ebreak());
            }
        }
        else if (k < 17 && priv == CpuState.PRIV_U)
        {
            count(Item.XRET_IN_U);
            code.word(random.nextBoolean() ? mret() : sret());
        }
        else
        {
            count(Item.ILLEGAL);
            switch (random.nextInt(4))
            {
                case 0 -> code.half((short)0);                       // c.unimp
                case 1 -> code.word(0xFFFF_FFFF);
                case 2 -> code.word(0x0000_0007 | random.nextInt(1 << 20) << 12);   // FLW-space: no F
                default -> code.word(csrrw(dst(), 0xFFF, src()));
            }
        }
    }

    /** A random word that decodes to anything but a control transfer, xRET, WFI or a trap-vector write. */
    private void randomWord()
    {
        count(Item.RANDOM_WORD);
        while (true)
        {
            final boolean wide = random.nextBoolean();
            final int bits = wide ? random.nextInt() | 3 : random.nextInt(1 << 16);
            if (!wide && (bits & 3) == 3)
            {
                continue;
            }
            final long d = Decoder.decodeAny(bits);
            final int op = Decoded.opcode(d);
            if (op == Opcode.JAL || op == Opcode.JALR || op >= Opcode.BEQ && op <= Opcode.BGEU ||
                op == Opcode.MRET || op == Opcode.SRET || op == Opcode.WFI)
            {
                continue;
            }
            if (op >= Opcode.CSRRW && op <= Opcode.CSRRCI)
            {
                final int csr = Decoded.csr(d);
                if (csr == Interpreter.CSR_MTVEC || csr == Interpreter.CSR_STVEC)
                {
                    continue;
                }
            }
            if (op == Opcode.ILLEGAL && chance(80))
            {
                continue;
            }
            if (wide)
            {
                code.word(bits);
            }
            else
            {
                code.half((short)bits);
            }
            return;
        }
    }

    private void forwardBranch(final int depth)
    {
        count(Item.BRANCH);
        final long at = code.pc();
        final int a = src();
        final int b = src();
        final boolean compressed = chance(30);
        final int rs = primeSrc();
        final boolean eq = random.nextBoolean();
        final int kind = random.nextInt(6);
        if (compressed)
        {
            code.half((short)0);
        }
        else
        {
            code.word(0);
        }
        final int n = 1 + random.nextInt(5);
        for (int i = 0; i < n; i++)
        {
            if (depth < 2 && chance(15))
            {
                item(depth + 1);
            }
            else
            {
                simple();
            }
        }
        final int offset = (int)(code.pc() - at);
        if (compressed && offset < 256)
        {
            code.patchHalf(at, eq ? c_beqz(rs, offset) : c_bnez(rs, offset));
        }
        else if (compressed)
        {
            code.patchHalf(at, c_nop());
        }
        else
        {
            code.patchWord(at, switch (kind)
            {
                case 0 -> beq(a, b, offset);
                case 1 -> bne(a, b, offset);
                case 2 -> blt(a, b, offset);
                case 3 -> bge(a, b, offset);
                case 4 -> bltu(a, b, offset);
                default -> bgeu(a, b, offset);
            });
        }
    }

    /** A guest loop: counter = n; do { body } while (--counter != 0). */
    private void loop(final int depth)
    {
        count(Item.LOOP);
        int counter = COUNTERS[random.nextInt(COUNTERS.length)];
        for (int tries = 0; reserved[counter] != 0 && tries < 20; tries++)
        {
            counter = COUNTERS[random.nextInt(COUNTERS.length)];
        }
        if (reserved[counter] != 0)
        {
            aluReg();
            return;
        }
        hold(counter);
        final int trips = chance(20) ? 1 : 1 + random.nextInt(depth == 0 ? 12 : 4);
        if (chance(50))
        {
            code.half(c_li(counter, trips));
        }
        else
        {
            code.word(addi(counter, 0, trips));
        }
        final long top = code.pc();
        final int n = 1 + random.nextInt(depth == 0 ? 8 : 4);
        for (int i = 0; i < n; i++)
        {
            item(depth + 1);
        }
        if (chance(50))
        {
            code.half(c_addi(counter, -1));
        }
        else
        {
            code.word(addi(counter, counter, -1));
        }
        final int back = (int)(top - code.pc());
        if (counter >= 8 && counter < 16 && back >= -256 && chance(50))
        {
            code.half(c_bnez(counter, back));
        }
        else
        {
            code.word(switch (random.nextInt(3))
            {
                case 0 -> bne(counter, 0, back);
                case 1 -> blt(0, counter, back);
                default -> bltu(0, counter, back);
            });
        }
        release(counter);
    }

    /** JAL or C.J over dead bytes (random, often undecodable). */
    private void jumpOver()
    {
        count(Item.JUMP);
        final long at = code.pc();
        final boolean compressed = chance(40);
        final int rd = random.nextBoolean() ? 0 : dst();
        if (compressed)
        {
            code.half((short)0);
        }
        else
        {
            code.word(0);
        }
        final int dead = 1 + random.nextInt(4);
        for (int i = 0; i < dead; i++)
        {
            code.half((short)random.nextInt());
        }
        final int offset = (int)(code.pc() - at);
        if (compressed)
        {
            code.patchHalf(at, c_j(offset));
        }
        else
        {
            code.patchWord(at, jal(rd, offset));
        }
    }

    /** Call a subroutine in page 1 and come back (JAL ra, or JALR / C.JALR through a register). */
    private void call()
    {
        count(Item.CALL);
        final long pad = pads[random.nextInt(PADS_COUNT)];
        final int k = random.nextInt(3);
        if (k == 0)
        {
            code.word(jal(1, (int)(pad - code.pc())));
            return;
        }
        final int t = hold(temp());
        li(t, pad, null);
        if (k == 1 && t != 1)
        {
            code.half(c_jalr(t));
        }
        else
        {
            code.word(jalr(1, t, 0));
        }
        release(t);
    }

    /** AUIPC + ADDI + JALR to a label past some dead bytes, with an odd offset now and then (bit 0 is dropped). */
    private void computedJalr()
    {
        count(Item.JALR);
        final int t = hold(temp());
        final long auipcAt = code.pc();
        code.word(auipc(t, 0));
        final long addiAt = code.pc();
        code.word(0);
        final int imm = random.nextInt(64) - 32;
        code.word(jalr(random.nextBoolean() ? 0 : dst(), t, imm));
        final int dead = random.nextInt(3);
        for (int i = 0; i < dead; i++)
        {
            code.half((short)random.nextInt());
        }
        final long target = code.pc();
        code.patchWord(addiAt, addi(t, t, (int)(target - auipcAt) - imm + (imm & 1)));
        release(t);
    }

    /** Overwrite an instruction a few bytes ahead with another, then (usually) FENCE.I, then run it. */
    private void selfModify()
    {
        count(Item.SELF_MODIFY);
        final int t = hold(temp());
        final int v = hold(temp());
        final long auipcAt = code.pc();
        code.word(auipc(t, 0));
        final int rd = dst();
        final int replacement = random.nextBoolean() ? addi(rd, src(), imm12()) : xor(rd, src(), src());
        li(v, replacement, null);
        final long first = code.pc();
        code.word(0);
        code.word(srli(v, v, 16));
        final long second = code.pc();
        code.word(0);
        if (chance(70))
        {
            code.word(fence_i());
        }
        final long slot = code.pc();
        aluReg();
        code.patchWord(first, sh(v, t, (int)(slot - auipcAt)));
        code.patchWord(second, sh(v, t, (int)(slot - auipcAt) + 2));
        release(t);
        release(v);
    }

    /** Rewrite a level-0 PTE (a data page or an alias), usually SFENCE.VMA, then touch that page. */
    private void pteEdit()
    {
        count(Item.PTE_EDIT);
        final int t = hold(temp());
        final int v = hold(temp());
        final int index = chance(50) ? FIRST_DATA_PAGE + random.nextInt(7) : 16 + random.nextInt(ALIAS_PAGES);
        li(t, L0 + 8L * index, null);
        li(v, leaf(pagePa(FIRST_DATA_PAGE + random.nextInt(7)), dataFlags(random.nextBoolean())), null);
        code.word(sd(v, t, 0));
        if (chance(80))
        {
            code.word(sfence_vma(0, 0));
        }
        li(t, BASE + (long)index * PAGE + 8L * random.nextInt(512), null);
        code.word(random.nextBoolean() ? ld(dst(), t, 0) : sd(src(), t, 0));
        release(t);
        release(v);
    }

    /** In M-mode: MRET to the next instruction in S or U mode (MPP set through mstatus). */
    private void dropPrivilege()
    {
        count(Item.DROP_PRIVILEGE);
        final int t = hold(temp());
        final long auipcAt = code.pc();
        code.word(auipc(t, 0));
        final long addiAt = code.pc();
        code.word(0);
        code.word(csrrw(0, Interpreter.CSR_MEPC, t));
        li(t, CpuState.MSTATUS_MPP, null);
        code.word(csrrc(0, Interpreter.CSR_MSTATUS, t));
        final int to = random.nextBoolean() ? CpuState.PRIV_S : CpuState.PRIV_U;
        if (to == CpuState.PRIV_S)
        {
            li(t, 1L << CpuState.MSTATUS_MPP_SHIFT, null);
            code.word(csrrs(0, Interpreter.CSR_MSTATUS, t));
        }
        code.word(mret());
        code.patchWord(addiAt, addi(t, t, (int)(code.pc() - auipcAt)));
        release(t);
        priv = to;
    }

    // ------------------------------------------------------------------ start states

    private long dataPointer()
    {
        if (chance(5))
        {
            return RAM_END - 1 - random.nextInt(8);
        }
        final long page = pagePa(FIRST_DATA_PAGE + 1 + random.nextInt(LAST_DATA_PAGE - FIRST_DATA_PAGE));
        return switch (random.nextInt(6))
        {
            case 0 -> page + PAGE - (1 << random.nextInt(4));                   // at the page's end
            case 1 -> page + random.nextInt(PAGE);
            default -> page + 8L * random.nextInt(PAGE / 8);
        };
    }

    private long aliasPointer()
    {
        final long offset = dataPointer() - BASE;
        return switch (random.nextInt(3))
        {
            case 0 -> GIGA_ALIAS + offset;
            case 1 -> MEGA_ALIAS + offset;
            default -> PAGE_ALIAS + (long)random.nextInt(ALIAS_PAGES) * PAGE + (offset & 0xFFF);
        };
    }

    private long registerValue()
    {
        return switch (random.nextInt(10))
        {
            case 0, 1, 2 -> edge();
            case 3, 4 -> random.nextInt(33) - 16;
            case 5, 6 -> random.nextLong();
            case 7 -> dataPointer();
            case 8 -> aliasPointer();
            default -> 1L << random.nextInt(64);
        };
    }

    private static long dataFlags(final SplittableRandom random, final boolean user)
    {
        long f = V | R | W | A | D | (user ? U : 0);
        final int k = random.nextInt(100);
        if (k < 15) f &= ~A;
        else if (k < 30) f &= ~D;
        else if (k < 33) f &= ~W;
        else if (k < 35) f &= ~V;
        else if (k < 36) f &= ~R;                 // W without R: reserved
        else if (k < 38) f = V | X | A | (user ? U : 0);   // execute-only: readable with MXR
        else if (k < 40) f ^= U;                  // the other mode's page
        return f;
    }

    private long dataFlags(final boolean user)
    {
        return dataFlags(random, user);
    }

    void startState(final Region r)
    {
        final int p = r.priv;
        for (int i = 1; i < 32; i++)
        {
            r.x[i] = registerValue();
        }
        final boolean sv39 = p == CpuState.PRIV_M ? chance(30) : chance(85);
        r.satp = sv39 ? SATP_SV39 : 0;
        r.x[2] = dataPointer();
        r.x[8] = dataPointer();
        r.x[9] = sv39 && chance(30) ? aliasPointer() : dataPointer();
        if (chance(25))
        {
            count(Item.MMIO_POINTER);
            r.x[10] = MMIO + random.nextInt(0x50);
        }
        long s = 0;
        final long mpp = new long[] {CpuState.PRIV_U, CpuState.PRIV_S, CpuState.PRIV_M}[random.nextInt(3)];
        s |= mpp << CpuState.MSTATUS_MPP_SHIFT;
        if (chance(30)) s |= CpuState.MSTATUS_MIE;
        if (chance(30)) s |= CpuState.MSTATUS_SIE;
        if (chance(50)) s |= CpuState.MSTATUS_MPIE;
        if (chance(50)) s |= CpuState.MSTATUS_SPIE;
        if (chance(50)) s |= CpuState.MSTATUS_SPP;
        if (chance(50)) s |= CpuState.MSTATUS_SUM;
        if (chance(20)) s |= CpuState.MSTATUS_MXR;
        if (chance(8)) s |= CpuState.MSTATUS_TVM;
        if (chance(8)) s |= CpuState.MSTATUS_TW;
        if (chance(8)) s |= CpuState.MSTATUS_TSR;
        // MPRV only in M-mode (MRET and SRET clear it on the way down), with MPP below M.
        final boolean mprv = p == CpuState.PRIV_M && mpp != CpuState.PRIV_M && chance(20);
        if (mprv)
        {
            s |= CpuState.MSTATUS_MPRV;
        }
        r.mstatus = s;
        r.medeleg = chance(50) ? random.nextLong() & CpuState.MEDELEG_WRITABLE : 0;
        r.mideleg = random.nextLong() & CpuState.IRQ_S_ALL;
        r.mie = chance(30) ? random.nextLong() & CpuState.IRQ_ALL : 0;
        r.mip = chance(20) ? random.nextLong() & CpuState.IRQ_S_ALL : 0;
        r.mcounteren = random.nextInt(8);
        r.scounteren = random.nextInt(8);
        r.mscratch = registerValue();
        r.sscratch = registerValue();
        r.mepc = registerValue() & ~1L;
        r.sepc = registerValue() & ~1L;
        r.mcause = registerValue();
        r.scause = registerValue();
        r.mtval = registerValue();
        r.stval = registerValue();
        r.instret = chance(80) ? 0 : registerValue();
        r.reservation = chance(20) ? dataPointer() & ~7L : -1;

        // Page tables (used under Sv39, and by M-mode loads and stores with MPRV).
        final boolean user = p == CpuState.PRIV_U || mprv && mpp == CpuState.PRIV_U;
        r.pteWords = 0;
        r.pte(ROOT + 8 * 2, pointer(L1));
        r.pte(L1, pointer(L0));
        r.pte(ROOT, leaf(0, V | R | W | A | D | (user ? U : 0)));                              // MMIO 1:1
        r.pte(ROOT + 8, leaf(BASE, V | R | W | X | A | D | (chance(50) ? U : 0)));             // gigapage alias
        r.pte(L1 + 8, leaf(BASE, chance(80) ? dataFlags(user) : V | R | W | A | D | 1L << 10)); // megapage (or misaligned)
        r.pte(L0, leaf(BASE, V | R | X | A));                                                  // handlers
        final long codeFlags = V | R | X | A | (user ? U : 0) | (chance(20) ? W | D : 0);
        for (int page = FIRST_CODE_PAGE; page <= LAST_CODE_PAGE; page++)
        {
            long f = codeFlags;
            if (chance(3))
            {
                f = chance(50) ? f & ~X : f & ~V;
            }
            r.pte(L0 + 8L * page, leaf(pagePa(page), f));
        }
        for (int page = ROOT_PAGE; page <= L0_PAGE; page++)
        {
            r.pte(L0 + 8L * page, leaf(pagePa(page), V | R | W | A | D));
        }
        for (int page = FIRST_DATA_PAGE; page <= LAST_DATA_PAGE; page++)
        {
            r.pte(L0 + 8L * page, leaf(pagePa(page), dataFlags(user)));
        }
        for (int i = 0; i < ALIAS_PAGES; i++)
        {
            if (chance(80))
            {
                r.pte(L0 + 8L * (16 + i), leaf(pagePa(FIRST_DATA_PAGE + random.nextInt(7)), dataFlags(user)));
            }
        }

        // Budget: mostly enough to finish; sometimes a stop in mid-region. B splits it at random.
        r.budget = chance(75) ? 3000 : 1 + random.nextInt(120);
        if (chance(50))
        {
            final int n = 1 + random.nextInt(4);
            final long[] cuts = new long[n];
            for (int i = 0; i < n; i++)
            {
                cuts[i] = 1 + random.nextLong(Math.max(1, Math.min(r.budget, 200)));
            }
            java.util.Arrays.sort(cuts);
            r.cuts = cuts;
        }
        if (chance(10))
        {
            r.interruptBit = new int[] {CpuState.IRQ_MTIP, CpuState.IRQ_MSIP, CpuState.IRQ_MEIP, CpuState.IRQ_STIP,
                CpuState.IRQ_SEIP, CpuState.IRQ_SSIP}[random.nextInt(6)];
            if (chance(70))
            {
                r.mie |= 1L << r.interruptBit;
            }
            r.interruptAt = random.nextLong(Math.min(r.budget, 80));
        }
    }
}
