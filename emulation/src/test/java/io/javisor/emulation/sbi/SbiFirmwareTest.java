package io.javisor.emulation.sbi;

import static io.javisor.emulation.sbi.SbiDescriptor.*;
import static io.javisor.emulation.sbi.SbiMachine.BASE;
import static io.javisor.emulation.sbi.SbiMachine.END;
import static io.javisor.emulation.sbi.SbiMachine.RAM_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.cpu.StopReason;
import java.util.Random;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Seeded
class SbiFirmwareTest
{
    private static final long SSIP = 1L << CpuState.IRQ_SSIP;
    private static final long STIP = 1L << CpuState.IRQ_STIP;
    private static final long[] IMPLEMENTED = {
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
        EID_BASE, EID_TIME, EID_IPI, EID_RFENCE, EID_HSM, EID_SRST, EID_DBCN};

    final SbiMachine m = new SbiMachine();

    @AfterEach
    void close()
    {
        m.close();
    }

    /** Fill every register with a marker so that a test can see which ones a call touched. */
    private long[] markRegisters()
    {
        for (int i = 1; i < 32; i++)
        {
            m.cpu.x[i] = 0x5A5A_0000L + i;
        }
        return m.cpu.x.clone();
    }

    private void assertOnlyA0Changed(final long[] before, final long a0)
    {
        final long[] expected = before.clone();
        expected[10] = a0;
        assertArrayEquals(expected, m.cpu.x);
    }

    @Test
    void constructorRejectsBadArguments()
    {
        assertThrows(NullPointerException.class, () -> new SbiFirmware(null, m.platform, BASE, RAM_SIZE));
        assertThrows(NullPointerException.class, () -> new SbiFirmware(m.bus, null, BASE, RAM_SIZE));
        assertThrows(IllegalArgumentException.class, () -> new SbiFirmware(m.bus, m.platform, BASE, 0));
        assertThrows(IllegalArgumentException.class, () -> new SbiFirmware(m.bus, m.platform, -4096, 8192));
    }

    @Nested
    class Dispatch
    {
        @ParameterizedTest
        @ValueSource(longs = {0x09, 0x0F, 0x11, 0x0A00_0000L, 0x4442434FL, 0x504D55 /* PMU */,
            0x53555350 /* SUSP */, -1L, 0x1_0000_0010L, 0xFFFF_FFFF_0000_0010L})
        void unknownExtensionIsNotSupportedAndChangesNothingElse(final long eid)
        {
            final long[] before = markRegisters();
            before[17] = eid;
            m.cpu.x[17] = eid;
            final long mip = m.cpu.mip;
            assertNull(m.firmware.ecallFromSupervisor(m.cpu));
            assertOnlyA0Changed(before, ERR_NOT_SUPPORTED);
            assertEquals(mip, m.cpu.mip);
            assertEquals(1, m.firmware.ecallCount(STAT_UNKNOWN));
            assertEquals("", m.platform.output());
        }

        @Test
        void unknownFunctionOfEveryV02ExtensionIsNotSupportedAndChangesNothingElse()
        {
            final long[] eids = {EID_BASE, EID_TIME, EID_IPI, EID_RFENCE, EID_HSM, EID_SRST, EID_DBCN};
            final long[] fids = {7, 99, -1, 1L << 32, 0xFFFF_FFFF_0000_0000L, 1L << 32 | 1};
            for (final long eid : eids)
            {
                for (final long fid : fids)
                {
                    final long[] before = markRegisters();
                    before[16] = fid;
                    before[17] = eid;
                    m.cpu.x[16] = fid;
                    m.cpu.x[17] = eid;
                    assertNull(m.firmware.ecallFromSupervisor(m.cpu), "eid " + eid + " fid " + fid);
                    assertOnlyA0Changed(before, ERR_NOT_SUPPORTED);
                }
            }
            assertFalse(m.firmware.resetRequested());
            assertFalse(m.firmware.hartStopped());
            assertEquals(0, m.platform.timerWrites + m.platform.tlbFlushes + m.platform.icacheFlushes);
        }

