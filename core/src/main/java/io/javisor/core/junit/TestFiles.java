package io.javisor.core.junit;

import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.loader.ElfImage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the files a test names in its annotations: guest ELFs and xl.cfg files, on the test's class
 * path first, then on the file system. Stateless.
 */
final class TestFiles
{
    private TestFiles()
    {
    }

    /**
     * @param elf    a guest shipped with javisor by name, or (with a {@code /} or {@code .}) a
     *               class-path resource or a file.
     * @param loader the test class's loader.
     * @throws IllegalArgumentException (one line) when there is no such guest, resource or file, or
     *                                  it is not an ELF.
     */
    static ElfImage elf(final String elf, final ClassLoader loader)
    {
        if (elf.indexOf('/') < 0 && elf.indexOf('.') < 0)
        {
            return GuestImages.load(elf);
        }
        final URL resource = loader.getResource(elf);
        try
        {
            if (resource != null)
            {
                try (InputStream in = resource.openStream())
                {
                    return ElfImage.parse(in.readAllBytes());
                }
            }
            final Path file = Path.of(elf);
            if (Files.isRegularFile(file))
            {
                return ElfImage.read(file);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("elf '" + elf + "': " + ex.getMessage(), ex);
        }
        throw new IllegalArgumentException("elf '" + elf + "': no class-path resource or file of that name");
    }

    /**
     * @param config a class-path resource that is a file (as test resources are) or a file.
     * @throws IllegalArgumentException (one line) when there is none, or the resource is inside a
     *                                  jar: an xl.cfg's relative paths resolve against its directory.
     */
    static Path xlConfig(final String config, final ClassLoader loader)
    {
        final URL resource = loader.getResource(config);
        if (resource != null)
        {
            if (!"file".equals(resource.getProtocol()))
            {
                throw new IllegalArgumentException("xl.cfg '" + config + "' is inside " + resource.getProtocol() +
                    " " + resource + "; its relative paths need a directory, so it must be a file");
            }
            try
            {
                return Path.of(resource.toURI());
            }
            catch (final URISyntaxException ex)
            {
                throw new IllegalArgumentException("xl.cfg '" + config + "': " + ex.getMessage(), ex);
            }
        }
        final Path file = Path.of(config);
        if (Files.isRegularFile(file))
        {
            return file;
        }
        throw new IllegalArgumentException("xl.cfg '" + config + "': no class-path resource or file of that name");
    }
}
