package io.javisor.blkback.image;

import io.javisor.ringio.xenstore.BackendName;
import io.javisor.blkback.wire.BlkifDescriptor;

import java.nio.file.Path;

/**
 * One entry of an xl.cfg {@code disk = [ ... ]} list, in the syntax of xl-disk-configuration(5):
 * comma-separated {@code key=value} pairs, flags and positional parameters.
 * <pre>
 *   format=raw, vdev=xvda, access=rw, target=/var/lib/javisor/guest.img
 *   /var/lib/javisor/guest.img,raw,xvda,rw          positional: target, format, vdev, access
 *   format=ram, vdev=xvdb, target=64M               javisor's RAM disk, target = its size
 * </pre>
 * <ul>
 *   <li>Keys: {@code format} (raw | ram; default raw), {@code vdev} (required, see
 *   {@link VirtualDevice}), {@code access} (r | ro | rw | w; default rw, ro for a cdrom),
 *   {@code devtype} (disk | cdrom), {@code target}; the flag {@code cdrom} is devtype=cdrom.</li>
 *   <li>{@code target=} must come last: everything after it, commas, '=' and spaces included,
 *   is the path. A positional target cannot hold ',' or '='.</li>
 *   <li>A bare parameter goes to the first of target, format, vdev, access not yet given; each
 *   parameter may be given once; an empty value means the default. Whitespace around parameters
 *   is ignored.</li>
 *   <li>For {@code format=ram} the target is a size in bytes with an optional K, M, G or T
 *   (binary) suffix, a positive multiple of 512: {@code 512K}, {@code 64M}, {@code 1G}.</li>
 * </ul>
 * {@link #toString()} writes the keyed form, which parses back to an equal spec.
 *
 * @param format   the image format.
 * @param vdev     the guest's device name, e.g. xvda.
 * @param readOnly access=ro.
 * @param cdrom    devtype=cdrom.
 * @param target   the image path, or the size of a RAM disk, exactly as written.
 * @param backend  {@code backend=NAME}: the driver domain that serves it, or null for dom0.
 */
public record DiskSpec(DiskFormat format, String vdev, boolean readOnly, boolean cdrom, String target, String backend)
{
    private static final String TARGET_KEY = "target=";
    private static final int TARGET = 0;
    private static final int FORMAT = 1;
    private static final int VDEV = 2;
    private static final int ACCESS = 3;
    private static final int DEVTYPE = 4;
    private static final int BACKEND = 5;
    private static final String[] NAMES = {"target", "format", "vdev", "access", "devtype", "backend"};

    public DiskSpec
    {
        final String problem = problem(format, vdev, readOnly, cdrom, target, backend);
        if (problem != null)
        {
            throw new IllegalArgumentException("bad disk spec: " + problem);
        }
    }

    /**
     * A read-write disk.
     */
    public static DiskSpec of(final DiskFormat format, final String vdev, final String target)
    {
        return new DiskSpec(format, vdev, false, false, target, null);
    }

    /**
     * @throws IllegalArgumentException with a one-line message naming the bad part.
     */
    public static DiskSpec parse(final String spec)
    {
        if (spec == null || spec.isBlank())
        {
            throw new IllegalArgumentException("bad disk spec '': empty");
        }
        final String[] values = new String[NAMES.length];
        int from = 0;
        while (true)
        {
            final int comma = spec.indexOf(',', from);
            final int end = comma < 0 ? spec.length() : comma;
            final String token = spec.substring(from, end).strip();
            if (token.startsWith(TARGET_KEY))
            {
                final int valueStart = spec.indexOf(TARGET_KEY, from) + TARGET_KEY.length();
                assign(spec, values, TARGET, spec.substring(valueStart));
                break;
            }
            final int equals = token.indexOf('=');
            if (equals >= 0)
            {
                final String key = token.substring(0, equals).strip();
                final int slot = slotOf(key);
                if (slot < 0)
                {
                    throw bad(spec, "unknown key '" + key + "'");
                }
                assign(spec, values, slot, token.substring(equals + 1).strip());
            }
            else if (token.equals("cdrom"))
            {
                assign(spec, values, DEVTYPE, "cdrom");
            }
            else
            {
                int slot = TARGET;
                while (slot <= ACCESS && values[slot] != null)
                {
                    slot++;
                }
                if (slot > ACCESS)
                {
                    throw bad(spec, "unexpected '" + token + "' after target, format, vdev and access");
                }
                values[slot] = token;
            }
            if (comma < 0)
            {
                break;
            }
            from = comma + 1;
        }
        return build(spec, values);
    }

