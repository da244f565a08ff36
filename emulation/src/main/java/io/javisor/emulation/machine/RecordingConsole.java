package io.javisor.emulation.machine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A console for programs that drive a guest without a terminal (tests, benchmarks, harnesses):
 * everything the guest writes is kept, and typed input is a fixed script fed one byte per read.
 */
public final class RecordingConsole implements Console
{
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final byte[] input;
    private int nextInput;

    /** No input. */
    public RecordingConsole()
    {
        this("");
    }

    /** @param input typed for the guest, as ASCII */
    public RecordingConsole(final String input)
    {
        this.input = input.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void write(final int b)
    {
        output.write(b);
    }

    @Override
    public int read()
    {
        return nextInput < input.length ? input[nextInput++] & 0xFF : -1;
    }

    /** Only while some of the script is still to be typed. */
    @Override
    public boolean pollWhileAsleep()
    {
        return nextInput < input.length;
    }

    /** @return the bytes written so far */
    public byte[] bytes()
    {
        return output.toByteArray();
    }

    /** @return what was written so far, as text (bytes as ISO-8859-1 characters, so none is lost) */
    public String text()
    {
        return output.toString(StandardCharsets.ISO_8859_1);
    }
}
