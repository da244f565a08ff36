package io.javisor.emulation.guests;

import io.javisor.emulation.loader.ElfImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuestImagesTest
{
    /** Surefire runs in the module directory. */
    private static final Path BIN = Path.of("guests", "bin");
    private static final Path EXPECTED = Path.of("guests", "expected");

    @Test
    void namesAreEveryCommittedElf() throws Exception
    {
        final List<String> committed;
        try (var files = Files.list(BIN))
        {
            committed = files.map(file -> file.getFileName().toString())
                .filter(file -> file.endsWith(".elf"))
                .map(file -> file.substring(0, file.length() - 4))
                .sorted()
                .toList();
        }
        assertFalse(committed.isEmpty());
        assertEquals(committed, GuestImages.names());
        assertTrue(GuestImages.names().containsAll(List.of("hello", "cpubench", "cpubench-small")), GuestImages.names().toString());
    }

    @Test
    void hostSourcesAreTheCommittedCpubenchSourceAndShim(@TempDir final Path dir) throws Exception
    {
        final Path source = GuestImages.extractHostSources(dir);
        assertEquals(dir.resolve("cpubench.c"), source);
        assertArrayEquals(Files.readAllBytes(BIN.resolveSibling("src").resolve("cpubench.c")), Files.readAllBytes(source));
        assertArrayEquals(Files.readAllBytes(BIN.resolveSibling("common").resolve("host-shim.h")),
            Files.readAllBytes(dir.resolve("host-shim.h")));
    }

    @Test
    void loadParsesTheCommittedElf() throws Exception
    {
        for (final String name : new String[]{ "hello", "cpubench-small" })
        {
            final ElfImage image = GuestImages.load(name);
            final ElfImage committed = ElfImage.read(BIN.resolve(name + ".elf"));
            assertEquals(committed.entry(), image.entry(), name);
            assertEquals(committed.length(), image.length(), name);
            assertEquals(committed.segments().size(), image.segments().size(), name);
            assertArrayEquals(Files.readAllBytes(BIN.resolve(name + ".elf")), GuestImages.bytes(name), name);
        }
    }

    @Test
    void expectedOutputIsTheRecordedText() throws Exception
    {
        for (final String name : GuestImages.names())
        {
            assertEquals(Files.readString(EXPECTED.resolve(name + ".out"), java.nio.charset.StandardCharsets.ISO_8859_1),
                GuestImages.expectedOutput(name), name);
        }
        assertEquals("Hello from javisor guest\n", GuestImages.expectedOutput("hello"));
    }

    @Test
    void extractWritesTheElf(@TempDir final Path dir) throws Exception
    {
        final Path file = GuestImages.extract("hello", dir.resolve("sub"));
        assertEquals(dir.resolve("sub").resolve("hello.elf"), file);
        assertArrayEquals(Files.readAllBytes(BIN.resolve("hello.elf")), Files.readAllBytes(file));
        // Again: overwrites.
        assertEquals(file, GuestImages.extract("hello", dir.resolve("sub")));
    }

    @Test
    void unknownGuestIsOneLineNamingIt(@TempDir final Path dir)
    {
        for (final String name : new String[]{ "nope", "../bin/hello", "", "hello.elf" })
        {
            final IllegalArgumentException load = assertThrows(IllegalArgumentException.class, () -> GuestImages.load(name));
            assertTrue(load.getMessage().contains("unknown guest '" + name + "'"), load.getMessage());
            assertTrue(load.getMessage().contains("cpubench"), load.getMessage());
            assertFalse(load.getMessage().contains("\n"), load.getMessage());
            assertThrows(IllegalArgumentException.class, () -> GuestImages.extract(name, dir));
            assertThrows(IllegalArgumentException.class, () -> GuestImages.expectedOutput(name));
        }
        assertThrows(IllegalArgumentException.class, () -> GuestImages.load(null));
    }
}
