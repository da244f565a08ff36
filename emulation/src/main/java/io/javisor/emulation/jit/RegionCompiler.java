package io.javisor.emulation.jit;

import io.javisor.emulation.isa.Decoded;
import io.javisor.emulation.isa.Opcode;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;

/**
 * Emits one JVM method per {@link Region} with {@code java.lang.classfile} and loads it as a hidden
 * class (unloadable once the cache drops it). Guest branches inside the region are JVM jumps, so
 * HotSpot sees guest loops as loops; the guest registers the region uses live in JVM locals, loaded
 * at entry and written back at the one common exit.
 * Thread safety: not thread-safe; one instance per job (see RegionBuilder), confined to its thread.
 * <p>
 * Shape of the method: a switch on pc picks the entry; every entry and every loop header leaves,
 * before retiring anything more, when {@code retired} plus the longest run to the next check would
 * pass {@code limit}; every block (a leader and the instructions up to the next) adds its length to
 * the local {@code retired}. An instruction that cannot complete inline (an access outside RAM,
 * misaligned, a translation fault) leaves with pc at itself and {@code retired} reduced by the
 * instructions of the block not retired, so state is exact.
 */
final class RegionCompiler
{
    static final long RAM_BASE = 0x8000_0000L;

    private static final ClassDesc CD_REGION = ClassDesc.of(TranslatedRegion.class.getName());
    private static final ClassDesc CD_CPU = ClassDesc.of("io.javisor.emulation.cpu.CpuState");
    private static final ClassDesc CD_CTX = ClassDesc.of(RegionContext.class.getName());
    private static final ClassDesc CD_OPS = ClassDesc.of(RegionOps.class.getName());
    private static final ClassDesc CD_UNSAFE = ClassDesc.of("org.agrona.UnsafeApi");
    private static final ClassDesc CD_MATH = ClassDesc.of("java.lang.Math");
    private static final MethodTypeDesc MTD_EXECUTE =
        MethodTypeDesc.of(ConstantDescs.CD_long, CD_CPU, CD_CTX, ConstantDescs.CD_long);
    private static final MethodTypeDesc MTD_JJ_J =
        MethodTypeDesc.of(ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_long);
    private static final MethodTypeDesc MTD_JI_J =
        MethodTypeDesc.of(ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_int);
    private static final MethodTypeDesc MTD_JI_Z =
        MethodTypeDesc.of(ConstantDescs.CD_boolean, ConstantDescs.CD_long, ConstantDescs.CD_int);
    private static final MethodTypeDesc MTD_VOID = MethodTypeDesc.of(ConstantDescs.CD_void);

    // Local variable slots.
    private static final int CPU = 1;
    private static final int CTX = 2;
    private static final int LIMIT = 3;
    private static final int X = 5;
    private static final int RETIRED = 6;
    private static final int EXIT_PC = 8;
    private static final int ADDR = 10;
    private static final int PA = 12;
    private static final int CODE_PAGES = 14;
    private static final int REG_BASE = 15;
    /** The outcome of a device access (an int), after the 31 register longs. */
    private static final int OUTCOME = REG_BASE + 64;
    /** Under Sv39: the inline TLB's arrays, and the byte offset of the current slot in them. */
    private static final int TLB_LOAD = OUTCOME + 1;
    private static final int TLB_STORE = OUTCOME + 2;
    private static final int TLB_HOST = OUTCOME + 3;
    private static final int TLB_PHYS = OUTCOME + 4;
    private static final int TLB_OFFSET = OUTCOME + 5;
    /** RegionContext#hostOffset and #ramLimit, loaded at entry: the code holds no host address. */
    private static final int HOST_OFFSET = OUTCOME + 7;
    private static final int RAM_LIMIT = OUTCOME + 9;
    private static final ClassDesc CD_TLB = ClassDesc.of(InlineTlb.class.getName());
    private static final ClassDesc CD_LONGS = long[].class.describeConstable().orElseThrow();
    /** Offset of element 0 of a long[]. */
    private static final long LONGS = org.agrona.UnsafeApi.arrayBaseOffset(long[].class);
    private static final MethodTypeDesc MTD_OJ_J =
        MethodTypeDesc.of(ConstantDescs.CD_long, ConstantDescs.CD_Object, ConstantDescs.CD_long);
    /** Offset of element 0 of a byte[]. */
    private static final int BYTES = org.agrona.UnsafeApi.arrayBaseOffset(byte[].class);

    /**
     * Whether loop headers also test the stop flag. Without it (the default) a stop is seen within
     * {@link Translator#MAX_RUN} instructions: the translator never gives a region a larger budget and
     * tests the flag between regions.
     */
    static final boolean STOP_AT_HEADERS = Boolean.getBoolean("javisor.jit.stopAtHeaders");

    private final MethodHandles.Lookup lookup = MethodHandles.lookup();

    /** A branch to out-of-line code: an exit, or a call that returns to {@code resume}. */
    private record Stub(Label label, long pc, int unretired, Label resume, int storeSize)
    {
    }

    /**
     * Out-of-line code for a load or store that missed the inline RAM path: a direct call into the bus
     * ({@link RegionContext#deviceLoad}, {@link RegionContext#deviceStore}), resuming at {@code resume}.
     * {@code unretired} counts the access itself.
     */
    private record DeviceStub(Label label, long d, long pc, long next, int unretired, Label resume)
    {
    }

