package io.javisor.emulation.guests;

import io.javisor.emulation.loader.ElfImage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The committed guest programs of {@code emulation/guests}, as the build copies them onto the
 * classpath: {@code io/javisor/emulation/guests/NAME.elf} (from {@code guests/bin}) and
 * {@code NAME.out}, the console output recorded from QEMU (from {@code guests/expected}). A
 * guest's name is its file name without {@code .elf}: {@code hello}, {@code cpubench},
 * {@code cpubench-small}, ... Stateless; every method reads the classpath afresh.
 */
public final class GuestImages
{
    /** The classpath folder holding the guests, next to this class. */
    public static final String RESOURCE_DIR = "io/javisor/emulation/guests/";
    /** The classpath folder holding cpubench's C source for a host build (see {@link #extractHostSources}). */
    public static final String HOST_DIR = RESOURCE_DIR + "host/";
    private static final List<String> HOST_SOURCES = List.of("src/cpubench.c", "common/host-shim.h");
    private static final String ELF = ".elf";
    private static final String EXPECTED = ".out";

    private GuestImages()
    {
    }

    /**
     * @return every guest on the classpath, sorted by name.
     * @throws UncheckedIOException when the classpath folder cannot be listed.
     */
    public static List<String> names()
    {
        final URL self = GuestImages.class.getResource(GuestImages.class.getSimpleName() + ".class");
        if (self == null)
        {
            return List.of();
        }
        final TreeSet<String> names = new TreeSet<>();
        try
        {
            if ("jar".equals(self.getProtocol()))
            {
                final URLConnection connection = self.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = ((JarURLConnection)connection).getJarFile())
                {
                    final Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements())
                    {
                        final String entry = entries.nextElement().getName();
                        if (entry.startsWith(RESOURCE_DIR) && entry.endsWith(ELF)
                            && entry.indexOf('/', RESOURCE_DIR.length()) < 0)
                        {
                            names.add(entry.substring(RESOURCE_DIR.length(), entry.length() - ELF.length()));
                        }
                    }
                }
            }
            else if ("file".equals(self.getProtocol()))
            {
                try (Stream<Path> files = Files.list(Path.of(self.toURI()).getParent()))
                {
                    files.map(file -> file.getFileName().toString())
                        .filter(file -> file.endsWith(ELF))
                        .forEach(file -> names.add(file.substring(0, file.length() - ELF.length())));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list the guest programs on the classpath: " + ex.getMessage(), ex);
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException("cannot list the guest programs at " + self + ": " + ex.getMessage(), ex);
        }
        return List.copyOf(names);
    }

    /**
     * @param name a guest's name, e.g. {@code cpubench}.
     * @return the bytes of its ELF.
     * @throws IllegalArgumentException (one line) when there is no such guest.
     */
    public static byte[] bytes(final String name)
    {
        return resource(name, ELF);
    }

    /**
     * @param name a guest's name, e.g. {@code cpubench}.
     * @return its ELF, parsed.
     * @throws IllegalArgumentException (one line) when there is no such guest.
     */
    public static ElfImage load(final String name)
    {
        return ElfImage.parse(bytes(name));
    }

    /**
     * The console output the guest must produce (recorded from QEMU), byte for byte as
     * ISO-8859-1 text (every byte one char), as {@code QemuRun.outputText()} gives it.
     *
     * @param name a guest's name.
     * @return the expected console output.
     * @throws IllegalArgumentException (one line) when there is no such guest or it has no
     *                                  recorded output.
     */
    public static String expectedOutput(final String name)
    {
        return new String(resource(name, EXPECTED), StandardCharsets.ISO_8859_1);
    }

    /**
     * Writes cpubench's C source and the header that replaces the guest runtime on a host
     * ({@code host-shim.h}, selected by {@code -DCPUBENCH_HOST}) into {@code dir}, so that the host's
     * C compiler builds the very kernels the guest runs: {@code cc -O2 -DCPUBENCH_HOST -I dir
     * dir/cpubench.c} ({@code -DBENCH_SCALE=1} for cpubench-small).
     *
     * @param dir the folder to write into (created when missing).
     * @return the C file written.
     * @throws UncheckedIOException when a resource is missing or a file cannot be written.
     */
    public static Path extractHostSources(final Path dir)
    {
        Path source = null;
        for (final String file : HOST_SOURCES)
        {
            final Path target = dir.resolve(file.substring(file.lastIndexOf('/') + 1));
            try (InputStream in = GuestImages.class.getClassLoader().getResourceAsStream(HOST_DIR + file))
            {
                if (in == null)
                {
                    throw new UncheckedIOException(new IOException("missing resource " + HOST_DIR + file));
                }
                Files.createDirectories(dir);
                Files.write(target, in.readAllBytes());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot write " + target + ": " + ex.getMessage(), ex);
            }
            if (file.endsWith(".c"))
            {
                source = target;
            }
        }
        return source;
    }

    /**
     * Writes the guest's ELF to {@code dir/NAME.elf} (creating {@code dir}), e.g. for QEMU.
     *
     * @param name a guest's name.
     * @param dir  the folder to write into.
     * @return the file written.
     * @throws IllegalArgumentException (one line) when there is no such guest.
     * @throws UncheckedIOException     when the file cannot be written.
     */
    public static Path extract(final String name, final Path dir)
    {
        final byte[] bytes = bytes(name);
        final Path file = dir.resolve(name + ELF);
        try
        {
            Files.createDirectories(dir);
            Files.write(file, bytes);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write guest " + name + " to " + file + ": " + ex.getMessage(), ex);
        }
        return file;
    }

    private static byte[] resource(final String name, final String suffix)
    {
        if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.contains(".."))
        {
            throw unknown(name);
        }
        try (InputStream in = GuestImages.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + name + suffix))
        {
            if (in == null)
            {
                if (EXPECTED.equals(suffix) && GuestImages.class.getClassLoader().getResource(RESOURCE_DIR + name + ELF) != null)
                {
                    throw new IllegalArgumentException("guest '" + name + "' has no recorded output (" + name + EXPECTED + ")");
                }
                throw unknown(name);
            }
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read guest " + name + suffix + ": " + ex.getMessage(), ex);
        }
    }

    private static IllegalArgumentException unknown(final String name)
    {
        return new IllegalArgumentException("unknown guest '" + name + "' (known: " + String.join(", ", names()) + ")");
    }
}
