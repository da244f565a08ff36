package io.javisor.core.driver;

import io.javisor.core.ProcessCensus;
import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A hypervisor over file-backed machine memory under /dev/shm, a guest (Java, or PV guest code), a raw image and a
 * driver domain serving it: what the driver domain tests share. Closing removes all of it.
 */
final class DriverDomainRig implements AutoCloseable
{
    /** What a driver domain could leave in this process: children, threads of its machinery ("storage" in these tests), files. */
    static final ProcessCensus.Scope CENSUS = new ProcessCensus.Scope(
        name -> name.startsWith("storage-") || name.startsWith("ddom"), null);

    static final int IMAGE_BYTES = 8 << 20;

    final Path directory;
    final Path image;
    final Hypervisor hypervisor;
    final Domain guest;
    final DriverDomain driver;
    final DriverVbdSpec vbd;

    DriverDomainRig(final DriverDomainConfig config) throws IOException
    {
        this(config, false);
    }

    /**
     * @param guestCode the guest runs guest code (left CREATED for {@code Hypervisor.startPv}), else it is a Java guest.
     */
    DriverDomainRig(final DriverDomainConfig config, final boolean guestCode) throws IOException
    {
        directory = Files.createTempDirectory("javisor-ddom-test-");
        image = directory.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(IMAGE_BYTES);
        }
        final Path shm = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : directory;
        hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(64)
            .withMachineMemoryFile(shm.resolve("javisor-ddom-" + ProcessHandle.current().pid() + "-" + System.nanoTime())));
        guest = hypervisor.createDomain(DomainConfig.pv("guest", guestCode ? 16 : 4));
        if (!guestCode)
        {
            guest.unpause();
        }
        driver = DriverDomain.start(hypervisor, config);
        vbd = driver.attachDisk(guest, "backend=" + config.name() + ", format=raw, vdev=xvda, target=" + image);
    }

    @Override
    public void close() throws IOException
    {
        driver.close();
        hypervisor.close();
        try (Stream<Path> files = Files.walk(directory))
        {
            for (final Path path : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