    // Per-compilation state.
    private Region region;
    private boolean bare;
    private Label[] labels;
    private final List<Stub> stubs = new ArrayList<>();
    private final List<DeviceStub> deviceStubs = new ArrayList<>();
    private boolean[] used;
    private boolean[] written;
    /**
     * The local slot of each guest register the region uses: numbered densely from {@link #REG_BASE}, so that
     * the method's frames (and their stack-map entries) hold only those. Measured: about a fifth less time
     * generating and loading a fuzz region than with a slot for every register.
     */
    private final int[] slots = new int[32];

    RegionCompiler()
    {
    }

    /** The class bytes of a region; {@code bare}: data accesses are untranslated (M-mode or satp bare). */
    byte[] generate(final Region region, final boolean bare)
    {
        prepare(region, bare);
        return ClassFile.of().build(ClassDesc.of(TranslatedRegion.class.getPackageName() + ".Region"), clb ->
        {
            clb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            clb.withSuperclass(CD_REGION);
            clb.withMethodBody(ConstantDescs.INIT_NAME, MTD_VOID, ClassFile.ACC_PUBLIC, cb ->
            {
                cb.aload(0);
                cb.invokespecial(CD_REGION, ConstantDescs.INIT_NAME, MTD_VOID);
                cb.return_();
            });
            clb.withMethodBody("execute", MTD_EXECUTE, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, this::body);
        });
    }

    /** Set up the per-compilation state for a region: which registers it reads and writes. */
    private void prepare(final Region region, final boolean bare)
    {
        this.region = region;
        this.bare = bare;
        stubs.clear();
        deviceStubs.clear();
        used = new boolean[32];
        written = new boolean[32];
        for (final long d : region.decoded)
        {
            final int op = Decoded.opcode(d);
            used[Decoded.rs1(d)] = true;
            used[Decoded.rs2(d)] = true;
            if (writesRd(op))
            {
                used[Decoded.rd(d)] = true;
                written[Decoded.rd(d)] = true;
            }
        }
        used[0] = false;
        written[0] = false;
        for (int reg = 1, next = REG_BASE; reg < 32; reg++)
        {
            if (used[reg])
            {
                slots[reg] = next;
                next += 2;
            }
        }
    }

    /** @return the bytecode length of the generated {@code execute}. */
    static int executeLength(final byte[] bytes)
    {
        for (final var m : ClassFile.of().parse(bytes).methods())
        {
            if (m.methodName().equalsString("execute"))
            {
                return m.findAttribute(java.lang.classfile.Attributes.code())
                    .map(CodeAttribute::codeLength).orElse(0);
            }
        }
        return 0;
    }

    /** Load generated bytes as a hidden class (not strongly reachable from its loader) and instantiate it. */
    TranslatedRegion load(final byte[] bytes)
    {
        try
        {
            final MethodHandles.Lookup hidden = lookup.defineHiddenClass(bytes, true);
            return (TranslatedRegion)hidden.lookupClass().getConstructor().newInstance();
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot load translated region", ex);
        }
    }

    private static boolean writesRd(final int op)
    {
        return !(RegionDiscovery.isBranch(op) || op >= Opcode.SB && op <= Opcode.SD || op == Opcode.FENCE);
    }

    private int slot(final int reg)
    {
        return slots[reg];
    }

