package io.javisor.ringio.xenstore;

/**
 * The rules for XenStore path names, and the arithmetic on them.
 * <p>
 * A path is absolute ({@code /local/domain/3/name}) or relative to the caller's home
 * {@code /local/domain/<domid>} ({@code device/vbd/51712} seen from domain 3 is
 * {@code /local/domain/3/device/vbd/51712}), as in Xen. It uses only letters, digits and
 * {@code / _ @ - .}; it has no empty component ({@code //}) and no trailing {@code /} (except the
 * root {@code /} itself). An absolute path is at most {@link #ABSOLUTE_PATH_MAX} characters, a
 * relative one at most {@link #RELATIVE_PATH_MAX}, the limits of Xen's {@code xs_wire.h}. Names that
 * begin with {@code @} are the special watch paths, never nodes.
 */
public final class XenStorePaths
{
    /** Xen's XENSTORE_ABS_PATH_MAX. */
    public static final int ABSOLUTE_PATH_MAX = 3072;

    /** Xen's XENSTORE_REL_PATH_MAX. */
    public static final int RELATIVE_PATH_MAX = 2048;

    /** The root of the tree. */
    public static final String ROOT = "/";

    /** Fires when a domain is introduced to the store. */
    public static final String INTRODUCE_DOMAIN = "@introduceDomain";

    /** Fires when a domain is released from the store. */
    public static final String RELEASE_DOMAIN = "@releaseDomain";

    private static final String DOMAIN_PREFIX = "/local/domain/";

    private XenStorePaths()
    {
    }

    /**
     * @param domid a domain.
     * @return the home of the domain's subtree, {@code /local/domain/<domid>}.
     */
    public static String domainPath(final int domid)
    {
        return DOMAIN_PREFIX + domid;
    }

    /**
     * Check a path and make it absolute, resolving a relative one against the caller's home.
     *
     * @param domid the caller.
     * @param path  the path as the caller gave it.
     * @return the absolute path.
     * @throws XenStoreException EINVAL when the path breaks the rules of this class or names a special
     *                           path.
     */
    public static String canonicalize(final int domid, final String path)
    {
        if (null == path || path.isEmpty())
        {
            throw invalid("empty path", path);
        }
        if (path.charAt(0) == '@')
        {
            throw invalid("special paths name no node", path);
        }
        final boolean relative = path.charAt(0) != '/';
        if (path.length() > (relative ? RELATIVE_PATH_MAX : ABSOLUTE_PATH_MAX))
        {
            throw invalid("path too long", path);
        }
        checkCharacters(path);
        final String absolute = relative ? domainPath(domid) + '/' + path : path;
        if (absolute.length() > ABSOLUTE_PATH_MAX)
        {
            throw invalid("path too long", path);
        }
        return absolute;
    }

    /**
     * Check the path of a watch: a node path as for {@link #canonicalize(int, String)} or one of the
     * special paths {@link #INTRODUCE_DOMAIN} and {@link #RELEASE_DOMAIN}.
     *
     * @param domid the watcher.
     * @param path  the path as the watcher gave it.
     * @return the absolute path, or the special path unchanged.
     */
    public static String canonicalizeWatchPath(final int domid, final String path)
    {
        if (isSpecial(path))
        {
            return path;
        }
        return canonicalize(domid, path);
    }

    /**
     * @param path a path.
     * @return true when it is one of the special watch paths.
     */
    public static boolean isSpecial(final String path)
    {
        return INTRODUCE_DOMAIN.equals(path) || RELEASE_DOMAIN.equals(path);
    }

    /**
     * @param absolutePath a canonical absolute path other than the root.
     * @return the path of its parent.
     */
    public static String parent(final String absolutePath)
    {
        final int slash = absolutePath.lastIndexOf('/');
        return slash == 0 ? ROOT : absolutePath.substring(0, slash);
    }

    /**
     * @param absolutePath a canonical absolute path.
     * @return its components; none for the root.
     */
    public static String[] components(final String absolutePath)
    {
        return ROOT.equals(absolutePath) ? new String[0] : absolutePath.substring(1).split("/");
    }

    /**
     * @param ancestor   a canonical absolute path.
     * @param descendant a canonical absolute path.
     * @return true when {@code descendant} is {@code ancestor} or lies below it.
     */
    public static boolean isAncestorOrSelf(final String ancestor, final String descendant)
    {
        if (ROOT.equals(ancestor))
        {
            return true;
        }
        return descendant.startsWith(ancestor) &&
            (descendant.length() == ancestor.length() || descendant.charAt(ancestor.length()) == '/');
    }

    /**
     * Express a path as a domain that used relative paths sees it: without its home prefix when the
     * path lies below its home, unchanged otherwise.
     *
     * @param domid        the domain.
     * @param absolutePath a canonical absolute path.
     * @return the path relative to the domain's home where possible.
     */
    public static String relativeTo(final int domid, final String absolutePath)
    {
        final String home = domainPath(domid);
        if (absolutePath.length() > home.length() + 1 && absolutePath.startsWith(home) &&
            absolutePath.charAt(home.length()) == '/')
        {
            return absolutePath.substring(home.length() + 1);
        }
        return absolutePath;
    }

    private static void checkCharacters(final String path)
    {
        char previous = 0;
        for (int i = 0, length = path.length(); i < length; i++)
        {
            final char c = path.charAt(i);
            final boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '/' || c == '_' || c == '@' || c == '-' || c == '.';
            if (!allowed)
            {
                throw invalid("character not allowed", path);
            }
            if (c == '/' && previous == '/')
            {
                throw invalid("empty path component", path);
            }
            previous = c;
        }
        if (previous == '/' && path.length() > 1)
        {
            throw invalid("trailing '/'", path);
        }
    }

    private static XenStoreException invalid(final String reason, final String path)
    {
        final String shown = null == path || path.length() <= 80 ? String.valueOf(path) : path.substring(0, 80) + "...";
        return new XenStoreException(XenStoreError.EINVAL, reason + ": " + shown);
    }
}
