package io.javisor.perf.cli;

import io.javisor.perf.jmh.JmhLauncher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code javisor bench jmh [JMH args...]}: JMH's own command line, run in this JVM, with javisor's
 * JVM options prepended to every fork. {@code bench jmh -h} shows JMH's help.
 */
@Command(
    name = "jmh",
    description = {
        "Run the JMH benchmarks in this jar with JMH's own arguments, e.g. "
            + "`bench jmh SharedRing -prof gc -f 1 -wi 2 -i 3`; `bench jmh -l` lists them, `bench jmh -h` shows JMH's options.",
    })
final class JmhCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "JMH_ARG", description = "Arguments for JMH.")
    private List<String> args = new ArrayList<>();

    @Override
    public Integer call()
    {
        return JmhLauncher.run(args.toArray(String[]::new), spec.commandLine().getErr());
    }
}
