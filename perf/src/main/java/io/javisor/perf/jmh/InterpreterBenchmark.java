package io.javisor.perf.jmh;

import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.cpu.Interpreter;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.cpu.StopReason;
import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.MachineMemory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The interpreter's fast path on an endless RV64 compute loop (load, add, multiply, xor, store,
 * shift, counter, backward jump) in 64 KiB of RAM, M-mode, bare: one benchmark operation is one
 * retired guest instruction, so the score is nanoseconds per guest instruction (1000 / score =
 * guest MIPS). Allocation under {@code -prof gc} must be 0 B/op: the loop allocates nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class InterpreterBenchmark
{
    private static final int FRAMES = 16;
    /** Guest instructions per benchmark invocation: one VirtMachine slice. */
    private static final int SLICE = 1 << 16;

    private MachineMemory machine;
    private GuestMemory memory;
    private CpuState cpu;
    private Interpreter interpreter;

    @Setup(Level.Trial)
    public void setUp()
    {
        machine = MachineMemory.anonymous(FRAMES);
        final FrameAllocator allocator = new FrameAllocator(machine);
        allocator.setQuota(1, FRAMES);
        memory = GuestMemory.allocate(allocator, 1, FRAMES);
        final int[] program = {
            auipc(6, 1),                    // x6 = data page (pc + 0x1000)
            iType(0, 0, 0, 5, 0x13),        // x5 = 0
            // loop:
            iType(0, 6, 2, 7, 0x03),        // lw   x7, 0(x6)
            rType(0, 5, 7, 0, 7, 0x33),     // add  x7, x7, x5
            rType(1, 5, 7, 0, 8, 0x33),     // mul  x8, x7, x5
            rType(0, 8, 9, 4, 9, 0x33),     // xor  x9, x9, x8
            sType(0, 7, 6, 2, 0x23),        // sw   x7, 0(x6)
            iType(1, 5, 0, 5, 0x13),        // addi x5, x5, 1
            iType(3, 9, 1, 10, 0x13),       // slli x10, x9, 3
            jal(0, -28),                    // j    loop
        };
        for (int i = 0; i < program.length; i++)
        {
            memory.putInt(4L * i, program[i]);
        }
        cpu = new CpuState();
        interpreter = new Interpreter(cpu, new RamBus(memory));
        cpu.pc = RamBus.RAM_BASE;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        memory.close();
        machine.close();
    }

    @Benchmark
    @OperationsPerInvocation(SLICE)
    public StopReason run()
    {
        return interpreter.run(SLICE);
    }

    private static int iType(final int imm, final int rs1, final int funct3, final int rd, final int opcode)
    {
        return imm << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
    }

    private static int rType(final int funct7, final int rs2, final int rs1, final int funct3, final int rd,
        final int opcode)
    {
        return funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
    }

    private static int sType(final int imm, final int rs2, final int rs1, final int funct3, final int opcode)
    {
        return (imm >> 5) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (imm & 31) << 7 | opcode;
    }

    private static int auipc(final int rd, final int imm20)
    {
        return imm20 << 12 | rd << 7 | 0x17;
    }

    private static int jal(final int rd, final int offset)
    {
        return ((offset >> 20) & 1) << 31 | ((offset >> 1) & 0x3FF) << 21 | ((offset >> 11) & 1) << 20 |
            ((offset >> 12) & 0xFF) << 12 | rd << 7 | 0x6F;
    }
}