    private void body(final CodeBuilder cb)
    {
        current = cb;
        final Region r = region;
        final int n = r.size();
        labels = new Label[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = cb.newLabel();
        }
        final Label exit = cb.newLabel();

        cb.aload(CPU);
        cb.getfield(CD_CPU, "x", long[].class.describeConstable().orElseThrow());
        cb.astore(X);
        cb.aload(CTX);
        cb.getfield(CD_CTX, "codePages", byte[].class.describeConstable().orElseThrow());
        cb.astore(CODE_PAGES);
        for (int reg = 1; reg < 32; reg++)
        {
            if (used[reg])
            {
                cb.aload(X);
                cb.loadConstant(reg);
                cb.laload();
                cb.lstore(slot(reg));
            }
        }
        cb.lconst_0();
        cb.lstore(RETIRED);
        cb.lconst_0();
        cb.lstore(EXIT_PC);
        cb.lconst_0();
        cb.lstore(ADDR);
        cb.lconst_0();
        cb.lstore(PA);
        cb.aload(CTX);
        cb.getfield(CD_CTX, "hostOffset", ConstantDescs.CD_long);
        cb.lstore(HOST_OFFSET);
        cb.aload(CTX);
        cb.getfield(CD_CTX, "ramLimit", ConstantDescs.CD_long);
        cb.lstore(RAM_LIMIT);
        if (!bare)
        {
            cb.aload(CTX);
            cb.getfield(CD_CTX, "tlb", CD_TLB);
            cb.dup();
            cb.getfield(CD_TLB, "loadTag", CD_LONGS);
            cb.astore(TLB_LOAD);
            cb.dup();
            cb.getfield(CD_TLB, "storeTag", CD_LONGS);
            cb.astore(TLB_STORE);
            cb.dup();
            cb.getfield(CD_TLB, "hostAddend", CD_LONGS);
            cb.astore(TLB_HOST);
            cb.getfield(CD_TLB, "physicalAddend", CD_LONGS);
            cb.astore(TLB_PHYS);
            cb.lconst_0();
            cb.lstore(TLB_OFFSET);
        }
        // The budget is checked only at loop headers and entries, for the longest run to the next check.
        final int[] run = runToNextCheck();
        // Every block leader is an entry, and so is every side entry (see Region#sideEntry): the region is
        // entered at cpu.pc. Loop headers check the budget themselves; other entries have a prologue.
        final List<SwitchCase> cases = new ArrayList<>();
        final Label[] entryLabels = new Label[n];
        for (int i = 0; i < n; i++)
        {
            if (!r.isEntry(i))
            {
                continue;
            }
            if (r.leader[i] && r.loopHeader[i])
            {
                cases.add(SwitchCase.of(r.offsets[i], labels[i]));
            }
            else
            {
                entryLabels[i] = cb.newLabel();
                cases.add(SwitchCase.of(r.offsets[i], entryLabels[i]));
            }
        }
        final Label notAnEntry = cb.newLabel();
        cb.aload(CPU);
        cb.getfield(CD_CPU, "pc", ConstantDescs.CD_long);
        cb.l2i();
        cb.loadConstant(0xFFF);
        cb.iand();
        cb.lookupswitch(notAnEntry, cases);
        cb.labelBinding(notAnEntry);
        cb.lconst_0();
        cb.lreturn();

        int blockStart = 0;
        int blockLength = 0;
        final int[] sideRemaining = new int[n];
        for (int i = 0; i < n; i++)
        {
            final long d = r.decoded[i];
            final long pc = r.vaPage + r.offsets[i];
            if (r.leader[i])
            {
                blockStart = i;
                blockLength = blockLengthFrom(i);
                cb.labelBinding(labels[i]);
                if (r.loopHeader[i])
                {
                    // Every cycle passes a loop header (a backward jump targets one): here the budget
                    // must cover the longest run to the next header or exit, and a stop request ends it.
                    if (STOP_AT_HEADERS)
                    {
                        cb.aload(CTX);
                        cb.invokestatic(CD_OPS, "stopRequested", MethodTypeDesc.of(ConstantDescs.CD_boolean, CD_CTX));
                        cb.ifne(stub(pc, 0));
                    }
                    cb.lload(RETIRED);
                    cb.loadConstant((long)run[i]);
                    cb.ladd();
                    cb.lload(LIMIT);
                    cb.lcmp();
                    cb.ifgt(stub(pc, 0));
                }
                cb.lload(RETIRED);
                cb.loadConstant((long)blockLength);
                cb.ladd();
                cb.lstore(RETIRED);
            }
            else
            {
                cb.labelBinding(labels[i]);
            }
            // Instructions of this block not yet retired when instruction i leaves before retiring.
            final int unretired = blockLength - (i - blockStart);
            if (entryLabels[i] != null && !r.leader[i])
            {
                sideRemaining[i] = unretired;
            }
            emit(cb, d, pc, unretired, exit);
            // Fall through to the next instruction: inline when it follows, else jump or leave.
            final int op = Decoded.opcode(d);
            if (!RegionDiscovery.endsFlow(op))
            {
                final int nextOff = r.offsets[i] + Decoded.length(d);
                if (i + 1 < n && r.offsets[i + 1] == nextOff)
                {
                    continue;
                }
                final int j = r.indexOf(nextOff);
                if (j >= 0)
                {
                    cb.goto_(labels[j]);
                }
                else
                {
                    cb.goto_(stub(r.vaPage + nextOff, 0));
                }
            }
        }

        // Entry prologues: nothing has changed yet, so a budget too small for the run to the next check
        // returns 0; a side entry starts with retired at the instructions left in its block.
        for (int i = 0; i < n; i++)
        {
            if (entryLabels[i] != null)
            {
                cb.labelBinding(entryLabels[i]);
                cb.lload(LIMIT);
                cb.loadConstant((long)run[i]);
                cb.lcmp();
                cb.iflt(notAnEntry);
                if (!r.leader[i])
                {
                    cb.loadConstant((long)sideRemaining[i]);
                    cb.lstore(RETIRED);
                }
                cb.goto_(labels[i]);
            }
        }

        // Device accesses (they may add exit stubs, emitted below).
        for (final DeviceStub stub : deviceStubs)
        {
            deviceAccess(cb, stub, exit);
        }

        // Out-of-line exits and calls.
        for (int s = 0; s < stubs.size(); s++)
        {
            final Stub stub = stubs.get(s);
            cb.labelBinding(stub.label);
            if (stub.resume != null)
            {
                // After a store into a code page or near the reservation: bookkeeping, and leave right
                // after the store when a translated region was invalidated (perhaps this one).
                cb.aload(CTX);
                cb.lload(PA);
                cb.loadConstant(stub.storeSize);
                cb.invokevirtual(CD_CTX, "codeWritten", MTD_JI_Z);
                cb.ifeq(stub.resume);
                leave(cb, stub.pc, stub.unretired, exit);
            }
            else
            {
                leave(cb, stub.pc, stub.unretired, exit);
            }
        }

        // The one exit: write back what the region wrote, then pc and instret.
        cb.labelBinding(exit);
        for (int reg = 1; reg < 32; reg++)
        {
            if (written[reg])
            {
                cb.aload(X);
                cb.loadConstant(reg);
                cb.lload(slot(reg));
                cb.lastore();
            }
        }
        cb.aload(CPU);
        cb.lload(EXIT_PC);
        cb.putfield(CD_CPU, "pc", ConstantDescs.CD_long);
        cb.aload(CPU);
        cb.dup();
        cb.getfield(CD_CPU, "instret", ConstantDescs.CD_long);
        cb.lload(RETIRED);
        cb.ladd();
        cb.putfield(CD_CPU, "instret", ConstantDescs.CD_long);
        cb.lload(RETIRED);
        cb.lreturn();
    }

