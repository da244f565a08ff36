package io.javisor.perf;

import io.javisor.perf.blk.BlkBenchmark;
import io.javisor.perf.cpu.CpuBenchmark;
import io.javisor.perf.ddom.DriverDomainBenchmark;
import io.javisor.perf.density.DensityBenchmark;
import io.javisor.perf.exit.ExitBenchmark;
import io.javisor.perf.io.IoBenchmark;
import io.javisor.perf.io.IoVariants;
import io.javisor.perf.io.NetConfig;
import io.javisor.perf.net.NetBenchmark;
import io.javisor.perf.ring.RingBenchmark;
import io.javisor.perf.sched.SchedBenchmark;
import io.javisor.perf.stubdom.StubDomainBenchmark;

import java.util.List;

/**
 * Every harness benchmark, in the order {@code javisor bench} runs them, each with its defaults.
 * A new benchmark (blk, net, cpu, ...) adds itself here.
 */
public final class HarnessBenchmarks
{
    private HarnessBenchmarks()
    {
    }

    public static List<HarnessBenchmark> all()
    {
        return List.of(new RingBenchmark(RingBenchmark.Config.defaults()),
            new BlkBenchmark(BlkBenchmark.Config.defaults()),
            new NetBenchmark(NetBenchmark.Config.defaults()),
            new CpuBenchmark(CpuBenchmark.Config.defaults()),
            new ExitBenchmark(ExitBenchmark.Config.defaults()),
            new IoBenchmark(IoBenchmark.Config.small(), IoVariants.KEYS, new NetConfig(32, 500, 5_000)),
            new DensityBenchmark(DensityBenchmark.Config.defaults()),
            new SchedBenchmark(SchedBenchmark.Config.defaults()),
            new DriverDomainBenchmark(DriverDomainBenchmark.Config.defaults()),
            new StubDomainBenchmark(StubDomainBenchmark.Config.defaults()));
    }
}
