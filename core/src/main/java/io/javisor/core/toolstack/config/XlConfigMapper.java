package io.javisor.core.toolstack.config;

import io.javisor.blkback.image.DiskSpec;
import io.javisor.core.DomainConfig;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.netback.spec.VifSpec;
import io.javisor.ringio.event.SharedInfoDescriptor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * Gives parsed {@link XlSettings} their meaning: an {@link XlConfig}, or the first problem as an
 * {@link XlConfigException}, reading settings in the order written so that the topmost bad line is
 * the one reported. Not thread-safe: one mapper maps one set of settings once (use {@link #map}).
 * <ul>
 *   <li>{@code type} is read first, since it decides which keys apply (pv when not given, as xl on
 *   x86; exactly {@code pv}, {@code hvm} or {@code java}, where xl takes any prefix).</li>
 *   <li>An unknown key, or a key that does not apply to the type, is an error.</li>
 *   <li>{@code memory}: 4 to 2048 MiB for pv and hvm guests (the RISC-V board's range), 1 to
 *   1048576 for a java guest (a domain's range). {@code vcpus}: 1 to 32. {@code cpu_weight}: 1 to
 *   65535. {@code cap}: 0 (no cap) to 100 per vCPU, since more is no cap at all.</li>
 *   <li>{@code name}: required, 1 to 64 letters, digits, '_', '.' or '-', as {@link DomainConfig}
 *   takes it.</li>
 *   <li>{@code cmdline}, or as xl composes it: {@code root=ROOT EXTRA}, {@code root=ROOT} or
 *   {@code EXTRA}. xl ignores {@code root} and {@code extra} when {@code cmdline} is given, with a
 *   warning; javisor refuses the mix.</li>
 *   <li>A pv guest needs a {@code kernel}; so does an hvm guest unless {@code bios} names a firmware
 *   ELF; a java guest needs a {@code class}.</li>
 * </ul>
 */
final class XlConfigMapper
{
    /** The names {@link DomainConfig#validate()} accepts. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int MIB = 1 << 20;
    private static final int MIN_BOARD_MEMORY_MIB = (int)(MachineConfig.MIN_MEMORY / MIB);
    private static final int MAX_BOARD_MEMORY_MIB = (int)(MachineConfig.MAX_MEMORY / MIB);
    private static final int MAX_DOMAIN_MEMORY_MIB = 1 << 20;

    private final ConfigSource file;
    private final RandomGenerator macs;
    private final Map<XlKey, XlSetting> seen = new EnumMap<>(XlKey.class);
    private GuestType type = GuestType.PV;
    private String name;
    private int memoryMiB = XlConfig.DEFAULT_MEMORY_MIB;
    private int vcpus = XlConfig.DEFAULT_VCPUS;
    private int cpuWeight = XlConfig.DEFAULT_CPU_WEIGHT;
    private int cap = XlConfig.NO_CAP;
    private Path kernel;
    private Path ramdisk;
    private String cmdline;
    private String root;
    private String extra;
    private Bios bios;
    private String javaClass;
    private List<Path> classpath = List.of();
    private List<DiskSpec> disks = List.of();
    private List<VifSpec> vifs = List.of();
    private ShutdownAction onPoweroff = ShutdownAction.DESTROY;
    private ShutdownAction onReboot = ShutdownAction.RESTART;
    private ShutdownAction onCrash = ShutdownAction.DESTROY;
    private boolean deviceModelStubDomain;
    private boolean driverDomain;

    private XlConfigMapper(final ConfigSource file, final RandomGenerator macs)
    {
        this.file = file;
        this.macs = macs;
    }

    /**
     * @param file     the config file, named in errors that belong to no one line.
     * @param settings the file's settings, overrides applied.
     * @param macs     draws the MAC of a vif given without one; null for a thread-local generator.
     * @throws XlConfigException at the first problem.
     */
    static XlConfig map(final ConfigSource file, final XlSettings settings, final RandomGenerator macs)
    {
        return new XlConfigMapper(file, macs).read(settings);
    }

    private XlConfig read(final XlSettings settings)
    {
        final XlSetting typeSetting = settings.get(XlKey.TYPE.xlName());
        if (typeSetting != null)
        {
            type = guestType(typeSetting);
        }
        for (final XlSetting setting : settings.all())
        {
            final XlKey key = XlKey.fromXlName(setting.key());
            if (key == null)
            {
                throw setting.error(XlKey.unknown(setting.key()));
            }
            if (!key.appliesTo(type))
            {
                throw setting.error(key.whyNot(type));
            }
            seen.put(key, setting);
            read(key, setting);
        }
        switch (type)
        {
            case PV -> bios = Bios.BUILTIN;
            case HVM -> bios = bios == null ? Bios.BUILTIN : bios;
            case JAVA -> vcpus = 0;
        }
        checkTogether();
        return new XlConfig(name, type, memoryMiB, vcpus, cpuWeight, cap, kernel, ramdisk, cmdline(), bios,
            javaClass, classpath, disks, vifs, onPoweroff, onReboot, onCrash, deviceModelStubDomain, driverDomain);
    }

    private void read(final XlKey key, final XlSetting setting)
    {
        switch (key)
        {
            case NAME -> name = name(setting);
            case TYPE -> { } // read first, above
            case MEMORY -> memoryMiB = type == GuestType.JAVA ?
                SettingReader.number(setting, 1, MAX_DOMAIN_MEMORY_MIB, "MiB") :
                SettingReader.number(setting, MIN_BOARD_MEMORY_MIB, MAX_BOARD_MEMORY_MIB, "MiB");
            case VCPUS -> vcpus = SettingReader.number(setting, 1, SharedInfoDescriptor.MAX_VCPUS, null);
            case CPU_WEIGHT -> cpuWeight = SettingReader.number(setting, XlConfig.MIN_CPU_WEIGHT, XlConfig.MAX_CPU_WEIGHT, null);
            case CAP -> cap = SettingReader.number(setting, XlConfig.NO_CAP, SharedInfoDescriptor.MAX_VCPUS * XlConfig.CAP_PER_VCPU,
                "percent of one CPU");
            case KERNEL -> kernel = SettingReader.path(setting, setting.value(), SettingReader.text(setting));
            case RAMDISK -> ramdisk = SettingReader.path(setting, setting.value(), SettingReader.text(setting));
            case CMDLINE -> cmdline = SettingReader.text(setting);
            case ROOT -> root = SettingReader.text(setting);
            case EXTRA -> extra = SettingReader.text(setting);
            case BIOS -> bios = bios(setting);
            case CLASS -> javaClass = javaClass(setting);
            case CLASSPATH -> classpath = classpath(setting);
            case DISK -> disks = DeviceListReader.disks(setting, type);
            case VIF -> vifs = DeviceListReader.vifs(setting, type, macs);
            case ON_POWEROFF -> onPoweroff = action(setting);
            case ON_REBOOT -> onReboot = action(setting);
            case ON_CRASH -> onCrash = action(setting);
            case DEVICE_MODEL_STUBDOMAIN_OVERRIDE -> deviceModelStubDomain = SettingReader.number(setting, 0, 1, null) == 1;
            case DRIVER_DOMAIN -> driverDomain = SettingReader.number(setting, 0, 1, null) == 1;
        }
    }

    /** The checks that involve more than one key, once every setting was read. */
    private void checkTogether()
    {
        if (name == null)
        {
            throw required(XlKey.NAME, null, "every domain needs a name (name = \"...\")");
        }
        final XlSetting typeSetting = seen.get(XlKey.TYPE);
        final XlSetting driverSetting = seen.get(XlKey.DRIVER_DOMAIN);
        if (driverDomain)
        {
            for (final XlKey guestOnly : List.of(XlKey.KERNEL, XlKey.RAMDISK, XlKey.CMDLINE, XlKey.ROOT, XlKey.EXTRA, XlKey.DISK))
            {
                if (seen.containsKey(guestOnly))
                {
                    throw seen.get(guestOnly).error("a driver domain (" + driverSetting.where() + ") runs javisor's back " +
                        "ends in a process of its own: it boots no kernel and has no disks of its own");
                }
            }
        }
        if (type == GuestType.PV && kernel == null && !driverDomain)
        {
            throw required(XlKey.KERNEL, typeSetting, "a pv guest boots a kernel (kernel = \"PATH\")");
        }
        if (type == GuestType.HVM && kernel == null && bios.mode() != BootMode.EXTERNAL)
        {
            final XlSetting because = seen.containsKey(XlKey.BIOS) ? seen.get(XlKey.BIOS) : typeSetting;
            throw required(XlKey.KERNEL, because, "an hvm guest with bios \"" + bios + "\" boots a kernel (or set bios to a firmware ELF)");
        }
        if (type == GuestType.JAVA && javaClass == null)
        {
            throw required(XlKey.CLASS, typeSetting, "a java guest runs a class (class = \"com.example.Guest\")");
        }
        final XlSetting cmdlineSetting = seen.get(XlKey.CMDLINE);
        for (final XlKey part : List.of(XlKey.ROOT, XlKey.EXTRA))
        {
            if (cmdlineSetting != null && seen.containsKey(part))
            {
                throw seen.get(part).error("cannot be given with cmdline (" + cmdlineSetting.where() +
                    "): xl would ignore root and extra, javisor refuses the mix");
            }
        }
        final XlSetting capSetting = seen.get(XlKey.CAP);
        if (capSetting != null && cap > vcpus * XlConfig.CAP_PER_VCPU)
        {
            throw capSetting.error(cap + " is more than " + vcpus + " vCPU" + (vcpus == 1 ? "" : "s") + " can use (at most " +
                vcpus * XlConfig.CAP_PER_VCPU + " percent; 0 means no cap)");
        }
    }

    /**
     * A key that must be there is not: the error is on the line of the setting that made it
     * required, or on no line when nothing did (the default type, a name).
     */
    private XlConfigException required(final XlKey missing, final XlSetting because, final String why)
    {
        final String reason = "required: " + why;
        return because == null ?
            file.error(XlConfigException.NO_LINE, missing.xlName(), reason) :
            because.source().error(because.line(), missing.xlName(), reason);
    }

    /** xl's composition of {@code root} and {@code extra} when there is no {@code cmdline}. */
    private String cmdline()
    {
        if (cmdline != null || root == null && extra == null)
        {
            return cmdline;
        }
        if (root == null)
        {
            return extra;
        }
        return extra == null ? "root=" + root : "root=" + root + " " + extra;
    }

    private static GuestType guestType(final XlSetting setting)
    {
        final String text = SettingReader.text(setting);
        final GuestType type = GuestType.fromXlName(text);
        if (type == null)
        {
            throw setting.error(XlValue.quote(text) + " is not pv, hvm or java" + (text.equals("pvh") ? " (javisor has no pvh guests)" : ""));
        }
        return type;
    }

    private static String name(final XlSetting setting)
    {
        final String name = SettingReader.text(setting);
        if (!NAME.matcher(name).matches())
        {
            throw setting.error(XlValue.quote(name) + " is not 1 to 64 letters, digits, '_', '.' or '-'");
        }
        return name;
    }

    private static Bios bios(final XlSetting setting)
    {
        final String text = SettingReader.nonEmptyText(setting);
        return switch (text)
        {
            case "none" -> Bios.NONE;
            case "builtin" -> Bios.BUILTIN;
            default -> Bios.external(SettingReader.path(setting, setting.value(), text));
        };
    }

    private static String javaClass(final XlSetting setting)
    {
        final String name = SettingReader.nonEmptyText(setting);
        for (final String part : name.split("\\.", -1))
        {
            if (!isJavaIdentifier(part))
            {
                throw setting.error(XlValue.quote(name) + " is not a Java class name (e.g. com.example.Guest)");
            }
        }
        return name;
    }

    private static boolean isJavaIdentifier(final String part)
    {
        if (part.isEmpty() || !Character.isJavaIdentifierStart(part.codePointAt(0)))
        {
            return false;
        }
        return part.codePoints().skip(1).allMatch(Character::isJavaIdentifierPart);
    }

    private static List<Path> classpath(final XlSetting setting)
    {
        final List<Path> entries = new ArrayList<>();
        for (final XlValue.Text item : SettingReader.texts(setting))
        {
            entries.add(SettingReader.path(setting, item, item.value()));
        }
        return entries;
    }

    private static ShutdownAction action(final XlSetting setting)
    {
        final String text = SettingReader.text(setting);
        final ShutdownAction action = ShutdownAction.fromXlName(text);
        if (action == null)
        {
            throw setting.error(XlValue.quote(text) + " is not " + ShutdownAction.choices());
        }
        return action;
    }
}
