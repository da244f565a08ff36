package io.javisor.core.sched;

/**
 * A domain as the credit scheduler sees it: its parameters, and the ticker's scratch for the
 * accounting pass. The parameters are written by the control plane (callers of
 * {@link CreditScheduler#setParams}) and read by any thread; the scratch fields are the ticker's alone.
 */
final class SchedDomain
{
    private final int domid;
    private volatile CreditParams params = CreditParams.DEFAULTS;

    // The ticker's, valid during the accounting pass numbered pass:
    int pass = -1;
    int activeVcpus;
    /** Its parameters as read once at the start of the pass. */
    int weight;
    int cap;
    long creditPerVcpu;
    long capPerVcpu;

    SchedDomain(final int domid)
    {
        this.domid = domid;
    }

    int domid()
    {
        return domid;
    }

    CreditParams params()
    {
        return params;
    }

    void params(final CreditParams p)
    {
        params = p;
    }
}
