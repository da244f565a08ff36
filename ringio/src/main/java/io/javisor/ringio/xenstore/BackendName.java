package io.javisor.ringio.xenstore;

import java.util.regex.Pattern;

/**
 * The name of the domain that serves a device, as xl's disk and vif specs give it ({@code backend=NAME}):
 * a domain name usable as a xenstore path element. Constants and a check; stateless.
 */
public final class BackendName
{
    /** What a valid name is, for an error message: "is not ...". */
    public static final String RULE = "is not 1 to 64 letters, digits, '_', '-' or '.'";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private BackendName()
    {
    }

    public static boolean isValid(final String name)
    {
        return name != null && NAME.matcher(name).matches();
    }
}
