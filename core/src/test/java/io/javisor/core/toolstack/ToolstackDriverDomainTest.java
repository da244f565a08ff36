package io.javisor.core.toolstack;

import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.core.toolstack.config.XlConfig;
import io.javisor.core.toolstack.config.XlConfigException;
import io.javisor.core.toolstack.config.XlConfigReader;
import io.javisor.emulation.guests.GuestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Driver domains from xl.cfg, through the toolstack: {@code driver_domain = 1} starts one (its back
 * ends in a process of its own), a guest's {@code disk = ["backend=NAME, ..."]} is served by it, a
 * name that is no driver domain is refused in one line, block-detach and network-detach remove its
 * devices, destroying a guest detaches them, and destroying the driver domain ends its processes.
 */
class ToolstackDriverDomainTest
{
    @Test
    void aPvGuestsDiskIsServedByADriverDomainFromItsConfig(@TempDir final Path dir) throws Exception
    {
        final Path image = dir.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(1 << 20);
        }
        final Path kernel = GuestImages.extract("pv-disk", dir);
        final Path classes = Path.of(DiskCheckJavaGuest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Hypervisor hv = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256)
                .withMachineMemoryFile(dir.resolve("machine-memory")));
             Toolstack toolstack = new Toolstack(hv))
        {
            final DomainInfo storage = toolstack.create(read(dir, "storage.cfg",
                "name = \"storage\"", "type = \"pv\"", "driver_domain = 1"), false);
            assertTrue(toolstack.dmesg().stream().anyMatch(l -> l.contains("'storage' created (driver domain")),
                String.join("\n", toolstack.dmesg()));

            final DomainInfo guest = toolstack.create(read(dir, "guest.cfg", "name = \"guest\"", "type = \"java\"",
                "class = \"" + DiskCheckJavaGuest.class.getName() + "\"", "classpath = [ \"" + classes + "\" ]", "memory = 8",
                "on_poweroff = \"preserve\"",
                "disk = [ \"backend=storage, format=raw, vdev=xvda, access=rw, target=" + image + "\" ]",
                "vif = [ \"backend=storage, bridge=ddbr9\" ]"), false);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (toolstack.domain("guest").state().indexOf('s') < 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            final String console = new String(toolstack.console("guest").history(), StandardCharsets.US_ASCII);
            assertEquals("disk-check: backend domain " + storage.id() + ", block read back\n", console);
            assertTrue(guest.id() > storage.id());

            final ToolstackException notADriver = assertThrows(ToolstackException.class, () -> toolstack.create(read(dir,
                "bad.cfg", "name = \"bad\"", "type = \"pv\"", "memory = 16", "kernel = \"" + kernel + "\"",
                "disk = [ \"backend=guest, format=raw, vdev=xvda, target=" + image + "\" ]"), false));
            assertEquals("cannot create domain 'bad': disk: backend 'guest' is not a driver domain (create one with " +
                "driver_domain = 1)", notADriver.getMessage());

            final String backend = "/local/domain/" + storage.id() + "/backend/";
            assertTrue(exists(hv, backend + "vbd/" + guest.id() + "/51712") && exists(hv, backend + "vif/" + guest.id() + "/0"));
            toolstack.blockDetach("guest", "xvda");
            toolstack.networkDetach("guest", "0");
            assertFalse(exists(hv, backend + "vbd/" + guest.id() + "/51712"), "block-detach removed the disk's back end");
            assertFalse(exists(hv, "/local/domain/" + guest.id() + "/device/vbd/51712"), "and its front end");
            assertFalse(exists(hv, backend + "vif/" + guest.id() + "/0"), "network-detach removed the vif's back end");
            assertEquals("domain 'guest' has no PV disk xvda",
                assertThrows(ToolstackException.class, () -> toolstack.blockDetach("guest", "xvda")).getMessage());
            toolstack.blockAttach("guest", "backend=storage, format=raw, vdev=xvda, access=rw, target=" + image);
            assertTrue(exists(hv, backend + "vbd/" + guest.id() + "/51712"), "attached again");

            toolstack.destroy("guest");
            assertFalse(exists(hv, backend + "vbd/" + guest.id()), "destroying the guest detached its driver-domain disk");
            toolstack.destroy("storage");
            assertEquals(List.of("Domain-0"), toolstack.list().stream().map(DomainInfo::name).toList());
            assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
                "the driver domain's processes are gone");
        }
    }

    /**
     * A guest destroyed while its disk is connected (guest code cannot close it): the driver domain's
     * back end sees its front end's xenstore directory go, disconnects and unmaps its grants, so the
     * guest is gone, its frames back in the pool, instead of staying dying while the driver domain runs.
     */
    @Test
    void aGuestDestroyedWhileConnectedIsReleasedByTheDriverDomain(@TempDir final Path dir) throws Exception
    {
        final Path image = dir.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(4 << 20);
        }
        final Path kernel = GuestImages.extract("pv-disk-restart", dir);
        try (Hypervisor hv = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256)
                .withMachineMemoryFile(dir.resolve("machine-memory")));
             Toolstack toolstack = new Toolstack(hv))
        {
            toolstack.create(read(dir, "storage.cfg", "name = \"storage\"", "type = \"pv\"", "driver_domain = 1"), false);
            final DomainInfo guest = toolstack.create(read(dir, "guest.cfg", "name = \"guest\"", "type = \"pv\"",
                "memory = 16", "kernel = \"" + kernel + "\"",
                "disk = [ \"backend=storage, format=raw, vdev=xvda, access=rw, target=" + image + "\" ]"), false);
            final long connected = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!new String(toolstack.console("guest").history(), StandardCharsets.US_ASCII).contains("connected") &&
                System.nanoTime() < connected)
            {
                Thread.sleep(5);
            }
            final String before = new String(toolstack.console("guest").history(), StandardCharsets.US_ASCII);
            assertTrue(before.contains("pv-disk-restart: connected"), before);
            final long freeBefore = hv.freeFrames();
            toolstack.destroy("guest");
            final long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (hv.domain(guest.id()) != null && System.nanoTime() < gone)
            {
                Thread.sleep(5);
            }
            System.out.println("destroyed guest gone after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - gone +
                TimeUnit.SECONDS.toNanos(20)) + " ms");
            assertEquals(null, hv.domain(guest.id()), "the destroyed guest is gone, not left dying");
            assertTrue(hv.freeFrames() >= freeBefore + 16 * 256, "its 16 MiB are back in the pool");
            toolstack.destroy("storage");
        }
    }

    @Test
    void aDriverDomainBootsNoKernel(@TempDir final Path dir) throws Exception
    {
        final XlConfigException error = assertThrows(XlConfigException.class, () -> read(dir, "dd.cfg",
            "name = \"storage\"", "type = \"pv\"", "driver_domain = 1", "kernel = \"/boot/vmlinuz\""));
        assertTrue(error.getMessage().startsWith(dir.resolve("dd.cfg") + ":4: kernel: a driver domain (line 3) runs " +
            "javisor's back ends in a process of its own"), error.getMessage());
    }

    private static boolean exists(final Hypervisor hv, final String path)
    {
        try
        {
            hv.xenStore().read(Hypervisor.DOM0, path);
            return true;
        }
        catch (final io.javisor.ringio.xenstore.XenStoreException ex)
        {
            return false;
        }
    }

    private static XlConfig read(final Path dir, final String name, final String... lines) throws Exception
    {
        final Path file = Files.write(dir.resolve(name), List.of(lines));
        return new XlConfigReader().read(file, List.of());
    }
}