        @Test
        void ecallsAreCountedPerExtension()
        {
            m.call(EID_BASE, FID_BASE_GET_SPEC_VERSION);
            m.call(EID_BASE, FID_BASE_GET_IMPL_ID);
            m.call(EID_TIME, FID_TIME_SET_TIMER, 5);
            m.call(EID_IPI, FID_IPI_SEND_IPI, 1, 0);
            m.call(EID_RFENCE, FID_RFENCE_REMOTE_FENCE_I, 1, 0);
            m.call(EID_HSM, FID_HSM_HART_GET_STATUS, 0);
            m.call(EID_DBCN, FID_DBCN_CONSOLE_WRITE_BYTE, 'x');
            m.call(EID_LEGACY_CONSOLE_PUTCHAR, 0, 'y');
            m.call(EID_LEGACY_CLEAR_IPI, 0);
            m.call(0x12345, 0);
            m.call(EID_SRST, FID_SRST_SYSTEM_RESET, 0, 0);
            assertEquals(2, m.firmware.ecallCount(STAT_BASE));
            assertEquals(1, m.firmware.ecallCount(STAT_TIME));
            assertEquals(1, m.firmware.ecallCount(STAT_IPI));
            assertEquals(1, m.firmware.ecallCount(STAT_RFENCE));
            assertEquals(1, m.firmware.ecallCount(STAT_HSM));
            assertEquals(1, m.firmware.ecallCount(STAT_SRST));
            assertEquals(1, m.firmware.ecallCount(STAT_DBCN));
            assertEquals(2, m.firmware.ecallCount(STAT_LEGACY));
            assertEquals(1, m.firmware.ecallCount(STAT_UNKNOWN));
            assertEquals(11, m.firmware.ecallTotal());
            assertEquals(2, m.firmware.consoleBytesOut());
            assertEquals("legacy", SbiDescriptor.statName(STAT_LEGACY));
        }

        @Test
        void hostileRandomCallsNeverThrow(final Seed seed)
        {
            final Random random = seed.random();
            final long[] interesting = {0, 1, 2, 3, -1, -2, BASE, BASE - 1, END - 1, END, END - 8,
                Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, 0x8000_0000L, 0xFFFF_FFFFL, 4096, 4097};
            for (int i = 0; i < 200_000; i++)
            {
                final long eid = random.nextInt(4) == 0 ? random.nextLong() : IMPLEMENTED[random.nextInt(IMPLEMENTED.length)];
                final long fid = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(9);
                for (int r = 10; r < 16; r++)
                {
                    m.cpu.x[r] = random.nextBoolean() ? random.nextLong() : interesting[random.nextInt(interesting.length)];
                }
                m.cpu.satp = random.nextInt(8) == 0 ? 8L << 60 | random.nextInt(1 << 20) : 0;
                if (random.nextInt(16) == 0)
                {
                    m.platform.type("z");
                }
                m.cpu.x[17] = eid;
                m.cpu.x[16] = fid;
                m.firmware.ecallFromSupervisor(m.cpu);
                m.firmware.reset();
                m.cpu.priv = CpuState.PRIV_S;
            }
            assertEquals(200_000, m.firmware.ecallTotal());
        }
    }

    @Nested
    class Base
    {
        @Test
        void specVersionIsTwoPointZero()
        {
            assertNull(m.call(EID_BASE, FID_BASE_GET_SPEC_VERSION));
            assertEquals(SUCCESS, m.a0());
            assertEquals(0x0200_0000L, m.a1());
            assertEquals(2, m.a1() >>> 24 & 0x7F);
            assertEquals(0, m.a1() & 0xFF_FFFF);
        }

        @Test
        void implementationIdAndVersion()
        {
            m.call(EID_BASE, FID_BASE_GET_IMPL_ID);
            assertEquals(SUCCESS, m.a0());
            assertEquals(IMPL_ID, m.a1());
            assertTrue(m.a1() > 11, "not a registered implementation id");
            m.call(EID_BASE, FID_BASE_GET_IMPL_VERSION);
            assertEquals(SUCCESS, m.a0());
            assertEquals(IMPL_VERSION, m.a1());
        }

        @Test
        void probeReportsEveryImplementedExtensionIncludingLegacy()
        {
            for (final long eid : IMPLEMENTED)
            {
                m.call(EID_BASE, FID_BASE_PROBE_EXTENSION, eid);
                assertEquals(SUCCESS, m.a0());
                assertEquals(1, m.a1(), "eid " + Long.toHexString(eid));
            }
        }

        @ParameterizedTest
        @ValueSource(longs = {0x09, 0x0F, 0x11, 0x504D55, 0x53555350, 0x0A00_0000L, -1L,
            0x1_0000_0010L, 0xFFFF_FFFF_4442_434EL, Long.MIN_VALUE})
        void probeReportsZeroForOtherExtensions(final long eid)
        {
            m.call(EID_BASE, FID_BASE_PROBE_EXTENSION, eid);
            assertEquals(SUCCESS, m.a0());
            assertEquals(0, m.a1());
        }

