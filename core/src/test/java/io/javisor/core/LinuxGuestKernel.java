package io.javisor.core;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Linux guest kernel of {@code emulation/guests/linux}: runs its {@code build.sh}, which builds
 * the kernel with its initramfs or takes it from the cache outside the clone, and hands back the raw
 * {@code Image}. A missing toolchain or kernel source aborts the calling test as skipped, naming the
 * packages (CI installs them); any other failure of the build fails it, with the build's output.
 *
 * @param image   the raw RISC-V kernel Image
 * @param log     what the build printed on stderr (its "linux build:" progress lines and any errors)
 * @param seconds wall time of the build script (a cached kernel takes about a second)
 */
record LinuxGuestKernel(Path image, List<String> log, double seconds)
{
    /** Exit status with which build.sh says something it needs is not installed. */
    private static final int NOT_INSTALLED = 2;
    private static final long BUILD_TIMEOUT_MINUTES = 30;

    static LinuxGuestKernel buildOrTakeCached(final Path scratch) throws IOException, InterruptedException
    {
        final Path script = findScript();
        final Path err = scratch.resolve("linux-build.log");
        final long start = System.nanoTime();
        final Process process = new ProcessBuilder(script.toString())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES))
        {
            process.destroyForcibly();
            fail("the Linux build took over " + BUILD_TIMEOUT_MINUTES + " minutes");
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        final List<String> log = Files.readAllLines(err, StandardCharsets.UTF_8);
        Assumptions.assumeFalse(process.exitValue() == NOT_INSTALLED,
            () -> log.isEmpty() ? "Linux guest toolchain or source not installed" : log.getLast());
        assertEquals(0, process.exitValue(), () -> "build.sh failed; last lines:\n" +
            String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size())));
        final List<String> lines = out.lines().toList();
        assertTrue(!lines.isEmpty(), "build.sh printed no Image path");
        final Path image = Path.of(lines.getLast());
        assertTrue(Files.isRegularFile(image), "build.sh named " + image + ", which is no file");
        return new LinuxGuestKernel(image, log, seconds);
    }

    /** @return whether the build compiled anything (false when the whole kernel came from the cache) */
    boolean compiled()
    {
        return log.stream().anyMatch(line -> line.startsWith("linux build: built in"));
    }

    /** The build script, found from the module's working directory up to the repository's root. */
    private static Path findScript()
    {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent())
        {
            final Path script = dir.resolve("emulation/guests/linux/build.sh");
            if (Files.isExecutable(script))
            {
                return script;
            }
        }
        throw new IllegalStateException("emulation/guests/linux/build.sh not found above " + Path.of("").toAbsolutePath());
    }
}
