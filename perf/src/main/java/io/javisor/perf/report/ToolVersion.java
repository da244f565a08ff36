package io.javisor.perf.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What an external tool of the benchmark (QEMU, the host C compiler) says it is: the first line of
 * its {@code --version}, for the report's environment. Stateless.
 */
public final class ToolVersion
{
    private ToolVersion()
    {
    }

    /**
     * @return the first non-empty line {@code binary --version} prints within 10 s, or "unknown".
     */
    public static String firstLine(final Path binary)
    {
        try
        {
            final Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            process.getOutputStream().close();
            final byte[] bytes;
            try (InputStream in = process.getInputStream())
            {
                bytes = in.readNBytes(4096);
            }
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return "unknown";
            }
            final String first = new String(bytes, StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
            return first.isEmpty() ? "unknown" : first;
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
