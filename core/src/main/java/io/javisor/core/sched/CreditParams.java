package io.javisor.core.sched;

/**
 * A domain's credit scheduler parameters, as {@code xl sched-credit} sets them. Immutable.
 *
 * @param weight the domain's share relative to other domains' (1-65535; Xen's default 256): two busy
 *               domains of weights 256 and 512 get one and two thirds of the CPU they compete for
 * @param cap    the most CPU the domain may use, in percent of one CPU (0: no cap; 50 is half a CPU,
 *               200 two CPUs), even when the CPU would otherwise sit idle
 */
public record CreditParams(int weight, int cap)
{
    public static final int DEFAULT_WEIGHT = 256;
    public static final int MAX_WEIGHT = 65535;
    public static final int MAX_CAP = 65535;
    public static final CreditParams DEFAULTS = new CreditParams(DEFAULT_WEIGHT, 0);

    /** @throws IllegalArgumentException naming the parameter out of range (one line) */
    public CreditParams
    {
        if (weight < 1 || weight > MAX_WEIGHT)
        {
            throw new IllegalArgumentException("weight: " + weight + " is out of range (1-" + MAX_WEIGHT + ")");
        }
        if (cap < 0 || cap > MAX_CAP)
        {
            throw new IllegalArgumentException("cap: " + cap + " is out of range (0-" + MAX_CAP +
                ", percent of one CPU; 0 for none)");
        }
    }

    public CreditParams withWeight(final int w)
    {
        return new CreditParams(w, cap);
    }

    public CreditParams withCap(final int c)
    {
        return new CreditParams(weight, c);
    }
}
