package io.javisor.core.toolstack.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Reads a domain config as {@code xl create FILE [KEY=VALUE...]} does: the file's settings, then
 * each override parsed as one more line of the file, replacing the file's setting of its key (the
 * last assignment wins in xl too, since xl appends the overrides to the file's text). Immutable;
 * safe to share between threads when its MAC generator is (the default, thread-local, is).
 * <ul>
 *   <li>The file is UTF-8 (a leading byte order mark is skipped), at most
 *   {@value #MAX_FILE_BYTES} bytes.</li>
 *   <li>Errors name an override as {@code command line:N}, N its place among the overrides
 *   (from 1). Each override must hold at least one {@code KEY=VALUE}; two overrides of one key are
 *   refused, as two settings of a key in the file are.</li>
 *   <li>Relative paths resolve against the config file's directory, and an override's against
 *   the working directory. xl does neither: it hands kernel, ramdisk and disk paths on as written,
 *   so they resolve against the working directory of whatever process opens them; javisor's
 *   rule keeps a config meaning the same wherever it is started from.</li>
 *   <li>Nothing checks that a path exists: the domain builder reports a missing file.</li>
 * </ul>
 */
public final class XlConfigReader
{
    public static final int MAX_FILE_BYTES = 1 << 20;
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final Path workingDirectory;
    private final RandomGenerator macs;

    /**
     * Overrides resolve against the JVM's working directory; MACs are drawn from a thread-local generator.
     */
    public XlConfigReader()
    {
        this(Path.of("").toAbsolutePath(), null);
    }

    /**
     * @param workingDirectory what an override's relative path resolves against.
     * @param macs             draws the MAC of a vif given without one; null for a thread-local
     *                         generator.
     */
    public XlConfigReader(final Path workingDirectory, final RandomGenerator macs)
    {
        this.workingDirectory = workingDirectory.toAbsolutePath();
        this.macs = macs;
    }

    /**
     * @throws XlConfigException for a file that cannot be read, or the first problem in it or in
     *                           the overrides.
     */
    public XlConfig read(final Path file, final List<String> overrides)
    {
        final ConfigSource source = ConfigSource.file(file);
        return XlConfigMapper.map(source, settings(source, readFile(source, file), overrides), macs);
    }

    /**
     * A config from text that did not come from a file of its own (a request, a test).
     */
    public XlConfig read(final ConfigSource source, final byte[] text, final List<String> overrides)
    {
        return XlConfigMapper.map(source, settings(source, text, overrides), macs);
    }

    /**
     * The settings as parsed, overrides applied, before any meaning is given to them.
     */
    public XlSettings settings(final ConfigSource source, final byte[] text, final List<String> overrides)
    {
        final XlSettings fileSettings = XlConfigParser.parse(source, decode(source, text));
        return fileSettings.overriddenBy(overrides(overrides));
    }

    private XlSettings overrides(final List<String> overrides)
    {
        final ConfigSource commandLine = ConfigSource.commandLine(workingDirectory);
        final XlSettings.Builder settings = new XlSettings.Builder();
        for (int i = 0; i < overrides.size(); i++)
        {
            final String override = overrides.get(i);
            if (XlConfigParser.parseInto(commandLine, override, i + 1, settings) == 0)
            {
                throw commandLine.error(i + 1, null, "expected KEY=VALUE, found " + XlValue.quote(override));
            }
        }
        return settings.build();
    }

    private static byte[] readFile(final ConfigSource source, final Path file)
    {
        try
        {
            if (Files.size(file) > MAX_FILE_BYTES)
            {
                throw source.error(XlConfigException.NO_LINE, null, "larger than " + MAX_FILE_BYTES + " bytes: not a config file");
            }
            return Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw source.error(XlConfigException.NO_LINE, null, "no such file");
        }
        catch (final AccessDeniedException ex)
        {
            throw source.error(XlConfigException.NO_LINE, null, "permission denied");
        }
        catch (final IOException ex)
        {
            throw source.error(XlConfigException.NO_LINE, null, "cannot be read: " + ex);
        }
    }

    /** Strict UTF-8: the first malformed byte is an error on its line. */
    private static String decode(final ConfigSource source, final byte[] bytes)
    {
        if (bytes.length > MAX_FILE_BYTES)
        {
            throw source.error(XlConfigException.NO_LINE, null, "larger than " + MAX_FILE_BYTES + " bytes: not a config file");
        }
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        final CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError())
        {
            result = decoder.flush(out);
        }
        if (result.isError())
        {
            final int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++)
            {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw source.error(line, null, String.format("not UTF-8 text (byte 0x%02x at offset %d)", bytes[at] & 0xFF, at));
        }
        out.flip();
        if (out.hasRemaining() && out.get(0) == BYTE_ORDER_MARK)
        {
            out.get();
        }
        return out.toString();
    }
}