        @ParameterizedTest
        @ValueSource(ints = {FID_BASE_GET_MVENDORID, FID_BASE_GET_MARCHID, FID_BASE_GET_MIMPID})
        void machineIdsAreZero(final int fid)
        {
            m.cpu.x[11] = 77;
            m.call(EID_BASE, fid);
            assertEquals(SUCCESS, m.a0());
            assertEquals(0, m.a1());
        }
    }

    @Nested
    class Time
    {
        @Test
        void setTimerInTheFutureProgramsTheBoardAndClearsStip()
        {
            m.platform.mtime = 1000;
            m.cpu.mip = STIP | SSIP;
            assertNull(m.call(EID_TIME, FID_TIME_SET_TIMER, 5000));
            assertEquals(SUCCESS, m.a0());
            assertEquals(0, m.a1());
            assertEquals(5000, m.platform.timerCompare);
            assertEquals(SSIP, m.cpu.mip, "STIP cleared, SSIP untouched");
        }

        @Test
        void setTimerInThePastIsPendingAtOnce()
        {
            m.platform.mtime = 1000;
            m.call(EID_TIME, FID_TIME_SET_TIMER, 1000);
            assertEquals(STIP, m.cpu.mip & STIP);
            m.call(EID_TIME, FID_TIME_SET_TIMER, 0);
            assertEquals(STIP, m.cpu.mip & STIP);
        }

        @Test
        void minusOneMeansNeverAndComparesUnsigned()
        {
            m.platform.mtime = 1L << 62;
            m.cpu.mip = STIP;
            m.call(EID_TIME, FID_TIME_SET_TIMER, -1);
            assertEquals(SUCCESS, m.a0());
            assertEquals(-1, m.platform.timerCompare);
            assertEquals(0, m.cpu.mip & STIP);
        }

        @Test
        void legacySetTimerReturnsZeroInA0AndLeavesA1()
        {
            final long[] before = markRegisters();
            m.cpu.x[17] = EID_LEGACY_SET_TIMER;
            m.cpu.x[10] = 777;
            before[17] = EID_LEGACY_SET_TIMER;
            m.cpu.mip = STIP;
            assertNull(m.firmware.ecallFromSupervisor(m.cpu));
            assertOnlyA0Changed(before, 0);
            assertEquals(777, m.platform.timerCompare);
            assertEquals(0, m.cpu.mip & STIP);
        }
    }

    @Nested
    class Ipi
    {
        @Test
        void sendToHartZeroSetsSsip()
        {
            assertNull(m.call(EID_IPI, FID_IPI_SEND_IPI, 1, 0));
            assertEquals(SUCCESS, m.a0());
            assertEquals(SSIP, m.cpu.mip);
        }

        @Test
        void baseMinusOneMeansAllHartsWhateverTheMask()
        {
            m.call(EID_IPI, FID_IPI_SEND_IPI, 0xFFFF_0000L, -1);
            assertEquals(SUCCESS, m.a0());
            assertEquals(SSIP, m.cpu.mip);
        }

        @Test
        void emptyMaskIsANoOp()
        {
            m.call(EID_IPI, FID_IPI_SEND_IPI, 0, 0);
            assertEquals(SUCCESS, m.a0());
            assertEquals(0, m.cpu.mip);
        }

        @ParameterizedTest
        @ValueSource(longs = {2, 3, 1L << 63, -1})
        void maskNamingAnotherHartIsInvalidAndSendsNothing(final long mask)
        {
            m.call(EID_IPI, FID_IPI_SEND_IPI, mask, 0);
            assertEquals(ERR_INVALID_PARAM, m.a0());
            assertEquals(0, m.cpu.mip);
        }

        @ParameterizedTest
        @ValueSource(longs = {1, 64, -2, Long.MIN_VALUE})
        void baseNamingAnotherHartIsInvalid(final long base)
        {
            // base -2 with bit 2 would wrap around to hart 0: still invalid.
            m.call(EID_IPI, FID_IPI_SEND_IPI, base == -2 ? 4 : 1, base);
            assertEquals(ERR_INVALID_PARAM, m.a0());
            assertEquals(0, m.cpu.mip);
        }
    }

    @Nested
    class Rfence
    {
        @Test
        void remoteFenceIFlushesTheInstructionCache()
        {
            m.call(EID_RFENCE, FID_RFENCE_REMOTE_FENCE_I, 1, 0);
            assertEquals(SUCCESS, m.a0());
            assertEquals(1, m.platform.icacheFlushes);
            assertEquals(0, m.platform.tlbFlushes);
        }

