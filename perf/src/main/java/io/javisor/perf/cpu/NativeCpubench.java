package io.javisor.perf.cpu;

import io.javisor.perf.report.ToolVersion;
import io.javisor.emulation.guests.GuestImages;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The native anchor of {@code bench cpu}: cpubench's own C source built for the host by the host's
 * {@code cc -O2} with {@code -DCPUBENCH_HOST} (its console and exit replaced by stdio and main's
 * return value, see {@code guests/common/host-shim.h}), so that the kernels are the same source
 * file the guest runs. Also builds a trivial program that prints one line, to time a process's
 * start-up. Not thread safe: one benchmark run uses it from one thread.
 */
final class NativeCpubench
{
    static final String COMPILER = "cc";
    static final List<String> FLAGS = List.of("-O2", "-DCPUBENCH_HOST");
    private static final long RUN_TIMEOUT_SECONDS = 600;
    private static final String STARTUP_SOURCE = "#include <stdio.h>\nint main(void)\n{\n    puts(\"start\");\n    return 0;\n}\n";

    /** One run of a native program: its stdout, exit code and wall time (process start to exit). */
    record Run(String output, int exitCode, long nanos)
    {
    }

    private final Path compiler;
    private final Path program;
    private final Path startupProgram;
    private final String command;

    private NativeCpubench(final Path compiler, final Path program, final Path startupProgram, final String command)
    {
        this.compiler = compiler;
        this.program = program;
        this.startupProgram = startupProgram;
        this.command = command;
    }

    /** @return {@value #COMPILER} on the PATH, if there is one. */
    static Optional<Path> findCompiler()
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return Optional.empty();
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            if (!dir.isEmpty())
            {
                final Path candidate = Path.of(dir, COMPILER);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Builds cpubench ({@code benchScale} as the guest was built: 0 for the default) and the
     * start-up program into {@code dir}.
     *
     * @throws IOException when the compiler cannot be run or reports an error (its first line
     *                     of diagnostics in the message).
     */
    static NativeCpubench build(final Path compiler, final Path dir, final int benchScale)
        throws IOException, InterruptedException
    {
        final Path source = GuestImages.extractHostSources(dir.resolve("src"));
        final Path startupSource = dir.resolve("startup.c");
        Files.writeString(startupSource, STARTUP_SOURCE, StandardCharsets.US_ASCII);
        final Path program = dir.resolve("cpubench-native");
        final Path startupProgram = dir.resolve("startup-native");
        final List<String> flags = new ArrayList<>(FLAGS);
        if (benchScale > 0)
        {
            flags.add("-DBENCH_SCALE=" + benchScale);
        }
        final List<String> cpubench = new ArrayList<>(List.of(compiler.toString()));
        cpubench.addAll(flags);
        cpubench.addAll(List.of("-I", source.getParent().toString(), "-o", program.toString(), source.toString()));
        compile(cpubench);
        compile(List.of(compiler.toString(), "-O2", "-o", startupProgram.toString(), startupSource.toString()));
        return new NativeCpubench(compiler, program, startupProgram,
            COMPILER + " " + String.join(" ", flags) + " -I src -o cpubench-native src/cpubench.c");
    }

    private static void compile(final List<String> command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        final String diagnostics;
        try (InputStream in = process.getInputStream())
        {
            diagnostics = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IOException(COMPILER + " did not finish in " + RUN_TIMEOUT_SECONDS + " s");
        }
        if (process.exitValue() != 0)
        {
            throw new IOException(COMPILER + " exited " + process.exitValue() + ": "
                + diagnostics.lines().findFirst().orElse("(no diagnostics)"));
        }
    }

    /** The compiler's identification, e.g. its {@code --version} first line, or "unknown". */
    String compilerVersion()
    {
        return ToolVersion.firstLine(compiler);
    }

    /** How cpubench was compiled, relative to the build folder. */
    String command()
    {
        return command;
    }

    Run runBenchmark() throws IOException, InterruptedException
    {
        return run(program);
    }

    Run runStartup() throws IOException, InterruptedException
    {
        return run(startupProgram);
    }

    /** The wall time runs from just before the process is started until its exit is seen. */
    private static Run run(final Path executable) throws IOException, InterruptedException
    {
        final long start = System.nanoTime();
        final Process process = new ProcessBuilder(executable.toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        process.getOutputStream().close();
        final CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() ->
        {
            try (InputStream in = process.getInputStream())
            {
                return in.readAllBytes();
            }
            catch (final IOException ex)
            {
                return new byte[0];
            }
        });
        if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IOException(executable.getFileName() + " did not finish in " + RUN_TIMEOUT_SECONDS + " s");
        }
        final long nanos = System.nanoTime() - start;
        final byte[] bytes = output.join();
        return new Run(new String(bytes, StandardCharsets.ISO_8859_1), process.exitValue(), nanos);
    }
}
