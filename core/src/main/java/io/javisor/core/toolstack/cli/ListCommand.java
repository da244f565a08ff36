package io.javisor.core.toolstack.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import io.javisor.core.toolstack.ToolstackClient;
import io.javisor.core.toolstack.ToolstackProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code list [-l] [DOM...]}: xl's columns, or every detail as JSON. Runs once. */
@Command(name = "list", description = "List the domains: Name ID Mem VCPUs State Time(s), or -l for every detail as JSON.")
final class ListCommand extends ClientCommand
{
    static final String HEADER = String.format(Locale.ROOT, "%-40s %5s %5s %5s     %-6s %8s", "Name", "ID", "Mem", "VCPUs",
        "State", "Time(s)");

    @Option(names = "-l", description = "Every detail of each domain, as JSON.")
    boolean longFormat;

    @Parameters(arity = "0..*", paramLabel = "DOM", description = "Only these domains (names or ids).")
    List<String> only = new ArrayList<>();

    @Override
    int run(final ToolstackClient client, final PrintWriter out) throws Exception
    {
        final List<?> all = (List<?>)client.call(ToolstackProtocol.LIST, Map.of());
        final List<Map<?, ?>> domains = new ArrayList<>();
        for (final Object o : all)
        {
            final Map<?, ?> d = (Map<?, ?>)o;
            if (only.isEmpty() || only.contains(String.valueOf(d.get("name"))) || only.contains(String.valueOf(d.get("id"))))
            {
                domains.add(d);
            }
        }
        for (final String wanted : only)
        {
            if (domains.stream().noneMatch(d -> wanted.equals(String.valueOf(d.get("name"))) ||
                wanted.equals(String.valueOf(d.get("id")))))
            {
                throw new io.javisor.core.toolstack.ToolstackException("domain '" + wanted + "' does not exist");
            }
        }
        if (longFormat)
        {
            out.println(JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(domains));
            return 0;
        }
        out.println(HEADER);
        for (final Map<?, ?> d : domains)
        {
            out.println(row(d));
        }
        return 0;
    }

    static String row(final Map<?, ?> d)
    {
        return String.format(Locale.ROOT, "%-40s %5d %5d %5d     %-6s %8.1f", d.get("name"), ((Number)d.get("id")).intValue(),
            ((Number)d.get("memory_mib")).intValue(), ((Number)d.get("vcpus")).intValue(), d.get("state"),
            ((Number)d.get("cpu_s")).doubleValue());
    }
}