        @Test
        void remoteSfenceVmaFlushesTheTlb()
        {
            m.call(EID_RFENCE, FID_RFENCE_REMOTE_SFENCE_VMA, 0, -1, 0x1000, 0x2000);
            assertEquals(SUCCESS, m.a0());
            assertEquals(1, m.platform.tlbFlushes, "base -1: all harts");
            m.call(EID_RFENCE, FID_RFENCE_REMOTE_SFENCE_VMA_ASID, 0, 0, 0, 0, 5);
            assertEquals(SUCCESS, m.a0());
            assertEquals(1, m.platform.tlbFlushes, "the empty mask named no hart");
            m.call(EID_RFENCE, FID_RFENCE_REMOTE_SFENCE_VMA_ASID, 1, 0, 0, -1, 5);
            assertEquals(SUCCESS, m.a0());
            assertEquals(2, m.platform.tlbFlushes);
            assertEquals(0, m.platform.icacheFlushes);
        }

        @ParameterizedTest
        @ValueSource(ints = {FID_RFENCE_REMOTE_FENCE_I, FID_RFENCE_REMOTE_SFENCE_VMA, FID_RFENCE_REMOTE_SFENCE_VMA_ASID})
        void otherHartsAreInvalidAndNothingIsFlushed(final int fid)
        {
            m.call(EID_RFENCE, fid, 2, 0, 0, 0, 0);
            assertEquals(ERR_INVALID_PARAM, m.a0());
            m.call(EID_RFENCE, fid, 1, 1, 0, 0, 0);
            assertEquals(ERR_INVALID_PARAM, m.a0());
            assertEquals(0, m.platform.tlbFlushes + m.platform.icacheFlushes);
        }

        @ParameterizedTest
        @ValueSource(ints = {FID_RFENCE_REMOTE_HFENCE_GVMA_VMID, FID_RFENCE_REMOTE_HFENCE_GVMA,
            FID_RFENCE_REMOTE_HFENCE_VVMA_ASID, FID_RFENCE_REMOTE_HFENCE_VVMA, 7})
        void hypervisorFencesAreNotSupported(final int fid)
        {
            m.cpu.x[11] = 0;
            m.call(EID_RFENCE, fid, 1, 0);
            assertEquals(ERR_NOT_SUPPORTED, m.a0());
            assertEquals(0, m.a1());
            assertEquals(0, m.platform.tlbFlushes + m.platform.icacheFlushes);
        }
    }

    @Nested
    class Hsm
    {
        @Test
        void startingTheRunningHartIsAlreadyAvailable()
        {
            assertNull(m.call(EID_HSM, FID_HSM_HART_START, 0, BASE, 0));
            assertEquals(ERR_ALREADY_AVAILABLE, m.a0());
        }

        @ParameterizedTest
        @ValueSource(longs = {1, 2, -1, Long.MIN_VALUE})
        void startingANonExistentHartIsInvalid(final long hart)
        {
            m.call(EID_HSM, FID_HSM_HART_START, hart, BASE, 0);
            assertEquals(ERR_INVALID_PARAM, m.a0());
        }

        @Test
        void statusOfHartZeroIsStarted()
        {
            m.cpu.x[11] = 99;
            m.call(EID_HSM, FID_HSM_HART_GET_STATUS, 0);
            assertEquals(SUCCESS, m.a0());
            assertEquals(HSM_STATE_STARTED, m.a1());
        }

        @ParameterizedTest
        @ValueSource(longs = {1, -1, 1L << 32})
        void statusOfOtherHartsIsInvalid(final long hart)
        {
            m.call(EID_HSM, FID_HSM_HART_GET_STATUS, hart);
            assertEquals(ERR_INVALID_PARAM, m.a0());
        }

        @Test
        void hartStopStopsAndIsRecorded()
        {
            assertEquals(StopReason.FIRMWARE_STOP, m.call(EID_HSM, FID_HSM_HART_STOP));
            assertTrue(m.firmware.hartStopped());
            assertFalse(m.firmware.resetRequested());
            m.firmware.reset();
            assertFalse(m.firmware.hartStopped());
        }

        @Test
        void retentiveSuspendSleepsAndReturnsSuccess()
        {
            m.cpu.pc = BASE + 0x40;
            m.cpu.satp = 8L << 60 | 0x80001;
            assertEquals(StopReason.WFI, m.call(EID_HSM, FID_HSM_HART_SUSPEND, 0, 0x1234, 0x5678));
            assertEquals(SUCCESS, m.a0());
            assertEquals(0, m.a1());
            assertEquals(BASE + 0x40, m.cpu.pc, "the interpreter retires the ECALL");
            assertEquals(8L << 60 | 0x80001, m.cpu.satp);
            assertEquals(1, m.firmware.suspendCount());
        }

