package io.javisor.blkback.image;

/**
 * Byte sizes as users write them: a decimal count with an optional binary suffix, K, M, G or T
 * (case-insensitive, optionally followed by {@code iB} or {@code B}; all powers of 1024).
 */
public final class Sizes
{
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private Sizes()
    {
    }

    /**
     * @return the size in bytes, or -1 when {@code text} is not a size (or overflows a long).
     */
    public static long parse(final String text)
    {
        int digits = 0;
        while (digits < text.length() && text.charAt(digits) >= '0' && text.charAt(digits) <= '9')
        {
            digits++;
        }
        if (digits == 0 || digits > 18)
        {
            return -1;
        }
        final long count = Long.parseLong(text, 0, digits, 10);
        final String suffix = text.substring(digits);
        final int shift = switch (suffix.isEmpty() ? ' ' : Character.toUpperCase(suffix.charAt(0)))
        {
            case ' ' -> 0;
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> -1;
        };
        if (shift < 0)
        {
            return -1;
        }
        final String tail = suffix.isEmpty() ? "" : suffix.substring(1);
        if (!(tail.isEmpty() || tail.equals("B") || tail.equals("iB")))
        {
            return -1;
        }
        if (shift > 0 && count > (Long.MAX_VALUE >>> shift))
        {
            return -1;
        }
        return count << shift;
    }

    /**
     * The largest whole binary unit: {@code 64 MiB}, {@code 1536 KiB}, {@code 1000 bytes}.
     */
    public static String format(final long bytes)
    {
        if (bytes > 0)
        {
            for (int i = UNITS.length - 1; i >= 0; i--)
            {
                final int shift = 10 * (i + 1);
                if ((bytes & ((1L << shift) - 1)) == 0)
                {
                    return (bytes >>> shift) + " " + UNITS[i];
                }
            }
        }
        return bytes + " bytes";
    }
}
