package io.javisor.ringio.xenstore;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.javisor.ringio.xenstore.XenDomainIds.DOM0;
import static io.javisor.ringio.xenstore.XenStoreAccess.BOTH;
import static io.javisor.ringio.xenstore.XenStoreAccess.NONE;
import static io.javisor.ringio.xenstore.XenStoreAccess.READ;
import static io.javisor.ringio.xenstore.XenStoreAccess.WRITE;
import static io.javisor.ringio.xenstore.XenStoreAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;

class XenStorePermissionsTest
{
    private static final int GUEST = 3;
    private static final int OTHER_GUEST = 4;
    private static final String GUEST_HOME = "/local/domain/3";
    private static final String OTHER_HOME = "/local/domain/4";

    private final XenStore store = new XenStore();

    @BeforeEach
    void introduceGuests()
    {
        store.introduceDomain(GUEST);
        store.introduceDomain(OTHER_GUEST);
    }

    @Test
    void aGuestReadsAndWritesItsOwnSubtree()
    {
        store.write(GUEST, GUEST_HOME + "/data/key", "value");

        assertEquals("value", store.readString(GUEST, GUEST_HOME + "/data/key"));
        assertEquals(List.of("key"), store.directory(GUEST, GUEST_HOME + "/data"));
    }

    @Test
    void aGuestCanNeitherReadNorWriteAnotherGuestsSubtree()
    {
        store.write(OTHER_GUEST, OTHER_HOME + "/secret", "s3cr3t");

        assertFails(XenStoreError.EACCES, () -> store.read(GUEST, OTHER_HOME + "/secret"));
        assertFails(XenStoreError.EACCES, () -> store.directory(GUEST, OTHER_HOME));
        assertFails(XenStoreError.EACCES, () -> store.write(GUEST, OTHER_HOME + "/secret", "mine"));
        assertFails(XenStoreError.EACCES, () -> store.write(GUEST, OTHER_HOME + "/new/node", "mine"));
        assertFails(XenStoreError.EACCES, () -> store.mkdir(GUEST, OTHER_HOME + "/dir"));
        assertFails(XenStoreError.EACCES, () -> store.rm(GUEST, OTHER_HOME + "/secret"));
        assertFails(XenStoreError.EACCES, () -> store.getPermissions(GUEST, OTHER_HOME + "/secret"));
        assertEquals("s3cr3t", store.readString(OTHER_GUEST, OTHER_HOME + "/secret"));
    }

    @Test
    void aGuestCannotTellWhetherANodeExistsInASubtreeClosedToIt()
    {
        assertFails(XenStoreError.EACCES, () -> store.read(GUEST, OTHER_HOME + "/no/such/node"));
        assertFails(XenStoreError.EACCES, () -> store.read(GUEST, "/local/domain/99/anything"));
        assertFails(XenStoreError.ENOENT, () -> store.read(GUEST, GUEST_HOME + "/no/such/node"));
    }

    @Test
    void aGuestCannotWriteOutsideItsHome()
    {
        assertFails(XenStoreError.EACCES, () -> store.write(GUEST, "/tool/x", "1"));
        assertFails(XenStoreError.EACCES, () -> store.write(GUEST, "/local/domain/3x", "1"));
        assertFails(XenStoreError.EACCES, () -> store.read(GUEST, "/local/domain"));
    }

    @Test
    void dom0ReadsAndWritesEverything()
    {
        store.write(GUEST, GUEST_HOME + "/private", "p");

        assertEquals("p", store.readString(DOM0, GUEST_HOME + "/private"));
        store.write(DOM0, GUEST_HOME + "/private", "changed by dom0");
        assertEquals("changed by dom0", store.readString(GUEST, GUEST_HOME + "/private"));
        store.rm(DOM0, GUEST_HOME + "/private");
        assertFails(XenStoreError.ENOENT, () -> store.read(GUEST, GUEST_HOME + "/private"));
    }

    @Test
    void aReadGrantLetsAnotherDomainReadButNotWrite()
    {
        store.write(OTHER_GUEST, OTHER_HOME + "/shared", "hello");
        store.setPermissions(OTHER_GUEST, OTHER_HOME + "/shared",
            NodePermissions.of(OTHER_GUEST, NONE, new NodePermissions.Grant(GUEST, READ)));

        assertEquals("hello", store.readString(GUEST, OTHER_HOME + "/shared"));
        assertFails(XenStoreError.EACCES, () -> store.write(GUEST, OTHER_HOME + "/shared", "x"));
    }

    @Test
    void aWriteGrantLetsAnotherDomainWriteButNotRead()
    {
        store.write(OTHER_GUEST, OTHER_HOME + "/dropbox", "");
        store.setPermissions(OTHER_GUEST, OTHER_HOME + "/dropbox", NodePermissions.parse("n4", "w3"));

        store.write(GUEST, OTHER_HOME + "/dropbox", "note");

        assertFails(XenStoreError.EACCES, () -> store.read(GUEST, OTHER_HOME + "/dropbox"));
        assertEquals("note", store.readString(OTHER_GUEST, OTHER_HOME + "/dropbox"));
    }