        @Test
        void nonRetentiveSuspendResumesAtResumeAddressWithMmuOffAndSieClear()
        {
            m.cpu.pc = BASE + 0x40;
            m.cpu.satp = 8L << 60 | 0x80001;
            m.cpu.mstatus |= CpuState.MSTATUS_SIE | CpuState.MSTATUS_SUM;
            final StopReason stop = m.call(EID_HSM, FID_HSM_HART_SUSPEND, HSM_SUSPEND_NON_RETENTIVE,
                BASE + 0x1000, 0xCAFE_F00DL);
            assertEquals(StopReason.WFI, stop);
            assertEquals(BASE + 0x1000, m.cpu.pc);
            assertEquals(0, m.a0(), "hart id");
            assertEquals(0xCAFE_F00DL, m.a1(), "opaque");
            assertEquals(0, m.cpu.satp);
            assertEquals(0, m.cpu.mstatus & CpuState.MSTATUS_SIE);
            assertEquals(CpuState.MSTATUS_SUM, m.cpu.mstatus & CpuState.MSTATUS_SUM);
            assertEquals(CpuState.PRIV_S, m.cpu.priv);
            assertEquals(1, m.platform.tlbFlushes, "satp changed behind the MMU's back");
        }

        @ParameterizedTest
        @ValueSource(longs = {0, BASE - 2, BASE + 1, END, END - 1, -2, 0x1000_0000L})
        void nonRetentiveSuspendToAnInvalidAddressFailsAndChangesNothing(final long resume)
        {
            m.cpu.pc = BASE + 0x40;
            m.cpu.satp = 8L << 60;
            m.cpu.mstatus |= CpuState.MSTATUS_SIE;
            assertNull(m.call(EID_HSM, FID_HSM_HART_SUSPEND, HSM_SUSPEND_NON_RETENTIVE, resume, 1));
            assertEquals(ERR_INVALID_ADDRESS, m.a0());
            assertEquals(BASE + 0x40, m.cpu.pc);
            assertEquals(8L << 60, m.cpu.satp);
            assertEquals(CpuState.MSTATUS_SIE, m.cpu.mstatus & CpuState.MSTATUS_SIE);
        }

        @ParameterizedTest
        @ValueSource(longs = {1, 0x0FFF_FFFFL, 0x1000_0000L, 0x7FFF_FFFFL, 0x8000_0001L, 0x8FFF_FFFFL,
            0x9000_0000L, 0xFFFF_FFFFL, 1L << 32, -1, 0xFFFF_FFFF_8000_0000L})
        void reservedOrPlatformSuspendTypesAreInvalid(final long type)
        {
            m.cpu.pc = BASE + 0x40;
            assertNull(m.call(EID_HSM, FID_HSM_HART_SUSPEND, type, BASE + 0x100, 1));
            assertEquals(ERR_INVALID_PARAM, m.a0());
            assertEquals(BASE + 0x40, m.cpu.pc);
            assertEquals(0, m.firmware.suspendCount());
        }
    }

    @Nested
    class Srst
    {
        @ParameterizedTest
        @ValueSource(ints = {SRST_TYPE_SHUTDOWN, SRST_TYPE_COLD_REBOOT, SRST_TYPE_WARM_REBOOT})
        void resetIsRecordedForTheBoard(final int type)
        {
            assertEquals(StopReason.FIRMWARE_STOP, m.call(EID_SRST, FID_SRST_SYSTEM_RESET, type, SRST_REASON_SYSTEM_FAILURE));
            assertTrue(m.firmware.resetRequested());
            assertEquals(type, m.firmware.resetType());
            assertEquals(SRST_REASON_SYSTEM_FAILURE, m.firmware.resetReason());
            assertFalse(m.firmware.hartStopped());
            m.firmware.reset();
            assertFalse(m.firmware.resetRequested());
        }

        @Test
        void shutdownWithNoReason()
        {
            assertEquals(StopReason.FIRMWARE_STOP, m.call(EID_SRST, FID_SRST_SYSTEM_RESET, 0, 0));
            assertEquals(SRST_TYPE_SHUTDOWN, m.firmware.resetType());
            assertEquals(SRST_REASON_NONE, m.firmware.resetReason());
        }

