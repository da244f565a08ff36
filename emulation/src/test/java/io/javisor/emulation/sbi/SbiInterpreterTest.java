package io.javisor.emulation.sbi;

import static io.javisor.emulation.isa.Asm.*;
import static io.javisor.emulation.sbi.SbiMachine.BASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.cpu.Interpreter;
import io.javisor.emulation.cpu.StopReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** S-mode programs assembled with {@code Asm}, run by a real interpreter with the firmware installed. */
class SbiInterpreterTest
{
    private static final int A0 = 10, A1 = 11, A2 = 12, A6 = 16, A7 = 17, S0 = 8, S1 = 9, T0 = 5, T1 = 6, T2 = 7;

    private final SbiMachine m = new SbiMachine();

    @AfterEach
    void close()
    {
        m.close();
    }

    @Test
    void enterSupervisorDelegatesToSSoThatTheKernelHandlesItsOwnTraps()
    {
        m.cpu.priv = CpuState.PRIV_M;
        m.cpu.satp = 8L << 60;
        SbiFirmware.enterSupervisor(m.cpu, BASE + 0x400, 0x8765_4321L);
        assertEquals(CpuState.PRIV_S, m.cpu.priv);
        assertEquals(BASE + 0x400, m.cpu.pc);
        assertEquals(0, m.cpu.x[A0]);
        assertEquals(0x8765_4321L, m.cpu.x[A1]);
        assertEquals(0, m.cpu.satp);
        // An illegal instruction and an S ECALL: the first goes to stvec, the second to the firmware.
        m.cpu.stvec = BASE + 0x500;
        m.at(0x400).emit(0);
        m.at(0x500).emit(
            csrrs(T0, 0x142 /* scause */, 0),
            addi(A7, 0, SbiDescriptor.EID_LEGACY_SHUTDOWN),
            ecall());
        assertEquals(StopReason.FIRMWARE_STOP, m.run(100));
        assertEquals(2, m.cpu.x[T0], "illegal instruction, handled in S");
        assertEquals(0, m.cpu.mcause);
    }

    @Test
    void enterSupervisorLetsUserReadTheClockAsOpenSbiDoes()
    {
        SbiFirmware.enterSupervisor(m.cpu, BASE + 0x400, 0);
        assertEquals(0xFFFF_FFFFL, m.cpu.mcounteren, "every counter readable from S");
        assertEquals(7, m.cpu.scounteren, "cycle, time and instret readable from U");
        // A vDSO clock_gettime in U: rdtime, rdcycle, rdinstret; hpmcounter3 is not enabled for U.
        m.cpu.priv = CpuState.PRIV_U;
        m.cpu.stvec = BASE + 0x500;
        m.at(0x400).emit(
            csrrs(T0, Interpreter.CSR_TIME, 0),
            csrrs(T1, Interpreter.CSR_CYCLE, 0),
            csrrs(T2, Interpreter.CSR_INSTRET, 0),
            csrrs(T0, Interpreter.CSR_HPMCOUNTER3, 0));
        m.at(0x500).emit(wfi());
        assertEquals(StopReason.WFI, m.run(10));
        assertEquals(BASE + 0x40C, m.cpu.sepc, "the first three retired in U");
        assertEquals(Interpreter.CAUSE_ILLEGAL_INSTRUCTION, m.cpu.scause);
        assertEquals(2, m.cpu.x[T2]);
    }

