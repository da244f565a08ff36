package io.javisor.core.toolstack.config;

import java.util.EnumSet;
import java.util.Set;

/**
 * The keys javisor reads from a config, the kind of value each takes and the guest types each
 * applies to. Immutable (an enum). Any other key is an error, never ignored.
 */
public enum XlKey
{
    NAME("name", Kind.TEXT, allTypes(), null),
    TYPE("type", Kind.TEXT, allTypes(), null),
    MEMORY("memory", Kind.NUMBER, allTypes(), null),
    VCPUS("vcpus", Kind.NUMBER, EnumSet.of(GuestType.PV, GuestType.HVM), Reasons.NO_VCPU),
    CPU_WEIGHT("cpu_weight", Kind.NUMBER, EnumSet.of(GuestType.PV, GuestType.HVM), Reasons.NO_VCPU),
    CAP("cap", Kind.NUMBER, EnumSet.of(GuestType.PV, GuestType.HVM), Reasons.NO_VCPU),
    KERNEL("kernel", Kind.TEXT, EnumSet.of(GuestType.PV, GuestType.HVM), Reasons.NO_KERNEL),
    RAMDISK("ramdisk", Kind.TEXT, EnumSet.of(GuestType.PV, GuestType.HVM), Reasons.NO_KERNEL),
    CMDLINE("cmdline", Kind.TEXT, EnumSet.of(GuestType.PV, GuestType.HVM), Reasons.NO_KERNEL),
    ROOT("root", Kind.TEXT, EnumSet.of(GuestType.PV, GuestType.HVM), Reasons.NO_KERNEL),
    EXTRA("extra", Kind.TEXT, EnumSet.of(GuestType.PV, GuestType.HVM), Reasons.NO_KERNEL),
    BIOS("bios", Kind.TEXT, EnumSet.of(GuestType.HVM),
        "only an hvm guest chooses its firmware; pv guests always start under javisor's builtin one"),
    CLASS("class", Kind.TEXT, EnumSet.of(GuestType.JAVA), Reasons.JAVA_ONLY),
    CLASSPATH("classpath", Kind.LIST, EnumSet.of(GuestType.JAVA), Reasons.JAVA_ONLY),
    DISK("disk", Kind.LIST, allTypes(), null),
    VIF("vif", Kind.LIST, allTypes(), null),
    ON_POWEROFF("on_poweroff", Kind.TEXT, allTypes(), null),
    ON_REBOOT("on_reboot", Kind.TEXT, allTypes(), null),
    ON_CRASH("on_crash", Kind.TEXT, allTypes(), null),
    DEVICE_MODEL_STUBDOMAIN_OVERRIDE("device_model_stubdomain_override", Kind.NUMBER, EnumSet.of(GuestType.HVM),
        "only an hvm guest has emulated device models to put in a stub domain"),
    DRIVER_DOMAIN("driver_domain", Kind.NUMBER, EnumSet.of(GuestType.PV),
        "a driver domain is a pv domain (its back ends run in a javisor process of their own)");

    /** The kind of value a key takes. */
    public enum Kind
    {
        TEXT("a string"), NUMBER("a number"), LIST("a list");

        private final String description;

        Kind(final String description)
        {
            this.description = description;
        }

        public String description()
        {
            return description;
        }
    }

    private static final class Reasons
    {
        static final String NO_VCPU = "a java guest has no vCPU, its code runs on JVM threads";
        static final String NO_KERNEL = "a java guest runs its class, it has no kernel";
        static final String JAVA_ONLY = "only a java guest has a class and a classpath";
    }

    private final String xlName;
    private final Kind kind;
    private final Set<GuestType> types;
    private final String whyNot;

    XlKey(final String xlName, final Kind kind, final Set<GuestType> types, final String whyNot)
    {
        this.xlName = xlName;
        this.kind = kind;
        this.types = types;
        this.whyNot = whyNot;
    }

    private static Set<GuestType> allTypes()
    {
        return EnumSet.allOf(GuestType.class);
    }

    public String xlName()
    {
        return xlName;
    }

    public Kind kind()
    {
        return kind;
    }

    public boolean appliesTo(final GuestType type)
    {
        return types.contains(type);
    }

    /** Why this key does not apply to {@code type}, for an error message. */
    String whyNot(final GuestType type)
    {
        return "does not apply to a " + type.xlName() + " guest (" + whyNot + ")";
    }

    /** The key named {@code xlName} exactly (keys are case-sensitive), or null. */
    public static XlKey fromXlName(final String xlName)
    {
        for (final XlKey key : values())
        {
            if (key.xlName.equals(xlName))
            {
                return key;
            }
        }
        return null;
    }

    /**
     * Why {@code name} is not a key, with the known key it most likely misspells.
     */
    static String unknown(final String name)
    {
        XlKey closest = null;
        int closestDistance = Integer.MAX_VALUE;
        for (final XlKey key : values())
        {
            final int distance = distance(name.toLowerCase(java.util.Locale.ROOT), key.xlName);
            if (distance < closestDistance)
            {
                closest = key;
                closestDistance = distance;
            }
        }
        // Two edits catch a case slip, a typo or a swapped pair without suggesting unrelated keys.
        if (closest != null && closestDistance <= 2)
        {
            return "unknown key (did you mean '" + closest.xlName + "'?)";
        }
        final StringBuilder known = new StringBuilder();
        for (final XlKey key : values())
        {
            known.append(known.isEmpty() ? "" : ", ").append(key.xlName);
        }
        return "unknown key (javisor knows " + known + ")";
    }

    /** Levenshtein distance, capped: names longer than a key by far are simply far. */
    private static int distance(final String a, final String b)
    {
        if (Math.abs(a.length() - b.length()) > 2)
        {
            return Integer.MAX_VALUE;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
