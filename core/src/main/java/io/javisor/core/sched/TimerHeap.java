package io.javisor.core.sched;

import java.util.Arrays;

/**
 * The deadlines of waiting vCPUs, earliest first: a binary min-heap with one slot per vCPU (its
 * {@link Vcpu#heapIndex}), so that re-arming moves the slot instead of adding one. Deadlines are
 * {@link System#nanoTime()} values, compared by subtraction. The ticker's alone: not thread-safe.
 */
final class TimerHeap
{
    private Vcpu[] vcpus = new Vcpu[64];
    private long[] deadlines = new long[64];
    private long[] generations = new long[64];
    private int size;

    /** Arm {@code vcpu}'s timer for its wait {@code generation}, or disarm it with {@link VcpuWork#NO_DEADLINE}. */
    void set(final Vcpu vcpu, final long deadline, final long generation)
    {
        if (deadline == VcpuWork.NO_DEADLINE)
        {
            remove(vcpu);
            return;
        }
        int i = vcpu.heapIndex;
        if (i < 0)
        {
            if (size == vcpus.length)
            {
                vcpus = Arrays.copyOf(vcpus, size * 2);
                deadlines = Arrays.copyOf(deadlines, size * 2);
                generations = Arrays.copyOf(generations, size * 2);
            }
            i = size++;
            vcpus[i] = vcpu;
            vcpu.heapIndex = i;
        }
        deadlines[i] = deadline;
        generations[i] = generation;
        siftDown(siftUp(i));
    }

    void remove(final Vcpu vcpu)
    {
        final int i = vcpu.heapIndex;
        if (i < 0)
        {
            return;
        }
        vcpu.heapIndex = -1;
        final int last = --size;
        if (i != last)
        {
            move(last, i);
            siftDown(siftUp(i));
        }
        vcpus[last] = null;
    }

    /** @return the earliest deadline, or {@link VcpuWork#NO_DEADLINE} when none is armed */
    long earliest()
    {
        return size == 0 ? VcpuWork.NO_DEADLINE : deadlines[0];
    }

    /** Fire every timer due at {@code now}: each vCPU still in the wait its timer was armed for wakes. */
    void fireDue(final long now)
    {
        while (size > 0 && deadlines[0] - now <= 0)
        {
            final Vcpu vcpu = vcpus[0];
            final long generation = generations[0];
            remove(vcpu);
            vcpu.fireTimer(generation);
        }
    }

    int size()
    {
        return size;
    }

    private int siftUp(int i)
    {
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (deadlines[i] - deadlines[parent] >= 0)
            {
                break;
            }
            swap(i, parent);
            i = parent;
        }
        return i;
    }

    private void siftDown(int i)
    {
        while (true)
        {
            final int left = 2 * i + 1;
            if (left >= size)
            {
                return;
            }
            final int right = left + 1;
            final int child = right < size && deadlines[right] - deadlines[left] < 0 ? right : left;
            if (deadlines[child] - deadlines[i] >= 0)
            {
                return;
            }
            swap(i, child);
            i = child;
        }
    }

    private void swap(final int a, final int b)
    {
        final Vcpu va = vcpus[a];
        final long da = deadlines[a];
        final long ga = generations[a];
        move(b, a);
        vcpus[b] = va;
        deadlines[b] = da;
        generations[b] = ga;
        va.heapIndex = b;
    }

    private void move(final int from, final int to)
    {
        vcpus[to] = vcpus[from];
        deadlines[to] = deadlines[from];
        generations[to] = generations[from];
        vcpus[to].heapIndex = to;
    }
}