    /**
     * A load or store that missed the inline path. Misaligned or untranslatable, it leaves before the
     * instruction for the interpreter (which completes misaligned accesses and takes faults); otherwise
     * the bus is called directly: refused (no device, or RAM the inline check excluded), the region
     * leaves before the instruction; done, the loaded value is extended into rd and the region goes on,
     * or leaves right after the instruction when the device raised an enabled interrupt, asked for a
     * stop or overwrote translated code.
     */
    private void deviceAccess(final CodeBuilder cb, final DeviceStub stub, final Label exit)
    {
        final long d = stub.d;
        final int op = Decoded.opcode(d);
        final boolean load = op >= Opcode.LB && op <= Opcode.LWU;
        final int size = load ? loadSize(op) : 1 << (op - Opcode.SB);
        final Label before = stub(stub.pc, stub.unretired);
        cb.labelBinding(stub.label);
        if (size > 1)
        {
            // Also catches -1, the translation fault.
            cb.lload(PA);
            cb.loadConstant((long)(size - 1));
            cb.land();
            cb.lconst_0();
            cb.lcmp();
            cb.ifne(before);
        }
        else if (!bare)
        {
            cb.lload(PA);
            cb.loadConstant(-1L);
            cb.lcmp();
            cb.ifeq(before);
        }
        cb.aload(CTX);
        cb.lload(PA);
        cb.loadConstant(size);
        if (load)
        {
            cb.invokevirtual(CD_CTX, "deviceLoad", MTD_JI_J);
            cb.lstore(ADDR);
        }
        else
        {
            get(cb, Decoded.rs2(d));
            cb.invokevirtual(CD_CTX, "deviceStore", MethodTypeDesc.of(ConstantDescs.CD_void,
                ConstantDescs.CD_long, ConstantDescs.CD_int, ConstantDescs.CD_long));
        }
        cb.aload(CTX);
        cb.getfield(CD_CTX, "deviceOutcome", ConstantDescs.CD_int);
        cb.dup();
        cb.istore(OUTCOME);
        cb.loadConstant(RegionContext.DEVICE_REFUSED);
        cb.if_icmpeq(before);
        if (load)
        {
            // The bus zero-extends; the signed loads narrow and widen again.
            cb.lload(ADDR);
            switch (op)
            {
                case Opcode.LB -> { cb.l2i(); cb.i2b(); cb.i2l(); }
                case Opcode.LH -> { cb.l2i(); cb.i2s(); cb.i2l(); }
                case Opcode.LW -> { cb.l2i(); cb.i2l(); }
                default -> { }
            }
            set(cb, Decoded.rd(d));
        }
        cb.iload(OUTCOME);
        cb.ifeq(stub.resume);
        leave(cb, stub.next, stub.unretired - 1, exit);
    }

    private static int loadSize(final int op)
    {
        return switch (op)
        {
            case Opcode.LB, Opcode.LBU -> 1;
            case Opcode.LH, Opcode.LHU -> 2;
            case Opcode.LW, Opcode.LWU -> 4;
            default -> 8;
        };
    }

    private void leave(final CodeBuilder cb, final long pc, final int unretired, final Label exit)
    {
        if (unretired != 0)
        {
            cb.lload(RETIRED);
            cb.loadConstant((long)unretired);
            cb.lsub();
            cb.lstore(RETIRED);
        }
        cb.loadConstant(pc);
        cb.lstore(EXIT_PC);
        cb.goto_(exit);
    }

    /**
     * For each instruction, the most instructions a run from it can retire before it reaches a loop
     * header or leaves the region. Finite because every cycle passes a loop header; computed from the
     * last instruction back, as all other in-region jumps go forward.
     */
    private int[] runToNextCheck()
    {
        final Region r = region;
        final int n = r.size();
        final int[] run = new int[n];
        for (int i = n - 1; i >= 0; i--)
        {
            final long d = r.decoded[i];
            final int op = Decoded.opcode(d);
            int longest = 0;
            if (!RegionDiscovery.endsFlow(op))
            {
                longest = Math.max(longest, onward(run, r.indexOf(r.offsets[i] + Decoded.length(d)), i));
            }
            if (RegionDiscovery.isBranch(op) || op == Opcode.JAL)
            {
                final long t = r.vaPage + r.offsets[i] + Decoded.imm(d);
                if ((t & ~0xFFFL) == r.vaPage)
                {
                    longest = Math.max(longest, onward(run, r.indexOf((int)(t & 0xFFF)), i));
                }
            }
            run[i] = 1 + longest;
        }
        return run;
    }

    /** What successor {@code j} of instruction {@code i} adds to a run: nothing at an exit or a loop header. */
    private int onward(final int[] run, final int j, final int i)
    {
        if (j < 0 || region.loopHeader[j])
        {
            return 0;
        }
        // A backward jump always targets a loop header, so here j > i and run[j] is known.
        assert j > i;
        return run[j];
    }

