package io.javisor.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The JVM options javisor needs (module exports and opens for Agrona and Chronicle, native access
 * for the FFM mmap of guest memory, Chronicle's analytics switched off), as the build wrote them
 * into the class-path resource {@value #RESOURCE} from the root pom's {@code javisor.jvm.options}.
 * <p>
 * This is the one reader of that resource: JMH forks, child JVMs started by the harness and
 * anything else that launches a JVM take their options from here.
 */
public final class JvmOptions
{
    public static final String RESOURCE = "/javisor-jvm.options";

    private static final List<String> OPTIONS = load();

    private JvmOptions()
    {
    }

    /**
     * The options, one JVM argument per element, in the order the pom lists them.
     * Empty when the resource is missing or was not filtered (running from an IDE without Maven).
     */
    public static List<String> list()
    {
        return OPTIONS;
    }

    public static String[] array()
    {
        return OPTIONS.toArray(String[]::new);
    }

    /**
     * Splits the resource text into arguments; an unfiltered {@code ${...}} placeholder yields none.
     */
    static List<String> parse(final String text)
    {
        final List<String> options = new ArrayList<>();
        for (final String token : text.trim().split("\\s+"))
        {
            if (!token.isEmpty() && !token.startsWith("${"))
            {
                options.add(token);
            }
        }
        return Collections.unmodifiableList(options);
    }

    private static List<String> load()
    {
        try (InputStream in = JvmOptions.class.getResourceAsStream(RESOURCE))
        {
            if (in == null)
            {
                return List.of();
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + RESOURCE, ex);
        }
    }
}
