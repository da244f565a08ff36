package io.javisor.core.toolstack.config;

import io.javisor.blkback.image.DiskSpec;
import io.javisor.core.DomainConfig;
import io.javisor.netback.spec.VifSpec;

import java.nio.file.Path;
import java.util.List;

/**
 * A domain's config as {@code xl create} takes it, every value typed, checked and defaulted.
 * Immutable. Built by {@link XlConfigReader}; {@link #toString()} writes it as xl.cfg statements on
 * one line, for logs, which read back to an equal config.
 *
 * @param name       the domain's name.
 * @param type       pv, hvm or java.
 * @param memoryMiB  the guest's RAM ({@value #DEFAULT_MEMORY_MIB} MiB when not given, as xl).
 * @param vcpus      1 when not given; 0 for a java guest, which has no vCPU.
 * @param cpuWeight  the credit scheduler's weight, 1 to 65535 ({@value #DEFAULT_CPU_WEIGHT} when not given).
 * @param cap        the most CPU the domain may use, in percent of one CPU; 0 for no cap.
 * @param kernel     the kernel ELF, absolute; null when not given (a java guest, an hvm guest
 *                   whose firmware brings its own).
 * @param ramdisk    the initial RAM disk, absolute, or null.
 * @param cmdline    the kernel's command line ({@code cmdline}, or what xl makes of {@code root}
 *                   and {@code extra}), or null.
 * @param bios       how an hvm guest starts; {@link Bios#BUILTIN} for a pv guest, which always
 *                   starts that way; null for a java guest.
 * @param javaClass  a java guest's class, by binary name; null for other guests.
 * @param classpath  where a java guest's class is found, absolute; empty for the toolstack's own
 *                   class path, and for other guests.
 * @param disks      in the order given, raw images' relative targets made absolute.
 * @param vifs       in the order given; a vif given without a MAC has the one drawn for it.
 * @param onPoweroff {@link ShutdownAction#DESTROY} when not given, as xl.
 * @param onReboot   {@link ShutdownAction#RESTART} when not given, as xl.
 * @param onCrash    {@link ShutdownAction#DESTROY} when not given, as xl.
 * @param deviceModelStubDomain {@code device_model_stubdomain_override = 1}: an hvm guest's emulated
 *                   device models run in a stub domain process; false when not given.
 * @param driverDomain {@code driver_domain = 1}: a pv domain whose back ends (blkback, netback) run in a
 *                   javisor process of its own, serving the disks and vifs that name it ({@code backend=NAME});
 *                   it boots no kernel. False when not given.
 */