        @ParameterizedTest
        @ValueSource(longs = {3, 0xEFFF_FFFFL, 0xF000_0000L, 0xFFFF_FFFFL, 1L << 32, -1, Long.MIN_VALUE})
        void reservedOrVendorTypesAreInvalid(final long type)
        {
            assertNull(m.call(EID_SRST, FID_SRST_SYSTEM_RESET, type, 0));
            assertEquals(ERR_INVALID_PARAM, m.a0());
            assertFalse(m.firmware.resetRequested());
        }

        @ParameterizedTest
        @ValueSource(longs = {2, 0xE000_0000L, 0xF000_0000L, 1L << 32, -1})
        void reservedOrVendorReasonsAreInvalid(final long reason)
        {
            assertNull(m.call(EID_SRST, FID_SRST_SYSTEM_RESET, 0, reason));
            assertEquals(ERR_INVALID_PARAM, m.a0());
            assertFalse(m.firmware.resetRequested());
        }

        @Test
        void legacyShutdown()
        {
            m.firmware.reset();
            assertEquals(StopReason.FIRMWARE_STOP, m.call(EID_LEGACY_SHUTDOWN, 0));
            assertTrue(m.firmware.resetRequested());
            assertEquals(SRST_TYPE_SHUTDOWN, m.firmware.resetType());
            assertEquals(SRST_REASON_NONE, m.firmware.resetReason());
        }
    }

    @Nested
    class DebugConsole
    {
        @Test
        void writeSendsTheBytesAndReturnsTheCount()
        {
            m.bytes(0x100, "hello, world\n");
            assertNull(m.call(EID_DBCN, FID_DBCN_CONSOLE_WRITE, 13, BASE + 0x100, 0));
            assertEquals(SUCCESS, m.a0());
            assertEquals(13, m.a1());
            assertEquals("hello, world\n", m.platform.output());
            assertEquals(13, m.firmware.consoleBytesOut());
        }

        @Test
        void writeOfZeroBytesWritesNothing()
        {
            m.call(EID_DBCN, FID_DBCN_CONSOLE_WRITE, 0, 0, 0);
            assertEquals(SUCCESS, m.a0());
            assertEquals(0, m.a1());
            assertEquals(0, m.bus.loads);
        }

        @Test
        void writeUpToTheLastByteOfRam()
        {
            m.bytes(RAM_SIZE - 2, "ok");
            m.call(EID_DBCN, FID_DBCN_CONSOLE_WRITE, 2, END - 2, 0);
            assertEquals(SUCCESS, m.a0());
            assertEquals("ok", m.platform.output());
        }

        @Test
        void longWriteIsCappedAndReportsTheShortCount()
        {
            for (int i = 0; i < 8192; i++)
            {
                m.memory.putByte(0x1000 + i, (byte)('a' + i % 26));
            }
            m.call(EID_DBCN, FID_DBCN_CONSOLE_WRITE, 8192, BASE + 0x1000, 0);
            assertEquals(SUCCESS, m.a0());
            assertEquals(SbiFirmware.CONSOLE_CHUNK, m.a1());
            assertEquals(SbiFirmware.CONSOLE_CHUNK, m.platform.out.size());
            // The guest continues where the firmware stopped.
            m.call(EID_DBCN, FID_DBCN_CONSOLE_WRITE, 8192 - m.a1(), BASE + 0x1000 + m.a1(), 0);
            assertEquals(4096, m.a1());
            assertEquals(8192, m.platform.out.size());
        }

        /** {num_bytes, base_addr_lo, base_addr_hi} that do not lie in RAM. */
        private final long[][] badRanges = {
            {1, BASE - 1, 0},                  // below RAM
            {2, BASE - 1, 0},                  // straddles the start
            {1, END, 0},                       // just after RAM
            {2, END - 1, 0},                   // straddles the end
            {RAM_SIZE + 1, BASE, 0},           // longer than RAM
            {16, -8, 0},                       // wraps around zero
            {-1, BASE, 0},                     // huge length
            {Long.MIN_VALUE, BASE, 0},
            {-(BASE - 1), BASE, 0},            // length that wraps BASE + n to a small address
            {1, BASE, 1},                      // above 2^64
            {1, BASE, -1},
            {4, 0x1000_0000L, 0},              // MMIO (UART) is not RAM
            {4, 0, 0},
        };

        @Test
        void writeOutsideRamIsInvalidAndWritesNothing()
        {
            for (final long[] r : badRanges)
            {
                m.cpu.x[11] = 0;
                m.call(EID_DBCN, FID_DBCN_CONSOLE_WRITE, r[0], r[1], r[2]);
                assertEquals(ERR_INVALID_PARAM, m.a0(), () -> java.util.Arrays.toString(r));
            }
            assertEquals("", m.platform.output());
            assertEquals(0, m.bus.loads, "never even touched the bus");
        }