    private static DiskSpec build(final String spec, final String[] values)
    {
        final String formatName = orDefault(values[FORMAT], DiskFormat.RAW.specName());
        final DiskFormat format = DiskFormat.fromSpecName(formatName);
        if (format == null)
        {
            throw bad(spec, "format '" + formatName + "' is not supported (raw or ram)");
        }

        final String devtype = orDefault(values[DEVTYPE], "disk");
        if (!devtype.equals("disk") && !devtype.equals("cdrom"))
        {
            throw bad(spec, "devtype '" + devtype + "' is not disk or cdrom");
        }
        final boolean cdrom = devtype.equals("cdrom");

        final String access = orDefault(values[ACCESS], cdrom ? "ro" : "rw");
        final boolean readOnly = switch (access)
        {
            case "r", "ro" -> true;
            case "w", "rw" -> false;
            default -> throw bad(spec, "access '" + access + "' is not r, ro, rw or w");
        };

        final String vdev = orDefault(values[VDEV], null);
        final String target = orDefault(values[TARGET], null);
        final String backend = orDefault(values[BACKEND], null);
        final String problem = problem(format, vdev, readOnly, cdrom, target, backend);
        if (problem != null)
        {
            throw bad(spec, problem);
        }
        return new DiskSpec(format, vdev, readOnly, cdrom, target, backend);
    }

    private static void assign(final String spec, final String[] values, final int slot, final String value)
    {
        if (values[slot] != null)
        {
            throw bad(spec, NAMES[slot] + " given twice");
        }
        values[slot] = value;
    }

    private static int slotOf(final String key)
    {
        for (int i = 0; i < NAMES.length; i++)
        {
            if (NAMES[i].equals(key))
            {
                return i;
            }
        }
        return -1;
    }

    private static String orDefault(final String value, final String defaultValue)
    {
        return value == null || value.isEmpty() ? defaultValue : value;
    }

    private static String problem(final DiskFormat format, final String vdev, final boolean readOnly, final boolean cdrom,
        final String target, final String backend)
    {
        if (format == null)
        {
            return "no format";
        }
        if (backend != null && !BackendName.isValid(backend))
        {
            return "backend '" + backend + "' " + BackendName.RULE;
        }
        if (vdev == null || vdev.isEmpty())
        {
            return "no vdev (the guest's device name, e.g. vdev=xvda)";
        }
        try
        {
            VirtualDevice.parse(vdev);
        }
        catch (final IllegalArgumentException ex)
        {
            return ex.getMessage();
        }
        if (target == null || target.isEmpty())
        {
            return format == DiskFormat.RAM ?
                "no target (the size of the ram disk, e.g. target=64M)" :
                "no target (the path of the image, e.g. target=/var/lib/javisor/guest.img)";
        }
        if (format == DiskFormat.RAM)
        {
            final long size = Sizes.parse(target);
            if (size <= 0 || size % DiskImage.SECTOR_SIZE != 0)
            {
                return "ram disk size '" + target + "' is not a positive multiple of 512 bytes (e.g. 512K, 64M, 1G)";
            }
        }
        if (cdrom && !readOnly)
        {
            return "a cdrom is read-only, access=rw does not apply";
        }
        return null;
    }

    private static IllegalArgumentException bad(final String spec, final String why)
    {
        return new IllegalArgumentException("bad disk spec '" + spec + "': " + why);
    }

    /**
     * The Xen device number of {@link #vdev()}: the xenstore device id and the blkif handle.
     */
    public int deviceId()
    {
        return VirtualDevice.deviceId(vdev);
    }

    /**
     * {@code ro} or {@code rw}.
     */
    public String access()
    {
        return readOnly ? "ro" : "rw";
    }

    /**
     * {@code disk} or {@code cdrom}.
     */
    public String devtype()
    {
        return cdrom ? "cdrom" : "disk";
    }

    /**
     * The back end's xenstore {@code info} bits for this disk.
     */
    public int info()
    {
        return (cdrom ? BlkifDescriptor.INFO_CDROM : 0) | (readOnly ? BlkifDescriptor.INFO_READONLY : 0);
    }

    /**
     * The size of a {@link DiskFormat#RAM} disk in bytes.
     *
     * @throws IllegalStateException for other formats.
     */
    public long ramSizeBytes()
    {
        if (format != DiskFormat.RAM)
        {
            throw new IllegalStateException("not a ram disk: " + this);
        }
        return Sizes.parse(target);
    }

    /**
     * The image file of a {@link DiskFormat#RAW} disk.
     *
     * @throws IllegalStateException for other formats.
     */
    public Path targetPath()
    {
        if (format != DiskFormat.RAW)
        {
            throw new IllegalStateException("not an image file: " + this);
        }
        return Path.of(target);
    }

    /**
     * The keyed form, target last: {@code format=raw, vdev=xvda, access=rw, target=PATH}.
     */
    @Override
    public String toString()
    {
        return (backend != null ? "backend=" + backend + ", " : "") + "format=" + format.specName() + ", vdev=" + vdev +
            ", access=" + access() + (cdrom ? ", devtype=cdrom" : "") + ", " + TARGET_KEY + target;
    }
}