public record XlConfig(
    String name,
    GuestType type,
    int memoryMiB,
    int vcpus,
    int cpuWeight,
    int cap,
    Path kernel,
    Path ramdisk,
    String cmdline,
    Bios bios,
    String javaClass,
    List<Path> classpath,
    List<DiskSpec> disks,
    List<VifSpec> vifs,
    ShutdownAction onPoweroff,
    ShutdownAction onReboot,
    ShutdownAction onCrash,
    boolean deviceModelStubDomain,
    boolean driverDomain)
{
    public static final int DEFAULT_MEMORY_MIB = 32;
    public static final int DEFAULT_VCPUS = 1;
    public static final int DEFAULT_CPU_WEIGHT = 256;
    public static final int MIN_CPU_WEIGHT = 1;
    public static final int MAX_CPU_WEIGHT = 65535;
    public static final int NO_CAP = 0;
    /** A cap is a percentage of one CPU: 100 is one whole CPU. */
    public static final int CAP_PER_VCPU = 100;

    public XlConfig
    {
        if (name == null || type == null || onPoweroff == null || onReboot == null || onCrash == null)
        {
            throw new IllegalArgumentException("a config needs a name, a type and its three shutdown actions");
        }
        if ((type == GuestType.JAVA) == (bios != null) || (type == GuestType.JAVA) != (javaClass != null))
        {
            throw new IllegalArgumentException("a java guest, and only it, has a class and no bios: " + type + ", " + bios + ", " + javaClass);
        }
        classpath = List.copyOf(classpath);
        disks = List.copyOf(disks);
        vifs = List.copyOf(vifs);
    }

    /** A guest's config without a stub domain. */
    public XlConfig(final String name, final GuestType type, final int memoryMiB, final int vcpus, final int cpuWeight,
        final int cap, final Path kernel, final Path ramdisk, final String cmdline, final Bios bios, final String javaClass,
        final List<Path> classpath, final List<DiskSpec> disks, final List<VifSpec> vifs, final ShutdownAction onPoweroff,
        final ShutdownAction onReboot, final ShutdownAction onCrash)
    {
        this(name, type, memoryMiB, vcpus, cpuWeight, cap, kernel, ramdisk, cmdline, bios, javaClass, classpath, disks, vifs,
            onPoweroff, onReboot, onCrash, false, false);
    }

    /**
     * The hypervisor's part of this config: name, domain type (a java guest is a PV domain), memory
     * and vCPUs (a java guest keeps the one vCPU slot of its shared info page, as
     * {@link DomainConfig#pv} gives it), with the default grant frames and event channels.
     */
    public DomainConfig toDomainConfig()
    {
        return new DomainConfig(name, type.domainType(), memoryMiB, Math.max(1, vcpus),
            DomainConfig.DEFAULT_GRANT_FRAMES, DomainConfig.DEFAULT_EVENT_CHANNELS);
    }

    /**
     * xl.cfg statements on one line, {@code name = "web"; type = "pv"; memory = 64; ...}: every key
     * that applies to the type with its value or default, optional ones only when set.
     */
    @Override
    public String toString()
    {
        final Statements text = new Statements();
        text.add(XlKey.NAME, XlValue.quote(name));
        text.add(XlKey.TYPE, XlValue.quote(type.xlName()));
        text.add(XlKey.MEMORY, Integer.toString(memoryMiB));
        if (type != GuestType.JAVA)
        {
            text.add(XlKey.VCPUS, Integer.toString(vcpus));
            text.add(XlKey.CPU_WEIGHT, Integer.toString(cpuWeight));
            text.add(XlKey.CAP, Integer.toString(cap));
            text.addPath(XlKey.KERNEL, kernel);
            text.addPath(XlKey.RAMDISK, ramdisk);
            if (cmdline != null)
            {
                text.add(XlKey.CMDLINE, XlValue.quote(cmdline));
            }
        }
        if (type == GuestType.HVM)
        {
            text.add(XlKey.BIOS, XlValue.quote(bios.toString()));
        }
        if (type == GuestType.JAVA)
        {
            text.add(XlKey.CLASS, XlValue.quote(javaClass));
            text.addList(XlKey.CLASSPATH, classpath);
        }
        text.addList(XlKey.DISK, disks);
        text.addList(XlKey.VIF, vifs);
        text.add(XlKey.ON_POWEROFF, XlValue.quote(onPoweroff.xlName()));
        text.add(XlKey.ON_REBOOT, XlValue.quote(onReboot.xlName()));
        text.add(XlKey.ON_CRASH, XlValue.quote(onCrash.xlName()));
        if (deviceModelStubDomain)
        {
            text.add(XlKey.DEVICE_MODEL_STUBDOMAIN_OVERRIDE, "1");
        }
        if (driverDomain)
        {
            text.add(XlKey.DRIVER_DOMAIN, "1");
        }
        return text.toString();
    }

    /** Statements joined by "; ". Not thread-safe: one per toString call. */
    private static final class Statements
    {
        private final StringBuilder text = new StringBuilder();

        void add(final XlKey key, final String value)
        {
            text.append(text.isEmpty() ? "" : "; ").append(key.xlName()).append(" = ").append(value);
        }

        void addPath(final XlKey key, final Path path)
        {
            if (path != null)
            {
                add(key, XlValue.quote(path.toString()));
            }
        }

        void addList(final XlKey key, final List<?> items)
        {
            if (items.isEmpty())
            {
                return;
            }
            final StringBuilder list = new StringBuilder("[ ");
            for (int i = 0; i < items.size(); i++)
            {
                list.append(i == 0 ? "" : ", ").append(XlValue.quote(items.get(i).toString()));
            }
            add(key, list.append(" ]").toString());
        }

        @Override
        public String toString()
        {
            return text.toString();
        }
    }
}
