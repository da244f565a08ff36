package io.javisor.core;

import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GrantCopy;
import io.javisor.memory.GrantStatus;
import io.javisor.memory.GrantTables;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.GuestMemoryFault;
import io.javisor.memory.HostMemoryWindow;
import io.javisor.memory.MachineMemory;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.console.ConsoleRing;
import io.javisor.ringio.event.EventChannelHub;
import io.javisor.ringio.xenstore.XenStore;
import io.javisor.ringio.xenstore.XenStoreError;
import io.javisor.ringio.xenstore.XenStoreException;
import io.javisor.ringio.xenstore.XenbusDevice;
import io.javisor.ringio.xenstore.XenbusDevice.Side;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two guests on one hypervisor, each holding only its own {@link Domain#resources()}: every attempt
 * by guest A to reach guest B's memory, grants, event channels, xenstore nodes or console without a
 * grant is refused with the Xen error code, and B's data is intact afterwards.
 */
class GuestIsolationTest
{
    private static final byte[] SECRET = "guest B's secret, granted to nobody".getBytes(StandardCharsets.US_ASCII);
    /** Xen's reserved grant reference for the console page (GNTTAB_RESERVED_CONSOLE). */
    private static final int CONSOLE_REF = 0;
    private static final int EINVAL = -22;
    private static final int ESRCH = -3;

    private Hypervisor hypervisor;
    private Domain domA;
    private Domain domB;
    private DomainResources a;
    private DomainResources b;

    @BeforeEach
    void twoGuests()
    {
        hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128));
        domA = hypervisor.createDomain(DomainConfig.pv("a", 4));
        domB = hypervisor.createDomain(DomainConfig.pv("b", 4));
        a = domA.resources();
        b = domB.resources();
        for (long gpa = 0; gpa + SECRET.length <= b.memory().size(); gpa += 4096)
        {
            b.memory().putBytes(gpa, SECRET, 0, SECRET.length);
        }
    }

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @Test
    void theGuestTypeExposesNoPrivilegedObject()
    {
        // What the compiler keeps apart: nothing reachable from a guest's resources is machine-wide.
        final Set<Class<?>> privileged = Set.of(HostMemoryWindow.class, MachineMemory.class, FrameAllocator.class,
            GrantTables.class, EventChannelHub.class, XenStore.class, Hypervisor.class);
        for (final RecordComponent component : DomainResources.class.getRecordComponents())
        {
            assertFalse(privileged.contains(component.getType()), component + " is privileged");
            assertFalse(java.util.function.Supplier.class.isAssignableFrom(component.getType()), component.toString());
        }
        for (final RecordComponent component : DomainResources.class.getRecordComponents())
        {
            for (final Method method : component.getType().getMethods())
            {
                if (Modifier.isPublic(method.getModifiers()))
                {
                    assertFalse(privileged.contains(method.getReturnType()),
                        component.getName() + "." + method.getName() + " hands out " + method.getReturnType());
                }
            }
        }
    }

    @Test
    void memoryAGuestSeesIsItsOwnOnly()
    {
        final GuestMemory memory = a.memory();
        assertEquals(domA.id(), memory.domid());
        final byte[] page = new byte[4096];
        for (long gpa = 0; gpa < memory.size(); gpa += page.length)
        {
            memory.getBytes(gpa, page, 0, page.length);
            assertEquals(-1, indexOf(page, SECRET), "B's data visible in A's memory at " + gpa);
        }
        assertThrows(GuestMemoryFault.class, () -> memory.getByte(memory.size()));
        assertThrows(GuestMemoryFault.class, () -> memory.putLong(-8, 0L));
        assertThrows(GuestMemoryFault.class, () -> memory.getBytes(memory.size() - 1, page, 0, 2));
        assertFalse(memory.wrapFrame(memory.frameCount(), new UnsafeBuffer(0, 0)));
        assertEquals(-1, memory.guestPhysicalAddressOf(addressOfFirstFrame(b.memory())),
            "B's frames are no address of A's");
        assertSecretIntact();
    }

    @Test
    void grantsAGuestReachesOnlyWhatWasGrantedToIt()
    {
        final int toDom0 = b.grantReferences().claim();
        final long gpfn = b.pages().allocate();
        b.memory().putBytes(gpfn * 4096, SECRET, 0, SECRET.length);
        b.grantTable().grantAccess(toDom0, Hypervisor.DOM0, gpfn, false);

        // Xen answers a grant made out to another domain with GNTST_general_error ("bad flags or dom").
        assertEquals(GrantStatus.GENERAL_ERROR, a.grantMapper().map(domB.id(), toDom0, true),
            "a grant to dom0 is not a grant to A");
        assertTrue(a.grantMapper().map(domB.id(), toDom0 + 1, true) < 0, "an unused reference");
        assertTrue(a.grantMapper().map(domB.id(), -1, true) < 0, "a negative reference");
        assertTrue(a.grantMapper().map(domB.id(), 1 << 30, true) < 0, "a reference past the table");

        final GrantCopy steal = new GrantCopy().sourceGrant(domB.id(), toDom0, 0).destLocal(0, 0).length(SECRET.length);
        assertTrue(a.grantMapper().copy(steal) < 0, "grant copy out of a grant to someone else");
        final GrantCopy scribble = new GrantCopy().sourceLocal(0, 0).destGrant(domB.id(), toDom0, 0).length(SECRET.length);
        assertTrue(a.grantMapper().copy(scribble) < 0, "grant copy into a grant to someone else");
        assertEquals(GrantStatus.OKAY, hypervisor.dom0().grantMapper().copy(
            new GrantCopy().sourceGrant(domB.id(), toDom0, 0).destLocal(0, 0).length(SECRET.length)),
            "the grantee itself may copy");
        final byte[] got = new byte[SECRET.length];
        b.memory().getBytes(gpfn * 4096, got, 0, got.length);
        assertArrayEquals(SECRET, got);
        assertSecretIntact();
    }

    @Test
    void eventChannelsAGuestBindsOnlyPortsOfferedToIt()
    {
        final int offeredToDom0 = b.eventChannels().allocUnbound(Hypervisor.DOM0);
        assertTrue(offeredToDom0 > 0);
        assertEquals(EINVAL, a.eventChannels().bindInterdomain(domB.id(), offeredToDom0),
            "a port offered to dom0 is not A's to bind");
        assertEquals(EINVAL, a.eventChannels().bindInterdomain(domB.id(), 4095));
        assertEquals(ESRCH, a.eventChannels().bindInterdomain(0x7FF0 - 1, 1), "no such domain");
        assertTrue(a.eventChannels().send(offeredToDom0) < 0, "A has no such port of its own");
        assertFalse(b.eventChannels().isPending(offeredToDom0), "nothing reached B's port");
        final int bound = hypervisor.dom0().eventChannels().bindInterdomain(domB.id(), offeredToDom0);
        assertTrue(bound > 0, "the domain it was offered to binds it");
    }

    @Test
    void xenstoreAGuestActsAsItselfOnly()
    {
        hypervisor.xenStore().write(0, domB.xenstoreHome() + "/data/secret", "b's");
        assertEquals(domA.id(), a.xenStore().domid());
        assertXenStoreError(XenStoreError.EACCES, () -> a.xenStore().read(domB.xenstoreHome() + "/data/secret"));
        assertXenStoreError(XenStoreError.EACCES, () -> a.xenStore().write(domB.xenstoreHome() + "/data/secret", "a's"));
        assertXenStoreError(XenStoreError.EACCES, () -> a.xenStore().rm(domB.xenstoreHome()));
        assertXenStoreError(XenStoreError.EACCES, () -> a.xenStore().write("/local/domain/0/backend/vbd/9/1/state", "4"));
        assertXenStoreError(XenStoreError.EACCES, () -> a.xenStore().mkdir("/local/domain/0/backend"));
        assertXenStoreError(XenStoreError.EACCES, () -> a.xenStore().write("/tool/javisor", "x"));
        assertXenStoreError(XenStoreError.EINVAL,
            () -> new XenbusDevice(a.xenStore(), "vbd", domB.id(), Hypervisor.DOM0, 51712));
        final XenbusDevice own = new XenbusDevice(a.xenStore(), "vbd", domA.id(), Hypervisor.DOM0, 51712);
        assertXenStoreError(XenStoreError.EACCES, own::create);
        assertXenStoreError(XenStoreError.EACCES, () -> own.write(Side.BACKEND, "state", "4"));
        assertEquals("b's", hypervisor.xenStore().readString(0, domB.xenstoreHome() + "/data/secret"));
        assertEquals(List.of(), hypervisor.xenStore().directory(0, "/local/domain/0").stream()
            .filter(n -> n.equals("backend")).toList(), "no back-end directory was created by a guest");
    }

    @Test
    void consoleAGuestCannotReachAnotherGuestsConsolePage()
    {
        final long page = b.pages().allocate();
        final UnsafeBuffer ring = new UnsafeBuffer(0, 0);
        assertTrue(b.memory().wrapFrame(page, ring));
        ConsoleRing.initialise(ring);
        final byte[] line = "boot ok\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(line.length, ConsoleRing.guestEnd(ring).out().write(line, 0, line.length));
        b.grantTable().grantAccess(CONSOLE_REF, Hypervisor.DOM0, page, false);

        assertEquals(GrantStatus.GENERAL_ERROR, a.grantMapper().map(domB.id(), CONSOLE_REF, false));
        assertTrue(a.grantMapper().copy(new GrantCopy().sourceLocal(0, 0).destGrant(domB.id(), CONSOLE_REF, 1024)
            .length(line.length)) < 0, "A cannot write into B's console output");

        final int handle = hypervisor.dom0().grantMapper().map(domB.id(), CONSOLE_REF, false);
        assertTrue(handle >= 0, "the console back end (dom0) maps it");
        final UnsafeBuffer mapped = new UnsafeBuffer(0, 0);
        assertTrue(hypervisor.dom0().grantMapper().wrap(handle, mapped));
        final byte[] read = new byte[64];
        final int n = ConsoleRing.backendEnd(mapped).out().read(read, 0, read.length);
        assertArrayEquals(line, Arrays.copyOf(read, n), "B's console output is intact");
        assertEquals(GrantStatus.OKAY, hypervisor.dom0().grantMapper().unmap(handle));
    }

    @Test
    void memoryOfADestroyedDomainRefusesEveryAccess()
    {
        final GuestMemory stale = a.memory();
        assertTrue(hypervisor.destroyDomain(domA.id()));
        assertThrows(IllegalStateException.class, () -> stale.getLong(0));
        assertThrows(IllegalStateException.class, () -> stale.putBytes(0, SECRET, 0, SECRET.length));
        assertFalse(stale.wrapFrame(0, new UnsafeBuffer(0, 0)));
        // A new domain may now hold those frames; it must find none of A's writes.
        final Domain reuse = hypervisor.createDomain(DomainConfig.pv("reuse", 4));
        assertEquals(0L, reuse.resources().memory().getLong(0));
        hypervisor.close();
        final GuestMemory afterClose = reuse.resources().memory();
        assertThrows(IllegalStateException.class, () -> afterClose.getInt(0), "not a JVM crash after close");
    }

    private void assertSecretIntact()
    {
        final byte[] got = new byte[SECRET.length];
        for (long gpa = 0; gpa + SECRET.length <= b.memory().size(); gpa += 4096)
        {
            b.memory().getBytes(gpa, got, 0, got.length);
            assertArrayEquals(SECRET, got, "B's memory at " + gpa);
        }
    }

    private static void assertXenStoreError(final XenStoreError expected, final Runnable attempt)
    {
        final XenStoreException ex = assertThrows(XenStoreException.class, attempt::run);
        assertEquals(expected, ex.error(), ex.getMessage());
    }

    private static long addressOfFirstFrame(final GuestMemory memory)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
        memory.wrapFrame(0, frame);
        return frame.addressOffset();
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
