package io.javisor.core.toolstack.cli;

import io.javisor.core.toolstack.ToolstackClient;
import io.javisor.core.toolstack.ToolstackProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The commands about the host and all domains: info, dmesg, vcpu-list, top. Stateless holder of the command classes. */
final class HostCommands
{
    private HostCommands()
    {
    }

    @Command(name = "info", description = "The host: CPUs, memory, domains, the JVM.")
    static final class Info extends ClientCommand
    {
        @Override
        int run(final ToolstackClient client, final PrintWriter out)
        {
            final Map<?, ?> info = (Map<?, ?>)client.call(ToolstackProtocol.INFO, Map.of());
            for (final Map.Entry<?, ?> e : info.entrySet())
            {
                out.printf(Locale.ROOT, "%-22s: %s%n", e.getKey(), e.getValue());
            }
            return 0;
        }
    }

    @Command(name = "dmesg", description = "The toolstack's messages: domains created, ended, destroyed, restarted.")
    static final class Dmesg extends ClientCommand
    {
        @Override
        int run(final ToolstackClient client, final PrintWriter out)
        {
            for (final Object line : (List<?>)client.call(ToolstackProtocol.DMESG, Map.of()))
            {
                out.println(line);
            }
            return 0;
        }
    }

    @Command(name = "vcpu-list", description = "Every vCPU: Name ID VCPU CPU State Time(s) Affinity; -s adds the "
        + "credit scheduler's view: credit, weight, cap, wake-ups and runs.")
    static final class VcpuList extends ClientCommand
    {
        @Parameters(arity = "0..1", paramLabel = "DOM", description = "Only this domain.")
        String domain;

        @Option(names = {"-s", "--sched"}, description = "Add the credit scheduler's columns.")
        boolean sched;

        @Override
        int run(final ToolstackClient client, final PrintWriter out)
        {
            final List<?> rows = (List<?>)client.call(ToolstackProtocol.VCPU_LIST, domain == null ? Map.of() : Map.of("domain", domain));
            out.printf(Locale.ROOT, "%-32s %5s %5s %5s %5s %9s %-22s%s%n", "Name", "ID", "VCPU", "CPU", "State", "Time(s)",
                "Affinity (Hard / Soft)", sched ? String.format(Locale.ROOT, " %10s %6s %4s %10s %10s", "Credit(ms)", "Weight",
                    "Cap", "Wakes", "Runs") : "");
            for (final Object o : rows)
            {
                final Map<?, ?> r = (Map<?, ?>)o;
                final int cpu = ((Number)r.get("cpu")).intValue();
                out.printf(Locale.ROOT, "%-32s %5d %5d %5s %5s %9.1f %-22s%s%n", r.get("name"), ((Number)r.get("id")).intValue(),
                    ((Number)r.get("vcpu")).intValue(), cpu < 0 ? "-" : Integer.toString(cpu), r.get("state"),
                    ((Number)r.get("time_s")).doubleValue(), "all / all",
                    sched ? String.format(Locale.ROOT, " %10.1f %6d %4d %10d %10d", ((Number)r.get("credit_ms")).doubleValue(),
                        ((Number)r.get("weight")).intValue(), ((Number)r.get("cap")).intValue(),
                        ((Number)r.get("wakes")).longValue(), ((Number)r.get("runs")).longValue()) : "");
            }
            return 0;
        }
    }

    @Command(name = "top", description = "The domains with their CPU use, refreshed until interrupted.")
    static final class Top extends ClientCommand
    {
        @Option(names = "-d", paramLabel = "SECONDS", defaultValue = "1", description = "Seconds between refreshes (default: ${DEFAULT-VALUE}).")
        double delay;

        @Option(names = "-n", paramLabel = "N", defaultValue = "0", description = "Refresh N times, then stop (default: until interrupted).")
        int iterations;

        @Option(names = "-b", description = "Batch mode: no screen clearing, one table after another.")
        boolean batch;

        @Override
        int run(final ToolstackClient client, final PrintWriter out) throws Exception
        {
            if (!(delay > 0) || delay > 3600)
            {
                throw new io.javisor.core.toolstack.ToolstackException("delay " + delay + " s is not between 0 and 3600");
            }
            Map<Integer, Double> previous = new HashMap<>();
            long previousNanos = System.nanoTime();
            for (int i = 0; iterations == 0 || i < iterations; i++)
            {
                if (i > 0)
                {
                    Thread.sleep((long)(delay * 1000));
                }
                final List<?> domains = (List<?>)client.call(ToolstackProtocol.LIST, Map.of());
                final long now = System.nanoTime();
                final double seconds = (now - previousNanos) / 1e9;
                final Map<Integer, Double> current = new HashMap<>();
                if (!batch)
                {
                    out.print("\033[H\033[2J");
                }
                out.printf(Locale.ROOT, "%-24s %5s %-6s %10s %7s %7s %5s%n", "NAME", "ID", "STATE", "CPU(sec)", "CPU(%)", "MEM(M)", "VCPUS");
                for (final Object o : domains)
                {
                    final Map<?, ?> d = (Map<?, ?>)o;
                    final int id = ((Number)d.get("id")).intValue();
                    final double cpu = ((Number)d.get("cpu_s")).doubleValue();
                    current.put(id, cpu);
                    final Double before = previous.get(id);
                    final String percent = before == null || id == 0 ? "-" :
                        String.format(Locale.ROOT, "%.1f", Math.max(0, cpu - before) / seconds * 100);
                    out.printf(Locale.ROOT, "%-24s %5d %-6s %10.1f %7s %7d %5d%n", d.get("name"), id, d.get("state"), cpu, percent,
                        ((Number)d.get("memory_mib")).intValue(), ((Number)d.get("vcpus")).intValue());
                }
                out.flush();
                previous = current;
                previousNanos = now;
            }
            return 0;
        }
    }
}