    @Test
    void printsHiThroughLegacyPutcharAndDbcnThenShutsDown()
    {
        m.at(0).emit(
            addi(A7, 0, SbiDescriptor.EID_LEGACY_CONSOLE_PUTCHAR),
            addi(A0, 0, 'h'),
            ecall(),
            addi(A0, 0, 'i'),
            ecall(),
            // DBCN console_write(3, BASE + 0x100, 0)
            lui(A7, SbiDescriptor.EID_DBCN >>> 12),
            addi(A7, A7, SbiDescriptor.EID_DBCN & 0xFFF),
            addi(A6, 0, SbiDescriptor.FID_DBCN_CONSOLE_WRITE),
            addi(A0, 0, 3),
            auipc(A1, 0),                       // at offset 36
            addi(A1, A1, 0x100 - 36),
            addi(A2, 0, 0),
            ecall(),
            addi(S0, A0, 0),
            addi(S1, A1, 0),
            // SRST system_reset(shutdown, no reason)
            lui(A7, SbiDescriptor.EID_SRST >>> 12),
            addi(A7, A7, SbiDescriptor.EID_SRST & 0xFFF),
            addi(A6, 0, SbiDescriptor.FID_SRST_SYSTEM_RESET),
            addi(A0, 0, 0),
            addi(A1, 0, 0),
            ecall(),                            // the 21st instruction, at offset 80
            jal(0, 0));
        m.bytes(0x100, "hi\n");

        assertEquals(StopReason.FIRMWARE_STOP, m.run(1000));
        assertEquals("hihi\n", m.platform.output());
        assertEquals(21, m.cpu.instret);
        assertEquals(BASE + 84, m.cpu.pc, "the shutdown ECALL retired");
        assertEquals(SbiDescriptor.SUCCESS, m.cpu.x[S0]);
        assertEquals(3, m.cpu.x[S1]);
        assertTrue(m.firmware.resetRequested());
        assertEquals(SbiDescriptor.SRST_TYPE_SHUTDOWN, m.firmware.resetType());
        assertEquals(SbiDescriptor.SRST_REASON_NONE, m.firmware.resetReason());
        assertEquals(2, m.firmware.ecallCount(SbiDescriptor.STAT_LEGACY));
        assertEquals(1, m.firmware.ecallCount(SbiDescriptor.STAT_DBCN));
        assertEquals(1, m.firmware.ecallCount(SbiDescriptor.STAT_SRST));
        assertEquals(0, m.cpu.mcause, "nothing trapped to M");
        assertEquals(CpuState.PRIV_S, m.cpu.priv);
    }

    @Test
    void retentiveSuspendStopsTheRunAfterTheEcall()
    {
        m.at(0).emit(
            lui(A7, SbiDescriptor.EID_HSM >>> 12),
            addi(A7, A7, SbiDescriptor.EID_HSM & 0xFFF),
            addi(A6, 0, SbiDescriptor.FID_HSM_HART_SUSPEND),
            addi(A0, 0, 0),
            ecall(),
            addi(T0, A0, 1));
        assertEquals(StopReason.WFI, m.run(1000));
        assertEquals(BASE + 20, m.cpu.pc);
        assertEquals(5, m.cpu.instret);
        assertEquals(StopReason.BUDGET_EXHAUSTED, m.run(1));
        assertEquals(1, m.cpu.x[T0], "suspend returned SUCCESS");
    }

    @Test
    void nonRetentiveSuspendResumesAtTheResumeAddress()
    {
        m.at(0).emit(
            lui(A7, SbiDescriptor.EID_HSM >>> 12),
            addi(A7, A7, SbiDescriptor.EID_HSM & 0xFFF),
            addi(A6, 0, SbiDescriptor.FID_HSM_HART_SUSPEND),
            addi(A0, 0, 1),
            slli(A0, A0, 31),                   // 0x8000_0000: default non-retentive
            auipc(A1, 0),                       // at offset 20
            addi(A1, A1, 0x200 - 20),
            addi(A2, 0, 0x55),
            ecall(),
            jal(0, 0));
        m.at(0x200).emit(
            addi(T0, A0, 7),
            addi(A7, 0, SbiDescriptor.EID_LEGACY_SHUTDOWN),
            ecall());
        m.cpu.mstatus |= CpuState.MSTATUS_SIE;

        assertEquals(StopReason.WFI, m.run(1000));
        assertEquals(BASE + 0x200, m.cpu.pc);
        assertEquals(9, m.cpu.instret, "the suspending ECALL counts as retired");
        assertEquals(0, m.cpu.mstatus & CpuState.MSTATUS_SIE);
        assertEquals(StopReason.FIRMWARE_STOP, m.run(1000));
        assertEquals(7, m.cpu.x[T0], "a0 = hart id 0");
        assertEquals(0x55, m.cpu.x[A1], "a1 = opaque");
        assertEquals(12, m.cpu.instret);
        assertTrue(m.firmware.resetRequested());
    }
}
