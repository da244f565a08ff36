package io.javisor.core.sched;

import java.util.ArrayList;

/**
 * The credit scheduler's accounting, run by the ticker once per period, as Xen's {@code csched_acct}:
 * the CPU time of the period is shared among the active vCPUs' domains in proportion to their
 * weights; a domain gets no more than its active vCPUs can run in the period, nor more than its cap,
 * and what it cannot take goes to the domains after it (limited domains go first); each vCPU's share
 * is added to its credit. A vCPU whose credit is back at or above zero while its cap parked it is
 * unparked; one that has more credit than a whole period is not using its share, so it stops being
 * active (no more credit until it runs again) and keeps half of what it had, as in Xen, and so does
 * one that waits and has not run since the last pass, keeping its credit (or its debt); credit below
 * minus two periods is cut there (Xen cuts at one slice, but a run here ends at the first instruction
 * slice after its time, so a full slice can overshoot by one of those). When every active vCPU
 * together ends a period in debt, the next period hands out that much more. A vCPU on a worker during
 * the pass gets its share, but its credit is not bounded then: it lacks the run in progress, which is
 * charged only when the run ends (Xen debits the running vCPU at every tick instead).
 * <p>
 * One difference from Xen: the CPU time shared out is what the workers could actually have run since
 * the last pass (their CPU time plus their idle time, see {@link SchedTicker}), not the period times
 * the number of workers. Xen's physical CPUs are always there; a worker is a host thread that the host
 * may give a fraction of a core (other processes, a busy machine), and handing out credit for time a
 * worker never had lets every vCPU's credit grow until they are all UNDER and share round-robin,
 * whatever their weights. A domain's cap stays absolute: its cap percent of the time elapsed.
 * <p>
 * The ticker's alone: not thread-safe. A vCPU becomes active when the ticker takes a post about it
 * from a worker that ran it, and leaves the list when it idles as above or finishes.
 */
final class CreditAccounting
{
    private final long period;
    private final ArrayList<Vcpu> active = new ArrayList<>();
    private final ArrayList<SchedDomain> domains = new ArrayList<>();
    /** The sum of the active vCPUs' credits after the last pass: negative when they overran their grants. */
    private long balance;
    private int pass;

    CreditAccounting(final long periodNanos)
    {
        this.period = periodNanos;
    }

    void activate(final Vcpu vcpu)
    {
        if (vcpu.activeIndex >= 0)
        {
            return;
        }
        vcpu.accountedNanos = vcpu.consumedNanos();
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

    /**
     * The most a domain can use in {@code elapsed}: all of it for each active vCPU (more when the last
     * pass ended in debt, in proportion to its weight), and no more than its cap.
     */
    private double peak(final SchedDomain domain, final long domainWeight, final long weightTotal, final long elapsed)
    {
        double peak = (double)domain.activeVcpus * elapsed;
        if (balance < 0)
        {
            peak += (double)-balance * domainWeight / weightTotal;
        }
        return domain.cap == 0 ? peak : Math.min(peak, capCredit(domain, elapsed));
    }

    /** A domain's cap as credit for {@code nanos}: cap percent of them. */
    private static double capCredit(final SchedDomain domain, final long nanos)
    {
        return (double)domain.cap * nanos / 100;
    }

    /**
     * One accounting pass over the active vCPUs, {@code elapsedNanos} after the last (about a period),
     * sharing out {@code capacityNanos}, the CPU time the workers could have run meanwhile.
     */
    void account(final long elapsedNanos, final long capacityNanos)
    {
        pass++;
        domains.clear();
        long weightTotal = 0;
        for (int i = active.size() - 1; i >= 0; i--)
        {
            final Vcpu vcpu = active.get(i);
            final long consumed = vcpu.consumedNanos();
            if (consumed == vcpu.accountedNanos && vcpu.isWaiting())
            {
                // Waiting, and idle since the last pass: it takes no share until it runs again.
                remove(vcpu);
                final long credit = vcpu.credit();
                if (credit > period)
                {
                    vcpu.resetCredit(credit / 2);
                }
                continue;
            }
            vcpu.accountedNanos = consumed;
            final SchedDomain domain = vcpu.domain();
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
        final long elapsed = Math.max(elapsedNanos, 1);
        double creditTotal = capacityNanos;
        if (balance < 0)
        {
            creditTotal -= balance;
        }
        // Domains that cannot take their whole share (their cap, or fewer active vCPUs than the share
        // would keep busy) go first, so that what they leave goes to all the others: Xen reaches the
        // same order over a few periods by moving such domains to the head of its list.
        int limited = 0;
        for (int i = 0; i < domains.size(); i++)
        {
            final SchedDomain domain = domains.get(i);
            final long domainWeight = (long)domain.weight * domain.activeVcpus;
            if (creditTotal * domainWeight / weightTotal >= peak(domain, domainWeight, weightTotal, elapsed))
            {
                domains.set(i, domains.get(limited));
                domains.set(limited++, domain);
            }
        }
        long weightLeft = weightTotal;
        for (final SchedDomain domain : domains)
        {
            final long domainWeight = (long)domain.weight * domain.activeVcpus;
            weightLeft -= domainWeight;
            final double peak = peak(domain, domainWeight, weightTotal, elapsed);
            domain.capPerVcpu = domain.cap == 0 ? 0 : (long)Math.ceil(capCredit(domain, period) / domain.activeVcpus);
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
            if (vcpu.isRunning())
            {
                // Its credit lacks the run in progress: the bounds wait for a pass that finds it off a worker.
                newBalance += credit;
                continue;
            }
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
