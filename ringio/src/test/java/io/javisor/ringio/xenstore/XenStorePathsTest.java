package io.javisor.ringio.xenstore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.javisor.ringio.xenstore.XenDomainIds.DOM0;
import static io.javisor.ringio.xenstore.XenStoreAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XenStorePathsTest
{
    private final XenStore store = new XenStore();

    @ParameterizedTest
    @ValueSource(strings = {"/", "/local/domain/3/device/vbd/51712/state", "/a_b-c.d@e", "/A/Z/0/9"})
    void acceptsPathsOfLettersDigitsAndXenPunctuation(final String path)
    {
        assertEquals(path, XenStorePaths.canonicalize(DOM0, path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/a//b", "/a/", "//", "/a b", "/a*", "/a\u00e9", "/a\0b", "@introduceDomain", "@anything"})
    void rejectsMalformedPathsWithEinval(final String path)
    {
        assertFails(XenStoreError.EINVAL, () -> store.write(DOM0, path, "x"));
        assertFails(XenStoreError.EINVAL, () -> store.read(DOM0, path));
    }

    @Test
    void absolutePathsMayBeAtMost3072Characters()
    {
        final String longest = longPath(XenStorePaths.ABSOLUTE_PATH_MAX);
        store.write(DOM0, longest, "fits");
        assertEquals("fits", store.readString(DOM0, longest));

        assertFails(XenStoreError.EINVAL, () -> store.write(DOM0, longPath(XenStorePaths.ABSOLUTE_PATH_MAX + 1), "x"));
    }

    @Test
    void relativePathsResolveAgainstTheCallersHome()
    {
        store.introduceDomain(3);
        store.write(3, "device/vbd/51712/state", "1");

        assertEquals("1", store.readString(DOM0, "/local/domain/3/device/vbd/51712/state"));
        assertEquals("/local/domain/3/data", XenStorePaths.canonicalize(3, "data"));
    }

    @Test
    void relativePathsMayBeAtMost2048Characters()
    {
        store.introduceDomain(3);
        final String tooLong = "a".repeat(XenStorePaths.RELATIVE_PATH_MAX + 1);

        assertFails(XenStoreError.EINVAL, () -> store.write(3, tooLong, "x"));
    }

    @Test
    void knowsAncestryAndParents()
    {
        assertTrue(XenStorePaths.isAncestorOrSelf("/a/b", "/a/b/c"));
        assertTrue(XenStorePaths.isAncestorOrSelf("/a/b", "/a/b"));
        assertTrue(XenStorePaths.isAncestorOrSelf("/", "/a"));
        assertFalse(XenStorePaths.isAncestorOrSelf("/a/b", "/a/bc"));
        assertEquals("/a", XenStorePaths.parent("/a/b"));
        assertEquals("/", XenStorePaths.parent("/a"));
        assertEquals("device/vbd", XenStorePaths.relativeTo(3, "/local/domain/3/device/vbd"));
        assertEquals("/local/domain/30/x", XenStorePaths.relativeTo(3, "/local/domain/30/x"));
    }

    private static String longPath(final int length)
    {
        final StringBuilder path = new StringBuilder();
        while (path.length() < length)
        {
            final int componentLength = Math.min(60, length - path.length() - 1);
            path.append('/').append("component".repeat(10), 0, componentLength);
        }
        return path.toString();
    }
}
