package io.javisor.core.sched;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One accounting pass at a time, on vCPUs that no worker runs (their run time charged by hand), as
 * Xen's csched_acct shares a period: by weight, within caps, idle vCPUs leaving the active list.
 */
class CreditAccountingTest
{
    private static final long PERIOD = 10_000_000L;

    private final CreditScheduler scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(1));
    private final CreditAccounting accounting = new CreditAccounting(PERIOD);

    @AfterEach
    void close()
    {
        scheduler.close();
    }

    @Test
    void aPeriodIsSharedByWeight()
    {
        scheduler.setParams(1, new CreditParams(256, 0));
        scheduler.setParams(2, new CreditParams(512, 0));
        final Vcpu light = active(1);
        final Vcpu heavy = active(2);
        busy(light, heavy);
        assertEquals(PERIOD / 3, light.credit() + PERIOD, 1);
        assertEquals(2 * PERIOD / 3, heavy.credit() + PERIOD, 1);
    }

    @Test
    void aCapLimitsTheShareAndTheRestGoesToTheOthers()
    {
        scheduler.setParams(1, new CreditParams(256, 25));
        final Vcpu other = active(2);
        final Vcpu capped = active(1);
        busy(other, capped);
        assertEquals(PERIOD / 4, capped.credit() + PERIOD, 1);
        assertEquals(PERIOD / 4, capped.capAllowanceNanos(), 1);
        assertEquals(3 * PERIOD / 4, other.credit() + PERIOD, 1);
    }

    @Test
    void oneVcpuGetsNoMoreThanOneWorkersPeriodWhenThereAreMore()
    {
        final CreditAccounting twoWorkers = new CreditAccounting(PERIOD);
        final Vcpu alone = running(1);
        twoWorkers.activate(alone);
        alone.charge(PERIOD);
        twoWorkers.account(PERIOD, 2 * PERIOD);
        assertEquals(0, alone.credit(), 1);
    }

    @Test
    void aVcpuThatRunsLittleButGainsMoreThanAPeriodStopsEarningAndKeepsHalf()
    {
        scheduler.setParams(1, new CreditParams(CreditParams.MAX_WEIGHT, 0));
        scheduler.setParams(2, new CreditParams(1, 0));
        final Vcpu favoured = active(1);
        final Vcpu busy = active(2);
        for (int i = 0; i < 2; i++)
        {
            favoured.charge(1);
            busy.charge(PERIOD);
            accounting.account(PERIOD, PERIOD);
        }
        assertFalse(favoured.isActive(), "two periods of credit: it does not use its share");
        assertTrue(busy.isActive());
        final long kept = favoured.credit();
        assertEquals(PERIOD, kept, PERIOD / 1000, "half of about two periods");
        busy.charge(PERIOD);
        accounting.account(PERIOD, PERIOD);
        assertEquals(kept, favoured.credit(), "no credit while inactive");
    }

    @Test
    void aWaitingVcpuThatDidNotRunLeavesTheListWithItsDebt()
    {
        final Vcpu waiting = scheduler.newVcpu(1, 0, null); // waiting for its first wake
        accounting.activate(waiting);
        waiting.charge(PERIOD / 2);
        accounting.account(PERIOD, PERIOD);
        assertTrue(waiting.isActive(), "it ran in this period");
        accounting.account(PERIOD, PERIOD);
        assertFalse(waiting.isActive(), "idle for a period and waiting");
        assertFalse(accounting.hasActive());
        assertEquals(PERIOD / 2, waiting.credit(), 1, "its grant of the first period less what it ran");
    }

    @Test
    void debtIsCutAtTwoPeriods()
    {
        final Vcpu runaway = active(1);
        runaway.charge(50 * PERIOD);
        accounting.account(PERIOD, PERIOD);
        assertEquals(-2 * PERIOD, runaway.credit());
        assertTrue(runaway.isActive());
    }

    /** An active vCPU that is not waiting (queued or running: the accounting does not tell). */
    private Vcpu active(final int domid)
    {
        final Vcpu vcpu = running(domid);
        accounting.activate(vcpu);
        return vcpu;
    }

    private Vcpu running(final int domid)
    {
        final Vcpu vcpu = scheduler.newVcpu(domid, 0, null);
        vcpu.wake(); // queued; the pool is never started, so nothing runs it
        return vcpu;
    }

    /** Every vCPU ran a whole period before the pass: their credits are then their grants minus one period. */
    private void busy(final Vcpu... vcpus)
    {
        for (final Vcpu vcpu : vcpus)
        {
            vcpu.charge(PERIOD);
        }
        accounting.account(PERIOD, PERIOD);
    }
}