    @Test
    void theDefaultAccessAppliesToDomainsWithoutAGrant()
    {
        store.write(OTHER_GUEST, OTHER_HOME + "/public", "for all");
        store.setPermissions(OTHER_GUEST, OTHER_HOME + "/public", NodePermissions.parse("r4", "n3"));
        store.introduceDomain(5);

        assertEquals("for all", store.readString(5, OTHER_HOME + "/public"));
        assertFails(XenStoreError.EACCES, () -> store.read(GUEST, OTHER_HOME + "/public"));
    }

    @Test
    void newNodesInheritTheirParentsPermissions()
    {
        store.mkdir(OTHER_GUEST, OTHER_HOME + "/exchange");
        store.setPermissions(OTHER_GUEST, OTHER_HOME + "/exchange",
            NodePermissions.of(OTHER_GUEST, NONE, new NodePermissions.Grant(GUEST, READ)));

        store.write(OTHER_GUEST, OTHER_HOME + "/exchange/deep/key", "inherited");

        assertEquals("inherited", store.readString(GUEST, OTHER_HOME + "/exchange/deep/key"));
        assertEquals(List.of("n4", "r3"), store.getPermissions(OTHER_GUEST, OTHER_HOME + "/exchange/deep").toStrings());
    }

    @Test
    void whatAGuestCreatesItOwnsButWhatDom0CreatesKeepsTheParentsOwner()
    {
        store.mkdir(DOM0, "/shared");
        store.setPermissions(DOM0, "/shared", NodePermissions.parse("n0", "b3"));

        store.write(GUEST, "/shared/by-guest", "g");
        store.write(DOM0, "/shared/by-dom0", "d");

        assertEquals(List.of("n3", "b3"), store.getPermissions(DOM0, "/shared/by-guest").toStrings());
        assertEquals(List.of("n0", "b3"), store.getPermissions(DOM0, "/shared/by-dom0").toStrings());
    }

    @Test
    void onlyTheOwnerOrDom0MayChangePermissions()
    {
        store.write(OTHER_GUEST, OTHER_HOME + "/open", "");
        store.setPermissions(OTHER_GUEST, OTHER_HOME + "/open", NodePermissions.parse("n4", "b3"));

        assertFails(XenStoreError.EACCES,
            () -> store.setPermissions(GUEST, OTHER_HOME + "/open", NodePermissions.parse("b4")));

        store.setPermissions(DOM0, OTHER_HOME + "/open", NodePermissions.parse("n4"));
        assertFails(XenStoreError.EACCES, () -> store.read(GUEST, OTHER_HOME + "/open"));
    }

    @Test
    void aGuestMayNotGiveANodeAway()
    {
        store.write(GUEST, GUEST_HOME + "/mine", "");

        assertFails(XenStoreError.EPERM,
            () -> store.setPermissions(GUEST, GUEST_HOME + "/mine", NodePermissions.parse("b4")));
        assertEquals(GUEST, store.getPermissions(GUEST, GUEST_HOME + "/mine").owner());

        store.setPermissions(DOM0, GUEST_HOME + "/mine", NodePermissions.parse("n4"));
        assertEquals(OTHER_GUEST, store.getPermissions(DOM0, GUEST_HOME + "/mine").owner());
    }

    @Test
    void aDomainThatWasNeverIntroducedMayDoNothing()
    {
        assertFails(XenStoreError.EPERM, () -> store.read(7, "/local/domain/7"));
        assertFails(XenStoreError.EPERM, () -> store.write(7, "data", "x"));
        assertFails(XenStoreError.EPERM, () -> store.watch(7, "data", "t", (_, _) -> { }));
        assertFails(XenStoreError.EPERM, () -> store.startTransaction(7));
    }

    @Test
    void invalidDomainIdsAreRejected()
    {
        assertFails(XenStoreError.EINVAL, () -> store.read(-1, "/"));
        assertFails(XenStoreError.EINVAL, () -> store.read(XenDomainIds.FIRST_RESERVED, "/"));
    }

    @Test
    void permissionStringsFollowXensFormat()
    {
        final NodePermissions permissions = NodePermissions.parse("r7", "b0", "n12", "w3");

        assertEquals(7, permissions.owner());
        assertEquals(READ, permissions.defaultAccess());
        assertEquals(List.of("r7", "b0", "n12", "w3"), permissions.toStrings());
        assertEquals(BOTH, permissions.accessFor(7));
        assertEquals(BOTH, permissions.accessFor(DOM0));
        assertEquals(NONE, permissions.accessFor(12));
        assertEquals(WRITE, permissions.accessFor(3));
        assertEquals(READ, permissions.accessFor(99));

        assertFails(XenStoreError.EINVAL, () -> NodePermissions.parse("x3"));
        assertFails(XenStoreError.EINVAL, () -> NodePermissions.parse("r"));
        assertFails(XenStoreError.EINVAL, () -> NodePermissions.parse("r-1"));
        assertFails(XenStoreError.EINVAL, () -> NodePermissions.parse("r99999"));
        assertFails(XenStoreError.EINVAL, () -> NodePermissions.parse(List.of()));
    }
}
