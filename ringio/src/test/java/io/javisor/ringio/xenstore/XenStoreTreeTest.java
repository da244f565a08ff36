package io.javisor.ringio.xenstore;

import java.util.List;

import org.junit.jupiter.api.Test;

import static io.javisor.ringio.xenstore.XenDomainIds.DOM0;
import static io.javisor.ringio.xenstore.XenStoreAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class XenStoreTreeTest
{
    private final XenStore store = new XenStore();

    @Test
    void startsWithLocalDomain()
    {
        assertEquals(List.of("local"), store.directory(DOM0, "/"));
        assertEquals(List.of("domain"), store.directory(DOM0, "/local"));
    }

    @Test
    void writeCreatesMissingParentsWithEmptyValues()
    {
        store.write(DOM0, "/a/b/c", "leaf");

        assertEquals("leaf", store.readString(DOM0, "/a/b/c"));
        assertEquals("", store.readString(DOM0, "/a/b"));
        assertEquals(List.of("b"), store.directory(DOM0, "/a"));
    }

    @Test
    void writeReplacesTheValueOfAnExistingNode()
    {
        store.write(DOM0, "/a", "one");
        store.write(DOM0, "/a", "two");

        assertEquals("two", store.readString(DOM0, "/a"));
    }

    @Test
    void valuesAreByteStringsAndTheStoreKeepsItsOwnCopy()
    {
        final byte[] value = {0, -1, (byte)0xC3, 0x28, 127};
        store.write(DOM0, "/bin", value);
        value[0] = 42;

        final byte[] read = store.read(DOM0, "/bin");
        assertArrayEquals(new byte[]{0, -1, (byte)0xC3, 0x28, 127}, read);
        read[1] = 42;
        assertArrayEquals(new byte[]{0, -1, (byte)0xC3, 0x28, 127}, store.read(DOM0, "/bin"));
    }

    @Test
    void directoryListsChildrenInCreationOrder()
    {
        store.write(DOM0, "/d/zeta", "");
        store.write(DOM0, "/d/alpha", "");
        store.mkdir(DOM0, "/d/mid");

        assertEquals(List.of("zeta", "alpha", "mid"), store.directory(DOM0, "/d"));
    }

    @Test
    void mkdirCreatesAnEmptyNodeAndLeavesAnExistingOneAlone()
    {
        store.mkdir(DOM0, "/m/n");
        assertEquals("", store.readString(DOM0, "/m/n"));

        store.write(DOM0, "/m/n", "kept");
        store.mkdir(DOM0, "/m/n");
        assertEquals("kept", store.readString(DOM0, "/m/n"));
    }

    @Test
    void rmRemovesTheWholeSubtree()
    {
        store.write(DOM0, "/r/a/b", "1");
        store.write(DOM0, "/r/a/c", "2");
        store.write(DOM0, "/r/keep", "3");

        store.rm(DOM0, "/r/a");

        assertEquals(List.of("keep"), store.directory(DOM0, "/r"));
        assertFails(XenStoreError.ENOENT, () -> store.read(DOM0, "/r/a/b"));
    }

    @Test
    void rmOfAMissingNodeSucceedsWhenItsParentExistsAndFailsOtherwise()
    {
        store.mkdir(DOM0, "/p");

        store.rm(DOM0, "/p/never");

        assertFails(XenStoreError.ENOENT, () -> store.rm(DOM0, "/nothing/here"));
    }

    @Test
    void theRootCannotBeRemoved()
    {
        assertFails(XenStoreError.EINVAL, () -> store.rm(DOM0, "/"));
    }

    @Test
    void readingOrListingAMissingNodeFailsWithEnoent()
    {
        assertFails(XenStoreError.ENOENT, () -> store.read(DOM0, "/missing"));
        assertFails(XenStoreError.ENOENT, () -> store.directory(DOM0, "/missing"));
        assertFails(XenStoreError.ENOENT, () -> store.getPermissions(DOM0, "/missing"));
    }
}
