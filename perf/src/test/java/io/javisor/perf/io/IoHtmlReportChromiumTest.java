package io.javisor.perf.io;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTML report of {@code bench io} in Debian's headless Chromium: the page renders (its script
 * runs and marks it checked), each chart has a series for every measured variant, and the console
 * stays free of errors; a page with a series missing is caught by the same checks.
 */
class IoHtmlReportChromiumTest
{
    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");

    @TempDir
    Path dir;

    @Test
    void theReportRendersWithEveryVariantInEveryChartAndNoConsoleErrors() throws Exception
    {
        final TinyIoRun run = TinyIoRun.get();
        final Path page = run.config.outDir().resolve("io-report.html");
        final Rendered rendered = render(page);
        assertEquals(0, rendered.exitCode, rendered.log);
        assertTrue(rendered.dom.contains("data-check=\"ok\""), "the page's script ran and found every series\n" + rendered.dom);
        assertEquals(List.of(), rendered.consoleLines(), "no console messages");
        final List<String> measured = run.result.totals().stream().filter(VariantTotals::measured).map(t -> t.variant.key()).toList();
        assertTrue(measured.size() >= 3, measured.toString());
        final List<String> net = run.result.net().totals().stream().filter(NetTotals::measured).map(t -> t.variant.key()).toList();
        assertTrue(net.size() >= 5, net.toString());
        for (final String chart : new String[] {"chart-read", "chart-write", "chart-net-rtt"})
        {
            final String svg = element(rendered.dom, "<svg class=\"chart\" id=\"" + chart + "\"", "</svg>");
            for (final String key : chart.equals("chart-net-rtt") ? net : measured)
            {
                assertTrue(svg.contains("<polyline class=\"series\" data-variant=\"" + key + "\""), chart + " plots " + key);
                assertTrue(svg.contains("<g class=\"legend\" data-variant=\"" + key + "\""), chart + " names " + key);
            }
        }
    }

    @Test
    void aChartMissingAVariantIsReportedOnTheConsole() throws Exception
    {
        final TinyIoRun run = TinyIoRun.get();
        final String html = Files.readString(run.config.outDir().resolve("io-report.html"));
        final String broken = html.replaceFirst("<polyline class=\"series\" data-variant=\"" + IoVariants.JAVISOR_ATA + "\"",
            "<polyline class=\"series\" data-variant=\"gone\"");
        assertFalse(broken.equals(html));
        final Path page = dir.resolve("broken.html");
        Files.writeString(page, broken);
        final Rendered rendered = render(page);
        assertTrue(rendered.dom.contains("data-check=\"incomplete\""), rendered.dom);
        assertTrue(rendered.consoleLines().stream().anyMatch(l -> l.contains("chart-read lacks " + IoVariants.JAVISOR_ATA)),
            rendered.log);
    }

    private record Rendered(int exitCode, String dom, String log)
    {
        /** Chromium logs each console message of the page as a CONSOLE line. */
        List<String> consoleLines()
        {
            return log.lines().filter(l -> l.contains(":CONSOLE")).collect(Collectors.toList());
        }
    }

    private Rendered render(final Path page) throws IOException, InterruptedException
    {
        final Optional<String> browser = BROWSERS.stream().filter(b -> Files.isExecutable(Path.of(b))).findFirst();
        Assumptions.assumeTrue(browser.isPresent(), "no headless Chromium here (apt-get install chromium)");
        final Path dom = dir.resolve("dom-" + System.nanoTime() + ".html");
        final Path log = dir.resolve("log-" + System.nanoTime() + ".txt");
        final Process process = new ProcessBuilder(browser.get(), "--headless", "--no-sandbox", "--disable-gpu",
            "--user-data-dir=" + dir.resolve("profile-" + System.nanoTime()), "--enable-logging=stderr", "--v=0",
            "--dump-dom", page.toUri().toString())
            .redirectOutput(dom.toFile()).redirectError(log.toFile()).start();
        process.getOutputStream().close();
        if (!process.waitFor(120, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor();
            throw new AssertionError("chromium did not finish in 120 s:\n" + Files.readString(log));
        }
        return new Rendered(process.exitValue(), Files.readString(dom, StandardCharsets.UTF_8), Files.readString(log));
    }

    private static String element(final String dom, final String start, final String end)
    {
        final int from = dom.indexOf(start);
        assertTrue(from >= 0, "no " + start + " in the rendered page");
        final int to = dom.indexOf(end, from);
        assertTrue(to > from, "no end of " + start);
        return dom.substring(from, to);
    }
}
