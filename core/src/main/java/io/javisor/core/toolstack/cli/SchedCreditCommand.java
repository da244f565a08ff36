package io.javisor.core.toolstack.cli;

import io.javisor.core.toolstack.ToolstackClient;
import io.javisor.core.toolstack.ToolstackProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code sched-credit [-d DOM [-w WEIGHT] [-c CAP]]}: the credit scheduler's weight and cap per domain. Runs once. */
@Command(name = "sched-credit", description = "Show or set the credit scheduler's weight and cap of domains.")
final class SchedCreditCommand extends ClientCommand
{
    @Option(names = "-d", paramLabel = "DOM", description = "The domain (default: all, shown only).")
    String domain;

    @Option(names = "-w", paramLabel = "WEIGHT", description = "Its weight, 1 to 65535 (default 256).")
    Integer weight;

    @Option(names = "-c", paramLabel = "CAP", description = "Its cap in percent of one CPU; 0 for none.")
    Integer cap;

    @Override
    int run(final ToolstackClient client, final PrintWriter out)
    {
        if (domain == null && (weight != null || cap != null))
        {
            throw new io.javisor.core.toolstack.ToolstackException("-w and -c need a domain (-d DOM)");
        }
        final Map<String, Object> args = new LinkedHashMap<>();
        if (domain != null)
        {
            args.put("domain", domain);
        }
        if (weight != null)
        {
            args.put("weight", weight);
        }
        if (cap != null)
        {
            args.put("cap", cap);
        }
        final List<?> rows = (List<?>)client.call(ToolstackProtocol.SCHED_CREDIT, args);
        if (weight != null || cap != null)
        {
            return 0; // xl prints nothing when it sets
        }
        out.printf(Locale.ROOT, "%-32s %5s %6s %4s%n", "Name", "ID", "Weight", "Cap");
        for (final Object o : rows)
        {
            final Map<?, ?> d = (Map<?, ?>)o;
            out.printf(Locale.ROOT, "%-32s %5d %6d %4d%n", d.get("name"), ((Number)d.get("id")).intValue(),
                ((Number)d.get("weight")).intValue(), ((Number)d.get("cap")).intValue());
        }
        return 0;
    }
}