    /** The number of instructions from leader {@code i} to the next leader. */
    private int blockLengthFrom(final int i)
    {
        int j = i + 1;
        while (j < region.size() && !region.leader[j])
        {
            j++;
        }
        return j - i;
    }

    private Label stub(final long pc, final int unretired)
    {
        for (final Stub s : stubs)
        {
            if (s.resume == null && s.pc == pc && s.unretired == unretired)
            {
                return s.label;
            }
        }
        final Stub s = new Stub(newLabel(), pc, unretired, null, 0);
        stubs.add(s);
        return s.label;
    }

    private CodeBuilder current;

    private Label newLabel()
    {
        return current.newLabel();
    }

    private void get(final CodeBuilder cb, final int reg)
    {
        if (reg == 0)
        {
            cb.lconst_0();
        }
        else
        {
            cb.lload(slot(reg));
        }
    }

    /** Store the long on the stack in rd (dropped for x0). */
    private void set(final CodeBuilder cb, final int rd)
    {
        if (rd == 0)
        {
            cb.pop2();
        }
        else
        {
            cb.lstore(slot(rd));
        }
    }

    private void target(final CodeBuilder cb, final long t, final java.util.function.Consumer<Label> branch)
    {
        if ((t & ~0xFFFL) == region.vaPage)
        {
            final int j = region.indexOf((int)(t & 0xFFF));
            if (j >= 0)
            {
                branch.accept(labels[j]);
                return;
            }
        }
        branch.accept(stub(t, 0));
    }

    private void emit(final CodeBuilder cb, final long d, final long pc, final int unretired, final Label exit)
    {
        current = cb;
        final int op = Decoded.opcode(d);
        final int rd = Decoded.rd(d);
        final int rs1 = Decoded.rs1(d);
        final int rs2 = Decoded.rs2(d);
        final long imm = Decoded.imm(d);
        final long next = pc + Decoded.length(d);
        if (rd == 0 && isPureAlu(op))
        {
            return;
        }
        switch (op)
        {
            case Opcode.LUI -> { cb.loadConstant(imm); set(cb, rd); }
            case Opcode.AUIPC -> { cb.loadConstant(pc + imm); set(cb, rd); }
            case Opcode.JAL ->
            {
                if (rd != 0)
                {
                    cb.loadConstant(next);
                    cb.lstore(slot(rd));
                }
                target(cb, pc + imm, cb::goto_);
            }
            case Opcode.JALR ->
            {
                get(cb, rs1);
                cb.loadConstant(imm);
                cb.ladd();
                cb.loadConstant(~1L);
                cb.land();
                cb.lstore(EXIT_PC);
                if (rd != 0)
                {
                    cb.loadConstant(next);
                    cb.lstore(slot(rd));
                }
                cb.goto_(exit);
            }
            case Opcode.BEQ, Opcode.BNE, Opcode.BLT, Opcode.BGE ->
            {
                get(cb, rs1);
                get(cb, rs2);
                cb.lcmp();
                branch(cb, op, pc + imm);
            }
            case Opcode.BLTU, Opcode.BGEU ->
            {
                get(cb, rs1);
                cb.loadConstant(Long.MIN_VALUE);
                cb.lxor();
                get(cb, rs2);
                cb.loadConstant(Long.MIN_VALUE);
                cb.lxor();
                cb.lcmp();
                branch(cb, op, pc + imm);
            }
            case Opcode.LB, Opcode.LH, Opcode.LW, Opcode.LD, Opcode.LBU, Opcode.LHU, Opcode.LWU ->
            {
                final int size = loadSize(op);
                final Label device = cb.newLabel();
                final Label loaded = cb.newLabel();
                access(cb, rs1, imm, size, RegionContext.LOAD, device);
                deviceStubs.add(new DeviceStub(device, d, pc, next, unretired, loaded));
                switch (op)
                {
                    case Opcode.LB -> { cb.invokestatic(CD_UNSAFE, "getByte", mt(ConstantDescs.CD_byte)); cb.i2l(); }
                    case Opcode.LBU ->
                    {
                        cb.invokestatic(CD_UNSAFE, "getByte", mt(ConstantDescs.CD_byte));
                        cb.loadConstant(0xFF);
                        cb.iand();
                        cb.i2l();
                    }
                    case Opcode.LH -> { cb.invokestatic(CD_UNSAFE, "getShort", mt(ConstantDescs.CD_short)); cb.i2l(); }
                    case Opcode.LHU ->
                    {
                        cb.invokestatic(CD_UNSAFE, "getShort", mt(ConstantDescs.CD_short));
                        cb.loadConstant(0xFFFF);
                        cb.iand();
                        cb.i2l();
                    }
                    case Opcode.LW -> { cb.invokestatic(CD_UNSAFE, "getInt", mt(ConstantDescs.CD_int)); cb.i2l(); }
                    case Opcode.LWU ->
                    {
                        cb.invokestatic(CD_UNSAFE, "getInt", mt(ConstantDescs.CD_int));
                        cb.i2l();
                        cb.loadConstant(0xFFFF_FFFFL);
                        cb.land();
                    }
                    default -> cb.invokestatic(CD_UNSAFE, "getLong", mt(ConstantDescs.CD_long));
                }
                set(cb, rd);
                cb.labelBinding(loaded);
            }
            case Opcode.SB, Opcode.SH, Opcode.SW, Opcode.SD ->
            {
                final int size = 1 << (op - Opcode.SB);
                final Label device = cb.newLabel();
                final Label resume = cb.newLabel();
                access(cb, rs1, imm, size, RegionContext.STORE, device);
                deviceStubs.add(new DeviceStub(device, d, pc, next, unretired, resume));
                get(cb, rs2);
                switch (size)
                {
                    case 1 -> { cb.l2i(); cb.i2b(); cb.invokestatic(CD_UNSAFE, "putByte", put(ConstantDescs.CD_byte)); }
                    case 2 -> { cb.l2i(); cb.i2s(); cb.invokestatic(CD_UNSAFE, "putShort", put(ConstantDescs.CD_short)); }
                    case 4 -> { cb.l2i(); cb.invokestatic(CD_UNSAFE, "putInt", put(ConstantDescs.CD_int)); }
                    default -> cb.invokestatic(CD_UNSAFE, "putLong", put(ConstantDescs.CD_long));
                }
                // A store onto a page with code or the reservation needs bookkeeping. The page index is
                // within codePages (the access is in RAM), so the byte is read without a bounds check.
                final Label call = cb.newLabel();
                cb.aload(CODE_PAGES);
                cb.lload(PA);
                cb.loadConstant(RAM_BASE);
                cb.lsub();
                cb.loadConstant(12);
                cb.lushr();
                cb.loadConstant((long)BYTES);
                cb.ladd();
                cb.invokestatic(CD_UNSAFE, "getByte",
                    MethodTypeDesc.of(ConstantDescs.CD_byte, ConstantDescs.CD_Object, ConstantDescs.CD_long));
                cb.ifne(call);
                cb.labelBinding(resume);
                // Leaving after the store: it retired, so one fewer is unretired.
                stubs.add(new Stub(call, next, unretired - 1, resume, size));
            }
            case Opcode.FENCE -> { }
            default -> alu(cb, op, rd, rs1, rs2, imm);
        }
    }

