/**
 * The credit scheduler: every guest-code vCPU runs on a bounded pool of worker threads with Xen's
 * credit semantics (weights, caps, UNDER/OVER/BOOST priorities, credits refilled per accounting
 * period), instead of on a platform thread of its own.
 *
 * <h2>Threads</h2>
 * <table>
 * <caption>Which thread does what</caption>
 * <tr><th>thread</th><th>what it does</th><th>where it blocks</th></tr>
 * <tr><td>{@code credit-worker-N} ({@link io.javisor.core.sched.SchedWorker}), one per configured
 *     worker (default: the host's cores)</td>
 *     <td>polls the run queues, runs a vCPU's {@link io.javisor.core.sched.VcpuWork} for a turn, requeues,
 *     parks or lets it wait</td>
 *     <td>only its idle park, when every queue is empty</td></tr>
 * <tr><td>{@code credit-ticker} ({@link io.javisor.core.sched.SchedTicker})</td>
 *     <td>fires waiting vCPUs' deadlines, runs the accounting once per period while a vCPU is active</td>
 *     <td>its park until the earliest of those (indefinitely when there is neither)</td></tr>
 * <tr><td>any thread (an event's sender, a NIC's bridge, the console's reader, the toolstack)</td>
 *     <td>{@link io.javisor.core.sched.Vcpu#wake()}: a waiting vCPU goes on a run queue and a parked
 *     worker is signalled, or a worker running a lower priority is asked to end its run</td>
 *     <td>never</td></tr>
 * <tr><td>the control plane, under the {@link io.javisor.core.sched.CreditScheduler}'s monitor</td>
 *     <td>registering vCPUs, setting weights and caps, closing the pool</td>
 *     <td>{@code close()} joins the pool's threads</td></tr>
 * </table>
 *
 * <h2>Single writers</h2>
 * A vCPU's state word moves by compare-and-set, and whoever moves it out of a state owns the vCPU until
 * it is put somewhere else, so each of its other fields has one writer at a time (listed in
 * {@link io.javisor.core.sched.Vcpu}); its credit is the ticker's grants minus the workers' run time,
 * two fields with one writer each. The timer heap, the active list and the accounting scratch are the
 * ticker's; a worker's current vCPU is the worker's.
 */
package io.javisor.core.sched;
