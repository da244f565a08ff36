package io.javisor.core.sched;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ticker's timer heap: one slot per vCPU, earliest deadline first, across nanoTime's wrap. */
@Seeded
class TimerHeapTest
{
    private final CreditScheduler scheduler = new CreditScheduler(SchedulerConfig.defaults().withWorkers(1));

    @AfterEach
    void close()
    {
        scheduler.close();
    }

    @Test
    void randomArmsMovesAndDisarmsKeepTheEarliestDeadlineFirst(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        final TimerHeap heap = new TimerHeap();
        final Vcpu[] vcpus = new Vcpu[200];
        for (int i = 0; i < vcpus.length; i++)
        {
            vcpus[i] = scheduler.newVcpu(1, i, null);
        }
        // Deadlines straddle Long.MAX_VALUE - 1 -> Long.MIN_VALUE, as nanoTime may.
        final long base = Long.MAX_VALUE - 500_000;
        final Map<Vcpu, Long> armed = new HashMap<>();
        for (int step = 0; step < 20_000; step++)
        {
            final Vcpu vcpu = vcpus[random.nextInt(vcpus.length)];
            if (random.nextInt(4) == 0)
            {
                heap.set(vcpu, VcpuWork.NO_DEADLINE, 0);
                armed.remove(vcpu);
            }
            else
            {
                final long deadline = base + random.nextLong(1_000_000);
                heap.set(vcpu, deadline == VcpuWork.NO_DEADLINE ? deadline - 1 : deadline, step);
                armed.put(vcpu, deadline == VcpuWork.NO_DEADLINE ? deadline - 1 : deadline);
            }
            assertEquals(armed.size(), heap.size());
            long earliest = VcpuWork.NO_DEADLINE;
            for (final long d : armed.values())
            {
                if (earliest == VcpuWork.NO_DEADLINE || d - earliest < 0)
                {
                    earliest = d;
                }
            }
            assertEquals(earliest, heap.earliest(), "step " + step);
        }
    }

    @Test
    void aVcpuHoldsOneSlotHoweverOftenItIsRearmed()
    {
        final TimerHeap heap = new TimerHeap();
        final Vcpu vcpu = scheduler.newVcpu(1, 0, null);
        for (int i = 0; i < 1000; i++)
        {
            heap.set(vcpu, 1000 - i, i);
        }
        assertEquals(1, heap.size());
        assertEquals(1, heap.earliest());
        heap.remove(vcpu);
        assertEquals(0, heap.size());
        assertEquals(VcpuWork.NO_DEADLINE, heap.earliest());
    }
}
