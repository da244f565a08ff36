package io.javisor.emulation.reference;

import java.nio.charset.StandardCharsets;

/**
 * The outcome of one QEMU run.
 *
 * @param output       the bytes the guest wrote to its console (QEMU's stdout).
 * @param diagnostics  what QEMU itself wrote to stderr, for error messages.
 * @param exitCode     QEMU's exit status (the sifive_test finisher code), or -1 when timed out.
 * @param elapsedNanos wall time from process start to exit (or to the kill on timeout).
 * @param timedOut     whether the run was killed at the timeout.
 */
public record QemuRun(byte[] output, String diagnostics, int exitCode, long elapsedNanos, boolean timedOut)
{
    /** The first line an SBI guest prints, after the firmware's banner. */
    public static final String START_LINE = "javisor-guest: start";

    /** @return the console output as text, ISO-8859-1 so that every byte maps to one char. */
    public String outputText()
    {
        return new String(output, StandardCharsets.ISO_8859_1);
    }

    /**
     * The console output after the {@link #START_LINE} line, with carriage returns removed (SBI
     * firmware such as OpenSBI prints CR LF for LF).
     *
     * @return the text after the start line, or {@code null} when the guest never printed it.
     */
    public String outputAfterStartLine()
    {
        return afterStartLine(output);
    }

    /**
     * What {@link #outputAfterStartLine()} gives, for any guest's console output (javisor's too).
     *
     * @param output console bytes.
     * @return the text after the start line, CRs removed, or {@code null} when it is not there.
     */
    public static String afterStartLine(final byte[] output)
    {
        final String text = new String(output, StandardCharsets.ISO_8859_1).replace("\r", "");
        final String marker = START_LINE + "\n";
        final int at = text.startsWith(marker) ? 0 : text.indexOf("\n" + marker);
        if (at < 0)
        {
            return null;
        }
        return text.substring(at == 0 ? marker.length() : at + 1 + marker.length());
    }

    /** @return whether QEMU exited by itself with status 0 (the guest passed). */
    public boolean passed()
    {
        return !timedOut && exitCode == 0;
    }
}
