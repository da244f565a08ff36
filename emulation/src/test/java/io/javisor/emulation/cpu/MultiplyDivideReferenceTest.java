package io.javisor.emulation.cpu;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.SplittableRandom;
import java.util.function.IntBinaryOperator;

import static io.javisor.emulation.cpu.TestMachine.BASE;
import static io.javisor.emulation.isa.Asm.div;
import static io.javisor.emulation.isa.Asm.divu;
import static io.javisor.emulation.isa.Asm.divuw;
import static io.javisor.emulation.isa.Asm.divw;
import static io.javisor.emulation.isa.Asm.mul;
import static io.javisor.emulation.isa.Asm.mulh;
import static io.javisor.emulation.isa.Asm.mulhsu;
import static io.javisor.emulation.isa.Asm.mulhu;
import static io.javisor.emulation.isa.Asm.mulw;
import static io.javisor.emulation.isa.Asm.rem;
import static io.javisor.emulation.isa.Asm.remu;
import static io.javisor.emulation.isa.Asm.remuw;
import static io.javisor.emulation.isa.Asm.remw;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The M extension against arbitrary-precision arithmetic written from the specification's
 * definitions (signed, unsigned and mixed operands, the W forms, division by zero and overflow),
 * on edge values and random operands.
 */
@Seeded
class MultiplyDivideReferenceTest
{
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final long[] EDGES = {0, 1, -1, 2, -2, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE,
        Integer.MAX_VALUE, 0xFFFF_FFFFL, 0x8000_0000L, 3, -3, 0x1234_5678_9ABC_DEF0L};

    private final TestMachine m = new TestMachine();

    @AfterEach
    void close()
    {
        m.close();
    }

    private static BigInteger signed(final long v)
    {
        return BigInteger.valueOf(v);
    }

    private static BigInteger unsigned(final long v)
    {
        return v >= 0 ? BigInteger.valueOf(v) : BigInteger.valueOf(v).add(TWO_64);
    }

    private static long high(final BigInteger product)
    {
        return product.shiftRight(64).longValue();
    }

    private static long divide(final BigInteger a, final BigInteger b, final long byZero, final boolean remainder,
        final long dividend)
    {
        if (b.signum() == 0)
        {
            return remainder ? dividend : byZero;
        }
        // BigInteger divides truncating toward zero, as RISC-V; overflow wraps in longValue().
        return (remainder ? a.subtract(a.divide(b).multiply(b)) : a.divide(b)).longValue();
    }

    private long execute(final IntBinaryOperator op, final long a, final long b)
    {
        m.at(0).emit(op.applyAsInt(3, 1 << 5 | 2));
        m.set(1, a).set(2, b).set(3, 0xDEAD);
        m.cpu.pc = BASE;
        m.run(1);
        return m.x(3);
    }

    private void check(final long a, final long b)
    {
        final int w1 = (int)a;
        final int w2 = (int)b;
        assertEquals(a * b, run(Ops.MUL, a, b), "mul");
        assertEquals(high(signed(a).multiply(signed(b))), run(Ops.MULH, a, b), () -> "mulh " + a + ", " + b);
        assertEquals(high(signed(a).multiply(unsigned(b))), run(Ops.MULHSU, a, b), () -> "mulhsu " + a + ", " + b);
        assertEquals(high(unsigned(a).multiply(unsigned(b))), run(Ops.MULHU, a, b), () -> "mulhu " + a + ", " + b);
        assertEquals(divide(signed(a), signed(b), -1, false, a), run(Ops.DIV, a, b), () -> "div " + a + ", " + b);
        assertEquals(divide(unsigned(a), unsigned(b), -1, false, a), run(Ops.DIVU, a, b), () -> "divu " + a + ", " + b);
        assertEquals(divide(signed(a), signed(b), -1, true, a), run(Ops.REM, a, b), () -> "rem " + a + ", " + b);
        assertEquals(divide(unsigned(a), unsigned(b), -1, true, a), run(Ops.REMU, a, b), () -> "remu " + a + ", " + b);
        // W forms: 32-bit operation, result sign-extended from bit 31.
        assertEquals((long)(w1 * w2), run(Ops.MULW, a, b), "mulw");
        assertEquals((long)(int)divide(signed(w1), signed(w2), -1, false, w1), run(Ops.DIVW, a, b), "divw");
        assertEquals((long)(int)divide(unsigned(w1 & 0xFFFF_FFFFL), unsigned(w2 & 0xFFFF_FFFFL), -1, false, w1),
            run(Ops.DIVUW, a, b), "divuw");
        assertEquals((long)(int)divide(signed(w1), signed(w2), -1, true, w1), run(Ops.REMW, a, b), "remw");
        assertEquals((long)(int)divide(unsigned(w1 & 0xFFFF_FFFFL), unsigned(w2 & 0xFFFF_FFFFL), -1, true, w1),
            run(Ops.REMUW, a, b), "remuw");
    }

    private enum Ops
    {
        MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU, MULW, DIVW, DIVUW, REMW, REMUW
    }

    private long run(final Ops op, final long a, final long b)
    {
        return execute((rd, rs) ->
        {
            final int rs1 = rs >>> 5;
            final int rs2 = rs & 31;
            return switch (op)
            {
                case MUL -> mul(rd, rs1, rs2);
                case MULH -> mulh(rd, rs1, rs2);
                case MULHSU -> mulhsu(rd, rs1, rs2);
                case MULHU -> mulhu(rd, rs1, rs2);
                case DIV -> div(rd, rs1, rs2);
                case DIVU -> divu(rd, rs1, rs2);
                case REM -> rem(rd, rs1, rs2);
                case REMU -> remu(rd, rs1, rs2);
                case MULW -> mulw(rd, rs1, rs2);
                case DIVW -> divw(rd, rs1, rs2);
                case DIVUW -> divuw(rd, rs1, rs2);
                case REMW -> remw(rd, rs1, rs2);
                case REMUW -> remuw(rd, rs1, rs2);
            };
        }, a, b);
    }

    @Test
    void edgeValues()
    {
        for (final long a : EDGES)
        {
            for (final long b : EDGES)
            {
                check(a, b);
            }
        }
    }

    @Test
    void randomOperands(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        for (int i = 0; i < 2_000; i++)
        {
            final long a = random.nextInt(4) == 0 ? random.nextInt() : random.nextLong();
            final long b = random.nextInt(4) == 0 ? random.nextInt(-1000, 1000) : random.nextLong();
            check(a, b);
        }
    }
}
