package io.javisor.core.sched;

import java.util.ArrayList;

/**
 * The credit scheduler's accounting, run by the ticker once per period, as Xen's {@code csched_acct}:
 * the CPU time of the period (one period per worker) is shared among the active vCPUs' domains in
 * proportion to their weights; a domain gets no more than its active vCPUs can run in a period, nor
 * more than its cap, and what it cannot take goes to the domains after it; each vCPU's share is added
 * to its credit. A vCPU whose credit is back at or above zero while its cap parked it is unparked; one
 * that has more credit than a whole period is not using its share, so it stops being active (no more
 * credit until it runs again) and keeps half of what it had, as in Xen; credit below minus two periods
 * is cut there (Xen cuts at one slice, but a run here ends at the first instruction slice after its
 * time, so a full slice can overshoot by one of those). When every active vCPU together ends a period
 * in debt, the next period hands out that much more.
 * <p>
 * The ticker's alone: not thread-safe. A vCPU becomes active when the ticker takes a post about it
 * from a worker that ran it, and leaves the list when it idles as above or finishes.
 */
final class CreditAccounting
{
    private final long period;
    private final int workers;
    private final ArrayList<Vcpu> active = new ArrayList<>();
    private final ArrayList<SchedDomain> domains = new ArrayList<>();
    /** The sum of the active vCPUs' credits after the last pass: negative when they overran their grants. */
    private long balance;
    private int pass;

    CreditAccounting(final long periodNanos, final int workers)
    {
        this.period = periodNanos;
        this.workers = workers;
    }

    void activate(final Vcpu vcpu)
    {
        if (vcpu.activeIndex >= 0)
        {
            return;
        }
        vcpu.activeIndex = active.size();
        active.add(vcpu);
        vcpu.active(true);
    }

    void remove(final Vcpu vcpu)
    {
        final int i = vcpu.activeIndex;
        if (i < 0)
        {
            return;
        }
        final Vcpu last = active.removeLast();
        if (last != vcpu)
        {
            active.set(i, last);
            last.activeIndex = i;
        }
        vcpu.activeIndex = -1;
        vcpu.active(false);
    }

    boolean hasActive()
    {
        return !active.isEmpty();
    }

    int activeCount()
    {
        return active.size();
    }

    /** One accounting period's pass over the active vCPUs. */
    void account()
    {
        pass++;
        domains.clear();
        long weightTotal = 0;
        for (int i = 0; i < active.size(); i++)
        {
            final SchedDomain domain = active.get(i).domain();
            if (domain.pass != pass)
            {
                final CreditParams params = domain.params();
                domain.pass = pass;
                domain.activeVcpus = 0;
                domain.weight = params.weight();
                domain.cap = params.cap();
                domains.add(domain);
            }
            domain.activeVcpus++;
            weightTotal += domain.weight;
        }
        if (weightTotal == 0)
        {
            balance = 0;
            return;
        }

        // Doubles: shares of up to thousands of workers' periods times 16-bit weights, exact to well under 1 ns.
        double creditTotal = (double)period * workers;
        if (balance < 0)
        {
            creditTotal -= balance;
        }
        long weightLeft = weightTotal;
        for (final SchedDomain domain : domains)
        {
            final long domainWeight = (long)domain.weight * domain.activeVcpus;
            weightLeft -= domainWeight;
            double peak = (double)domain.activeVcpus * period;
            if (balance < 0)
            {
                peak += (double)-balance * domainWeight / weightTotal;
            }
            domain.capPerVcpu = 0;
            if (domain.cap != 0)
            {
                final double capCredit = (double)domain.cap * period / 100;
                peak = Math.min(peak, capCredit);
                domain.capPerVcpu = (long)Math.ceil(capCredit / domain.activeVcpus);
            }
            double fair = creditTotal * domainWeight / weightTotal;
            if (fair >= peak)
            {
                if (weightLeft != 0)
                {
                    // What this domain cannot use goes to the domains after it.
                    creditTotal += (fair - peak) * weightTotal / weightLeft;
                }
                fair = peak;
            }
            domain.creditPerVcpu = (long)Math.ceil(fair / domain.activeVcpus);
        }

        final long floor = -2 * period;
        long newBalance = 0;
        // Backwards, so that a vCPU leaving the list swaps in one already visited.
        for (int i = active.size() - 1; i >= 0; i--)
        {
            final Vcpu vcpu = active.get(i);
            final SchedDomain domain = vcpu.domain();
            vcpu.grant(domain.creditPerVcpu);
            vcpu.capAllowanceNanos(domain.capPerVcpu);
            long credit = vcpu.credit();
            if (vcpu.isParked() && domain.capPerVcpu == 0)
            {
                vcpu.unpark(); // its cap was lifted
            }
            if (credit < 0)
            {
                if (credit < floor)
                {
                    vcpu.resetCredit(floor);
                    credit = floor;
                }
            }
            else
            {
                if (vcpu.isParked())
                {
                    vcpu.unpark();
                }
                if (credit > period)
                {
                    remove(vcpu);
                    credit /= 2;
                    vcpu.resetCredit(credit);
                }
            }
            newBalance += credit;
        }
        balance = newBalance;
    }
}
