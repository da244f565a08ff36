package io.javisor.ringio.xenstore;

/**
 * The access one domain has to a node, written as the single letter Xen's permission strings use.
 */
public enum XenStoreAccess
{
    NONE('n', false, false),
    READ('r', true, false),
    WRITE('w', false, true),
    BOTH('b', true, true);

    private final char letter;
    private final boolean canRead;
    private final boolean canWrite;

    XenStoreAccess(final char letter, final boolean canRead, final boolean canWrite)
    {
        this.letter = letter;
        this.canRead = canRead;
        this.canWrite = canWrite;
    }

    /**
     * @return the letter for this access in a permission string: n, r, w or b.
     */
    public char letter()
    {
        return letter;
    }

    public boolean canRead()
    {
        return canRead;
    }

    public boolean canWrite()
    {
        return canWrite;
    }

    /**
     * @param letter n, r, w or b.
     * @return the access the letter stands for.
     * @throws XenStoreException EINVAL for any other letter.
     */
    public static XenStoreAccess fromLetter(final char letter)
    {
        return switch (letter)
        {
            case 'n' -> NONE;
            case 'r' -> READ;
            case 'w' -> WRITE;
            case 'b' -> BOTH;
            default -> throw new XenStoreException(XenStoreError.EINVAL, "unknown access letter '" + letter + "'");
        };
    }
}
