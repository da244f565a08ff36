package io.javisor.core.driver;

import io.javisor.blkback.image.DiskFormat;
import io.javisor.blkback.image.DiskSpec;

/**
 * An xl.cfg disk spec that names its back-end domain, as xl does: {@code backend=NAME, format=raw,
 * vdev=xvda, target=PATH}. The {@code backend} key is taken out and the rest parsed as a
 * {@link DiskSpec}. A driver domain serves raw images only: it opens the image file itself, in its
 * own process.
 *
 * @param backend the driver domain's name.
 * @param disk    the rest of the spec.
 */
public record DriverDiskSpec(String backend, DiskSpec disk)
{
    private static final String BACKEND_KEY = "backend=";

    /**
     * @throws IllegalArgumentException with a one-line message naming the bad part.
     */
    public static DriverDiskSpec parse(final String spec)
    {
        if (spec == null)
        {
            throw new IllegalArgumentException("bad disk spec '': empty");
        }
        final StringBuilder rest = new StringBuilder();
        String backend = null;
        for (final String token : splitBeforeTarget(spec))
        {
            final String stripped = token.strip();
            if (stripped.startsWith(BACKEND_KEY))
            {
                if (backend != null)
                {
                    throw new IllegalArgumentException("bad disk spec '" + spec + "': backend given twice");
                }
                backend = stripped.substring(BACKEND_KEY.length()).strip();
                continue;
            }
            if (!rest.isEmpty())
            {
                rest.append(',');
            }
            rest.append(token);
        }
        if (backend == null || backend.isEmpty())
        {
            throw new IllegalArgumentException("bad disk spec '" + spec + "': no backend (the driver domain's name, e.g. backend=storage)");
        }
        final DiskSpec disk;
        try
        {
            disk = DiskSpec.parse(rest.toString());
        }
        catch (final IllegalArgumentException ex)
        {
            // Name the spec as the user wrote it, backend included.
            throw new IllegalArgumentException(ex.getMessage().replace("'" + rest + "'", "'" + spec + "'"), ex);
        }
        if (disk.format() != DiskFormat.RAW)
        {
            throw new IllegalArgumentException("bad disk spec '" + spec + "': a driver domain serves raw images only, not " +
                disk.format().specName());
        }
        return new DriverDiskSpec(backend, disk);
    }

    /**
     * A device spec without its {@code backend=NAME} key, which must name {@code driver}.
     *
     * @throws IllegalArgumentException when the key is missing, repeated, or names another back end (one line).
     */
    static String withoutBackend(final String spec, final String driver, final String what)
    {
        if (spec == null)
        {
            throw new IllegalArgumentException("bad " + what + " spec '': empty");
        }
        final StringBuilder rest = new StringBuilder();
        String backend = null;
        for (final String token : spec.split(","))
        {
            final String stripped = token.strip();
            if (stripped.startsWith(BACKEND_KEY))
            {
                if (backend != null)
                {
                    throw new IllegalArgumentException("bad " + what + " spec '" + spec + "': backend given twice");
                }
                backend = stripped.substring(BACKEND_KEY.length()).strip();
                continue;
            }
            if (!rest.isEmpty())
            {
                rest.append(',');
            }
            rest.append(token);
        }
        if (backend == null || !backend.equals(driver))
        {
            throw new IllegalArgumentException("bad " + what + " spec '" + spec + "': backend " +
                (backend == null ? "missing" : backend + " is not this driver domain") + " (backend=" + driver + ")");
        }
        return rest.toString();
    }

    /**
     * The comma-separated tokens, the target (which may hold commas) kept whole as the last one.
     */
    private static java.util.List<String> splitBeforeTarget(final String spec)
    {
        final java.util.List<String> tokens = new java.util.ArrayList<>();
        int from = 0;
        while (true)
        {
            final int comma = spec.indexOf(',', from);
            final String token = spec.substring(from, comma < 0 ? spec.length() : comma);
            if (token.strip().startsWith("target="))
            {
                tokens.add(spec.substring(from));
                return tokens;
            }
            tokens.add(token);
            if (comma < 0)
            {
                return tokens;
            }
            from = comma + 1;
        }
    }
}
