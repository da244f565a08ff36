package io.javisor.emulation.machine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A private directory (rwx------, on tmpfs when the host has /dev/shm) for the file a standalone
 * machine keeps its RAM in when a stub domain must map it: only this user can open the file, and
 * closing removes the directory (the memory's close has removed the file).
 * <p>
 * Thread-safety: created and closed by the machine's owner.
 */
final class SharedRamDirectory implements AutoCloseable
{
    static final String PREFIX = "javisor-vm-ram-";
    private static final Path SHM = Path.of("/dev/shm");

    private final Path directory;

    private SharedRamDirectory(final Path directory)
    {
        this.directory = directory;
    }

    static SharedRamDirectory create()
    {
        try
        {
            final var owner = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
            return new SharedRamDirectory(Files.isDirectory(SHM) && Files.isWritable(SHM) ?
                Files.createTempDirectory(SHM, PREFIX, owner) : Files.createTempDirectory(PREFIX, owner));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a directory for the guest's RAM: " + ex.getMessage(), ex);
        }
    }

    /** @return the guest-RAM file's path in the directory */
    Path file()
    {
        return directory.resolve("guest-ram");
    }

    /** Removes the directory, and the file if it is still there. */
    @Override
    public void close()
    {
        try
        {
            Files.deleteIfExists(file());
            Files.deleteIfExists(directory);
        }
        catch (final IOException ignored)
        {
            // A leftover empty directory on tmpfs is all that can go wrong.
        }
    }
}