        @Test
        void busFaultInTheMiddleWritesNothing()
        {
            m.bytes(0x100, "abcdef");
            m.bus.faultAt = BASE + 0x103;
            m.call(EID_DBCN, FID_DBCN_CONSOLE_WRITE, 6, BASE + 0x100, 0);
            assertEquals(ERR_INVALID_PARAM, m.a0());
            assertEquals("", m.platform.output());
            assertFalse(m.bus.takeFault(), "fault flag left clean");
        }

        @Test
        void readFillsGuestMemoryWithWhatIsAvailable()
        {
            m.platform.type("abc");
            m.call(EID_DBCN, FID_DBCN_CONSOLE_READ, 16, BASE + 0x200, 0);
            assertEquals(SUCCESS, m.a0());
            assertEquals(3, m.a1());
            assertEquals('a', m.memory.getByte(0x200));
            assertEquals('b', m.memory.getByte(0x201));
            assertEquals('c', m.memory.getByte(0x202));
            assertEquals(0, m.memory.getByte(0x203));
            assertEquals(3, m.firmware.consoleBytesIn());
        }

        @Test
        void readTakesNoMoreThanAsked()
        {
            m.platform.type("abcdef");
            m.call(EID_DBCN, FID_DBCN_CONSOLE_READ, 2, BASE + 0x200, 0);
            assertEquals(2, m.a1());
            assertEquals(0, m.memory.getByte(0x202));
            assertEquals(4, m.platform.in.size());
        }

        @Test
        void readWithNoInputReturnsZero()
        {
            m.memory.putByte(0x200, (byte)0x7F);
            m.call(EID_DBCN, FID_DBCN_CONSOLE_READ, 16, BASE + 0x200, 0);
            assertEquals(SUCCESS, m.a0());
            assertEquals(0, m.a1());
            assertEquals(0x7F, m.memory.getByte(0x200));
        }

        @Test
        void readIntoMemoryOutsideRamIsInvalidAndConsumesNoInput()
        {
            m.platform.type("abc");
            for (final long[] r : badRanges)
            {
                m.call(EID_DBCN, FID_DBCN_CONSOLE_READ, r[0], r[1], r[2]);
                assertEquals(ERR_INVALID_PARAM, m.a0(), () -> java.util.Arrays.toString(r));
            }
            assertEquals(3, m.platform.in.size());
        }

        @Test
        void readStoreFaultIsAnIoFailure()
        {
            m.platform.type("abc");
            m.bus.faultAt = BASE + 0x201;
            m.call(EID_DBCN, FID_DBCN_CONSOLE_READ, 3, BASE + 0x200, 0);
            assertEquals(ERR_FAILED, m.a0());
        }

        @Test
        void writeByteWritesTheLowEightBits()
        {
            m.cpu.x[11] = 5;
            m.call(EID_DBCN, FID_DBCN_CONSOLE_WRITE_BYTE, 0x7700 | 'Z');
            assertEquals(SUCCESS, m.a0());
            assertEquals(0, m.a1());
            assertEquals("Z", m.platform.output());
        }
    }

    @Nested
    class Legacy
    {
        @Test
        void putcharWritesAndLeavesA1()
        {
            final long[] before = markRegisters();
            before[17] = EID_LEGACY_CONSOLE_PUTCHAR;
            m.cpu.x[17] = EID_LEGACY_CONSOLE_PUTCHAR;
            m.cpu.x[10] = 0x100 | 'Q';
            m.firmware.ecallFromSupervisor(m.cpu);
            assertOnlyA0Changed(before, 0);
            assertEquals("Q", m.platform.output());
        }

        @Test
        void getcharReturnsTheByteOrMinusOne()
        {
            m.platform.type("\u00FFx");
            m.call(EID_LEGACY_CONSOLE_GETCHAR, 0);
            assertEquals(0xFF, m.a0(), "a byte, never sign-extended into -1");
            m.call(EID_LEGACY_CONSOLE_GETCHAR, 0);
            assertEquals('x', m.a0());
            m.call(EID_LEGACY_CONSOLE_GETCHAR, 0);
            assertEquals(-1, m.a0());
        }

        @Test
        void clearIpiClearsSsipAndSaysWhetherOneWasPending()
        {
            m.cpu.mip = SSIP | STIP;
            m.call(EID_LEGACY_CLEAR_IPI, 0);
            assertEquals(1, m.a0());
            assertEquals(STIP, m.cpu.mip);
            m.call(EID_LEGACY_CLEAR_IPI, 0);
            assertEquals(0, m.a0());
        }