    private static boolean isPureAlu(final int op)
    {
        return op == Opcode.LUI || op == Opcode.AUIPC || op >= Opcode.ADDI && op <= Opcode.SRAW ||
            op >= Opcode.MUL && op <= Opcode.REMUW;
    }

    private static MethodTypeDesc mt(final ClassDesc result)
    {
        return MethodTypeDesc.of(result, ConstantDescs.CD_long);
    }

    private static MethodTypeDesc put(final ClassDesc value)
    {
        return MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_long, value);
    }

    private void branch(final CodeBuilder cb, final int op, final long t)
    {
        target(cb, t, label ->
        {
            switch (op)
            {
                case Opcode.BEQ -> cb.ifeq(label);
                case Opcode.BNE -> cb.ifne(label);
                case Opcode.BLT, Opcode.BLTU -> cb.iflt(label);
                default -> cb.ifge(label);
            }
        });
    }

    /**
     * Compute the effective address, check it, and leave the host address on the stack; on a
     * misaligned access, a translation fault or an address outside RAM (or in its last 8 bytes) jump
     * to {@code slow}. Sets local {@code PA} to the physical address; at {@code slow} it holds the
     * (virtual) address when misaligned, -1 after a translation fault, else the physical address.
     */
    private void access(final CodeBuilder cb, final int rs1, final long imm, final int size, final int kind,
        final Label slow)
    {
        get(cb, rs1);
        if (imm != 0)
        {
            cb.loadConstant(imm);
            cb.ladd();
        }
        if (bare && size > 1)
        {
            // One test for both alignment and range: rotating the RAM offset right by log2(size) moves
            // any misaligned low bits to the top, so the unsigned compare against the limit (shifted
            // alike; ramSize - 8 is a multiple of 8) fails for those too.
            final int shift = Integer.numberOfTrailingZeros(size);
            cb.dup2();
            cb.lstore(PA);
            cb.loadConstant(-RAM_BASE);
            cb.ladd();
            cb.loadConstant(shift);
            cb.invokestatic(ClassDesc.of("java.lang.Long"), "rotateRight", MTD_JI_J);
            cb.loadConstant(Long.MIN_VALUE);
            cb.lxor();
            cb.lload(RAM_LIMIT);
            cb.loadConstant(shift);
            cb.lushr();
            cb.loadConstant(Long.MIN_VALUE);
            cb.lxor();
            cb.lcmp();
            cb.ifgt(slow);
            cb.lload(PA);
            cb.lload(HOST_OFFSET);
            cb.ladd();
            return;
        }
        final Label translated = cb.newLabel();
        if (!bare)
        {
            inlineTlb(cb, size, kind, translated);
        }
        if (size > 1)
        {
            // PA holds the virtual address until translated: misaligned, the device stub sees it so.
            cb.dup2();
            cb.lstore(PA);
            cb.loadConstant((long)(size - 1));
            cb.land();
            cb.lconst_0();
            cb.lcmp();
            cb.ifne(slow);
            cb.lload(PA);
        }
        if (!bare)
        {
            cb.lstore(ADDR);
            cb.aload(CTX);
            cb.lload(ADDR);
            cb.loadConstant(kind);
            cb.invokevirtual(CD_CTX, "translate", MTD_JI_J);
        }
        cb.dup2();
        cb.lstore(PA);
        // Unsigned (pa - RAM_BASE) > ramSize - 8, as a signed compare after flipping the sign bit.
        cb.loadConstant(Long.MIN_VALUE - RAM_BASE);
        cb.ladd();
        cb.lload(RAM_LIMIT);
        cb.loadConstant(Long.MIN_VALUE);
        cb.lxor();
        cb.lcmp();
        cb.ifgt(slow);
        cb.lload(PA);
        cb.lload(HOST_OFFSET);
        cb.ladd();
        cb.labelBinding(translated);
    }

    /**
     * With the virtual address on the stack: on a hit in the inline TLB (same page, naturally aligned:
     * the compare keeps the low address bits an aligned access has clear), leave the host address on the
     * stack and jump to {@code hit}, with {@code PA} set for a store's code-page check; on a miss fall
     * through with the virtual address still on the stack, to the call that translates (and fills).
     */
    private void inlineTlb(final CodeBuilder cb, final int size, final int kind, final Label hit)
    {
        final Label miss = cb.newLabel();
        cb.dup2();
        cb.lstore(ADDR);
        cb.lload(ADDR);
        cb.loadConstant(9);
        cb.lushr();
        cb.loadConstant((long)(InlineTlb.SLOTS - 1) << 3);
        cb.land();
        cb.loadConstant(LONGS);
        cb.ladd();
        cb.lstore(TLB_OFFSET);
        cb.aload(kind == RegionContext.STORE ? TLB_STORE : TLB_LOAD);
        cb.lload(TLB_OFFSET);
        cb.invokestatic(CD_UNSAFE, "getLong", MTD_OJ_J);
        cb.lload(ADDR);
        cb.loadConstant(~0xFFFL | (size - 1));
        cb.land();
        cb.lcmp();
        cb.ifne(miss);
        if (kind == RegionContext.STORE)
        {
            cb.lload(ADDR);
            cb.aload(TLB_PHYS);
            cb.lload(TLB_OFFSET);
            cb.invokestatic(CD_UNSAFE, "getLong", MTD_OJ_J);
            cb.ladd();
            cb.lstore(PA);
        }
        cb.pop2();
        cb.lload(ADDR);
        cb.aload(TLB_HOST);
        cb.lload(TLB_OFFSET);
        cb.invokestatic(CD_UNSAFE, "getLong", MTD_OJ_J);
        cb.ladd();
        cb.goto_(hit);
        cb.labelBinding(miss);
    }

    private void alu(final CodeBuilder cb, final int op, final int rd, final int rs1, final int rs2, final long imm)
    {
        switch (op)
        {
            case Opcode.ADDI -> { get(cb, rs1); if (imm != 0) { cb.loadConstant(imm); cb.ladd(); } }
            case Opcode.SLTI -> { get(cb, rs1); cb.loadConstant(imm); cb.invokestatic(CD_OPS, "slt", MTD_JJ_J); }
            case Opcode.SLTIU -> { get(cb, rs1); cb.loadConstant(imm); cb.invokestatic(CD_OPS, "sltu", MTD_JJ_J); }
            case Opcode.XORI -> { get(cb, rs1); cb.loadConstant(imm); cb.lxor(); }
            case Opcode.ORI -> { get(cb, rs1); cb.loadConstant(imm); cb.lor(); }
            case Opcode.ANDI -> { get(cb, rs1); cb.loadConstant(imm); cb.land(); }
            case Opcode.SLLI -> { get(cb, rs1); cb.loadConstant((int)(imm & 63)); cb.lshl(); }
            case Opcode.SRLI -> { get(cb, rs1); cb.loadConstant((int)(imm & 63)); cb.lushr(); }
            case Opcode.SRAI -> { get(cb, rs1); cb.loadConstant((int)(imm & 63)); cb.lshr(); }
            case Opcode.ADD -> { get(cb, rs1); get(cb, rs2); cb.ladd(); }
            case Opcode.SUB -> { get(cb, rs1); get(cb, rs2); cb.lsub(); }
            case Opcode.SLL -> { get(cb, rs1); get(cb, rs2); cb.l2i(); cb.lshl(); }
            case Opcode.SLT -> { get(cb, rs1); get(cb, rs2); cb.invokestatic(CD_OPS, "slt", MTD_JJ_J); }
            case Opcode.SLTU -> { get(cb, rs1); get(cb, rs2); cb.invokestatic(CD_OPS, "sltu", MTD_JJ_J); }
            case Opcode.XOR -> { get(cb, rs1); get(cb, rs2); cb.lxor(); }
            case Opcode.SRL -> { get(cb, rs1); get(cb, rs2); cb.l2i(); cb.lushr(); }
            case Opcode.SRA -> { get(cb, rs1); get(cb, rs2); cb.l2i(); cb.lshr(); }
            case Opcode.OR -> { get(cb, rs1); get(cb, rs2); cb.lor(); }
            case Opcode.AND -> { get(cb, rs1); get(cb, rs2); cb.land(); }
            case Opcode.ADDIW -> { get(cb, rs1); cb.l2i(); cb.loadConstant((int)imm); cb.iadd(); cb.i2l(); }
            case Opcode.SLLIW -> { get(cb, rs1); cb.l2i(); cb.loadConstant((int)(imm & 31)); cb.ishl(); cb.i2l(); }
            case Opcode.SRLIW -> { get(cb, rs1); cb.l2i(); cb.loadConstant((int)(imm & 31)); cb.iushr(); cb.i2l(); }
            case Opcode.SRAIW -> { get(cb, rs1); cb.l2i(); cb.loadConstant((int)(imm & 31)); cb.ishr(); cb.i2l(); }
            case Opcode.ADDW -> { get(cb, rs1); cb.l2i(); get(cb, rs2); cb.l2i(); cb.iadd(); cb.i2l(); }
            case Opcode.SUBW -> { get(cb, rs1); cb.l2i(); get(cb, rs2); cb.l2i(); cb.isub(); cb.i2l(); }
            case Opcode.SLLW -> { get(cb, rs1); cb.l2i(); get(cb, rs2); cb.l2i(); cb.ishl(); cb.i2l(); }
            case Opcode.SRLW -> { get(cb, rs1); cb.l2i(); get(cb, rs2); cb.l2i(); cb.iushr(); cb.i2l(); }
            case Opcode.SRAW -> { get(cb, rs1); cb.l2i(); get(cb, rs2); cb.l2i(); cb.ishr(); cb.i2l(); }
            case Opcode.MUL -> { get(cb, rs1); get(cb, rs2); cb.lmul(); }
            case Opcode.MULH -> { get(cb, rs1); get(cb, rs2); cb.invokestatic(CD_MATH, "multiplyHigh", MTD_JJ_J); }
            case Opcode.MULHSU -> { get(cb, rs1); get(cb, rs2); cb.invokestatic(CD_OPS, "mulhsu", MTD_JJ_J); }
            case Opcode.MULHU ->
            {
                get(cb, rs1);
                get(cb, rs2);
                cb.invokestatic(CD_MATH, "unsignedMultiplyHigh", MTD_JJ_J);
            }
            case Opcode.MULW -> { get(cb, rs1); cb.l2i(); get(cb, rs2); cb.l2i(); cb.imul(); cb.i2l(); }
            case Opcode.DIV -> ops(cb, "div", rs1, rs2);
            case Opcode.DIVU -> ops(cb, "divu", rs1, rs2);
            case Opcode.REM -> ops(cb, "rem", rs1, rs2);
            case Opcode.REMU -> ops(cb, "remu", rs1, rs2);
            case Opcode.DIVW -> ops(cb, "divw", rs1, rs2);
            case Opcode.DIVUW -> ops(cb, "divuw", rs1, rs2);
            case Opcode.REMW -> ops(cb, "remw", rs1, rs2);
            case Opcode.REMUW -> ops(cb, "remuw", rs1, rs2);
            default -> throw new IllegalStateException("not translatable: " + Opcode.name(op));
        }
        set(cb, rd);
    }

    private void ops(final CodeBuilder cb, final String name, final int rs1, final int rs2)
    {
        if (rs1 == 0)
        {
            cb.lconst_0();
        }
        else
        {
            cb.lload(slot(rs1));
        }
        if (rs2 == 0)
        {
            cb.lconst_0();
        }
        else
        {
            cb.lload(slot(rs2));
        }
        cb.invokestatic(CD_OPS, name, MTD_JJ_J);
    }

    // ------------------------------------------------------------------ batches

    /** A batch's region methods: {@code execute} with the region object as an explicit first argument. */
    private static final MethodTypeDesc MTD_BATCH_REGION =
        MethodTypeDesc.of(ConstantDescs.CD_long, CD_REGION, CD_CPU, CD_CTX, ConstantDescs.CD_long);

    /**
     * The class bytes of several regions at once: region {@code i}'s code, exactly as {@link #generate} emits
     * it for {@code execute}, becomes static method {@code region<i>}, whose first argument (slot 0, where
     * the code never looks) takes the place of {@code this}. One class for many regions costs one class
     * definition instead of many; {@link BatchedRegion} calls the methods.
     */
    byte[] generateBatch(final Region[] regions, final boolean[] bare)
    {
        return ClassFile.of().build(ClassDesc.of(TranslatedRegion.class.getPackageName() + ".Regions"), clb ->
        {
            clb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            for (int i = 0; i < regions.length; i++)
            {
                prepare(regions[i], bare[i]);
                clb.withMethodBody("region" + i, MTD_BATCH_REGION, ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, this::body);
            }
        });
    }

    /** @return the bytecode length of each region's method in a batch's class bytes, by index. */
    static int[] batchLengths(final byte[] bytes, final int count)
    {
        final int[] lengths = new int[count];
        for (final var m : ClassFile.of().parse(bytes).methods())
        {
            final String name = m.methodName().stringValue();
            lengths[Integer.parseInt(name, "region".length(), name.length(), 10)] =
                m.findAttribute(java.lang.classfile.Attributes.code()).map(CodeAttribute::codeLength).orElse(0);
        }
        return lengths;
    }

    /** Load a batch's class bytes as one hidden class and make its {@code count} regions, by index. */
    TranslatedRegion[] loadBatch(final byte[] bytes, final int count)
    {
        try
        {
            final MethodHandles.Lookup hidden = lookup.defineHiddenClass(bytes, true);
            final java.lang.invoke.MethodType type = java.lang.invoke.MethodType.methodType(long.class,
                TranslatedRegion.class, io.javisor.emulation.cpu.CpuState.class, RegionContext.class, long.class);
            final TranslatedRegion[] regions = new TranslatedRegion[count];
            for (int i = 0; i < count; i++)
            {
                regions[i] = new BatchedRegion(hidden.findStatic(hidden.lookupClass(), "region" + i, type));
            }
            return regions;
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot load translated regions", ex);
        }
    }
}
