package io.javisor.ringio.xenstore;

import java.util.ArrayList;
import java.util.List;

/**
 * The access control list of a node, as Xen keeps it: an owner, the access every other domain
 * gets by default, and grants that give particular domains a different access.
 * <p>
 * In Xen's string form ({@link #toStrings()}, {@link #parse(List)}) the first entry is the owner's
 * id with the default access, e.g. {@code ["n3", "r0"]}: owned by domain 3, nobody else may read or
 * write, except domain 0 which may read.
 * <p>
 * Rules, in the order {@link #accessFor(int)} applies them: a privileged domain may do anything; the
 * owner may read and write; the first grant naming the domain decides; otherwise the default.
 *
 * @param owner         the domain that owns the node; it alone (or dom0) may change the permissions.
 * @param defaultAccess access for any domain that is neither the owner nor named by a grant.
 * @param grants        per-domain exceptions to the default.
 */
public record NodePermissions(int owner, XenStoreAccess defaultAccess, List<Grant> grants)
{
    /**
     * A domain given an access different from the default.
     *
     * @param domid  the domain.
     * @param access what it may do.
     */
    public record Grant(int domid, XenStoreAccess access)
    {
        public Grant
        {
            XenDomainIds.requireValid(domid);
            if (null == access)
            {
                throw new XenStoreException(XenStoreError.EINVAL, "grant without access");
            }
        }

        @Override
        public String toString()
        {
            return String.valueOf(access.letter()) + domid;
        }
    }

    public NodePermissions
    {
        XenDomainIds.requireValid(owner);
        if (null == defaultAccess)
        {
            throw new XenStoreException(XenStoreError.EINVAL, "no default access");
        }
        grants = List.copyOf(grants);
    }

    /**
     * @param owner         the owning domain.
     * @param defaultAccess what other domains may do.
     * @param grants        exceptions for particular domains.
     * @return the permissions.
     */
    public static NodePermissions of(final int owner, final XenStoreAccess defaultAccess, final Grant... grants)
    {
        return new NodePermissions(owner, defaultAccess, List.of(grants));
    }

    /**
     * Parse Xen's string form, one entry per element: an access letter followed by a domain id.
     *
     * @param entries at least one entry; the first names the owner and the default access.
     * @return the permissions.
     * @throws XenStoreException EINVAL when an entry is malformed or the list is empty.
     */
    public static NodePermissions parse(final List<String> entries)
    {
        if (entries.isEmpty())
        {
            throw new XenStoreException(XenStoreError.EINVAL, "empty permission list");
        }
        final Grant first = parseEntry(entries.get(0));
        final List<Grant> grants = new ArrayList<>(entries.size() - 1);
        for (int i = 1; i < entries.size(); i++)
        {
            grants.add(parseEntry(entries.get(i)));
        }
        return new NodePermissions(first.domid(), first.access(), grants);
    }

    /**
     * @param entries see {@link #parse(List)}.
     * @return the permissions.
     */
    public static NodePermissions parse(final String... entries)
    {
        return parse(List.of(entries));
    }

    /**
     * @return Xen's string form: the owner entry first, then one entry per grant.
     */
    public List<String> toStrings()
    {
        final List<String> strings = new ArrayList<>(1 + grants.size());
        strings.add(String.valueOf(defaultAccess.letter()) + owner);
        for (final Grant grant : grants)
        {
            strings.add(grant.toString());
        }
        return strings;
    }

    /**
     * @return how many entries the string form has: one for the owner plus one per grant.
     */
    public int entryCount()
    {
        return 1 + grants.size();
    }

    /**
     * @param domid the domain asking.
     * @return what that domain may do with the node.
     */
    public XenStoreAccess accessFor(final int domid)
    {
        if (XenDomainIds.isPrivileged(domid) || domid == owner)
        {
            return XenStoreAccess.BOTH;
        }
        for (final Grant grant : grants)
        {
            if (grant.domid() == domid)
            {
                return grant.access();
            }
        }
        return defaultAccess;
    }

    /**
     * @param newOwner the domain to own the node.
     * @return these permissions with the owner replaced and everything else kept.
     */
    public NodePermissions withOwner(final int newOwner)
    {
        return newOwner == owner ? this : new NodePermissions(newOwner, defaultAccess, grants);
    }

    /**
     * Forget a domain that no longer exists, so that a later domain reusing its id inherits nothing:
     * nodes it owned pass to dom0 and its grants are dropped.
     *
     * @param domid the domain that went away.
     * @return these permissions without any mention of the domain, or this when there was none.
     */
    public NodePermissions withoutDomain(final int domid)
    {
        boolean mentioned = owner == domid;
        final List<Grant> kept = new ArrayList<>(grants.size());
        for (final Grant grant : grants)
        {
            if (grant.domid() == domid)
            {
                mentioned = true;
            }
            else
            {
                kept.add(grant);
            }
        }
        return mentioned ? new NodePermissions(owner == domid ? XenDomainIds.DOM0 : owner, defaultAccess, kept) : this;
    }

    @Override
    public String toString()
    {
        return String.join(",", toStrings());
    }

    private static Grant parseEntry(final String entry)
    {
        if (null == entry || entry.length() < 2 || entry.length() > 6)
        {
            throw new XenStoreException(XenStoreError.EINVAL, "malformed permission entry: " + entry);
        }
        final XenStoreAccess access = XenStoreAccess.fromLetter(entry.charAt(0));
        int domid = 0;
        for (int i = 1; i < entry.length(); i++)
        {
            final char c = entry.charAt(i);
            if (c < '0' || c > '9')
            {
                throw new XenStoreException(XenStoreError.EINVAL, "malformed permission entry: " + entry);
            }
            domid = domid * 10 + (c - '0');
        }
        return new Grant(domid, access);
    }
}