        @Test
        void sendIpiReadsThePhysicalMaskWhenTheMmuIsOff()
        {
            m.memory.putLong(0x300, 1);
            m.cpu.x[11] = 42;
            m.call(EID_LEGACY_SEND_IPI, 0, BASE + 0x300);
            assertEquals(0, m.a0());
            assertEquals(42, m.a1());
            assertEquals(SSIP, m.cpu.mip);
        }

        @Test
        void nullMaskPointerMeansAllHarts()
        {
            m.call(EID_LEGACY_SEND_IPI, 0, 0);
            assertEquals(0, m.a0());
            assertEquals(SSIP, m.cpu.mip);
        }

        @Test
        void maskNamingOtherHartsIsRejected()
        {
            m.memory.putLong(0x300, 3);
            m.call(EID_LEGACY_SEND_IPI, 0, BASE + 0x300);
            assertEquals(ERR_INVALID_PARAM, m.a0());
            assertEquals(0, m.cpu.mip);
        }

        @ParameterizedTest
        @ValueSource(longs = {8, BASE - 8, END - 4, END, BASE + 0x301, -8, 0x1000_0000L})
        void maskPointerOutsideRamIsAnInvalidAddress(final long pointer)
        {
            m.call(EID_LEGACY_SEND_IPI, 0, pointer);
            assertEquals(ERR_INVALID_ADDRESS, m.a0());
            assertEquals(0, m.cpu.mip);
        }

        @Test
        void maskPointerIsTranslatedThroughSv39()
        {
            // Root table at RAM + 0x8000: one 1 GiB leaf mapping VA 0xFFFF_FFC0_0000_0000 (index
            // 256) to PA 0x8000_0000, readable and accessed.
            final long root = BASE + 0x8000;
            final long leaf = (BASE >>> 12) << 10 | 1 /*V*/ | 1 << 1 /*R*/ | 1 << 6 /*A*/;
            m.memory.putLong(0x8000 + 256 * 8, leaf);
            m.memory.putLong(0x300, 1);
            m.cpu.satp = 8L << 60 | root >>> 12;
            m.call(EID_LEGACY_SEND_IPI, 0, 0xFFFF_FFC0_0000_0300L);
            assertEquals(0, m.a0());
            assertEquals(SSIP, m.cpu.mip);

            // Unmapped, non-canonical and physical-looking addresses all fail.
            m.cpu.mip = 0;
            for (final long va : new long[] {BASE + 0x300, 0x0000_0040_0000_0300L, 0x300})
            {
                m.call(EID_LEGACY_SEND_IPI, 0, va);
                assertEquals(ERR_INVALID_ADDRESS, m.a0(), Long.toHexString(va));
            }
            assertEquals(0, m.cpu.mip);

            // A user page is not readable without SUM.
            m.memory.putLong(0x8000 + 256 * 8, leaf | 1 << 4);
            m.call(EID_LEGACY_SEND_IPI, 0, 0xFFFF_FFC0_0000_0300L);
            assertEquals(ERR_INVALID_ADDRESS, m.a0());
            m.cpu.mstatus |= CpuState.MSTATUS_SUM;
            m.call(EID_LEGACY_SEND_IPI, 0, 0xFFFF_FFC0_0000_0300L);
            assertEquals(0, m.a0());
        }

        @Test
        void remoteFencesFlush()
        {
            m.memory.putLong(0x300, 1);
            m.call(EID_LEGACY_REMOTE_FENCE_I, 0, BASE + 0x300);
            assertEquals(0, m.a0());
            m.call(EID_LEGACY_REMOTE_SFENCE_VMA, 0, BASE + 0x300, 0, 0);
            assertEquals(0, m.a0());
            m.call(EID_LEGACY_REMOTE_SFENCE_VMA_ASID, 0, 0, 0, 0, 1);
            assertEquals(0, m.a0());
            assertEquals(1, m.platform.icacheFlushes);
            assertEquals(2, m.platform.tlbFlushes);
            m.call(EID_LEGACY_REMOTE_SFENCE_VMA, 0, END, 0, 0);
            assertEquals(ERR_INVALID_ADDRESS, m.a0());
            assertEquals(2, m.platform.tlbFlushes);
        }

        @Test
        void legacyCallsIgnoreA6()
        {
            m.call(EID_LEGACY_CONSOLE_PUTCHAR, 0x1234_5678_9ABCL, 'k');
            assertEquals(0, m.a0());
            assertEquals("k", m.platform.output());
        }
    }
}
