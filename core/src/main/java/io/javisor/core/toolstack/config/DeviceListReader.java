package io.javisor.core.toolstack.config;

import io.javisor.blkback.image.DiskFormat;
import io.javisor.blkback.image.DiskSpec;
import io.javisor.blkback.image.VirtualDevice;
import io.javisor.emulation.machine.HvmDeviceSpecs;
import io.javisor.netback.spec.VifSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Reads {@code disk} and {@code vif} lists: each string through the project's own spec parser
 * ({@link DiskSpec#parse}, {@link VifSpec#parse}), whose one-line error becomes the item's, then
 * checked against what the guest type can have. Stateless.
 * <ul>
 *   <li>An hvm guest's devices are chosen as {@link HvmDeviceSpecs} says: vdev {@code hdX} ATA,
 *   {@code vdX} virtio-blk, {@code xvdX} PV; vif {@code model=lan9118}, {@code model=virtio} or
 *   {@code type=vif} (PV).</li>
 *   <li>pv and java guests have no emulated devices: a {@code vdX} disk or a lan9118 or virtio vif
 *   is refused. Other disk names are PV names, as in Xen.</li>
 *   <li>Two disks may not share a device number.</li>
 *   <li>A raw image's relative target resolves against the directory of the setting's source.</li>
 * </ul>
 */
final class DeviceListReader
{
    private DeviceListReader()
    {
    }

    static List<DiskSpec> disks(final XlSetting setting, final GuestType type)
    {
        final List<DiskSpec> disks = new ArrayList<>();
        final List<Integer> lines = new ArrayList<>();
        final Map<Integer, Integer> indexByDeviceId = new HashMap<>();
        for (final XlValue.Text item : SettingReader.texts(setting))
        {
            final DiskSpec spec;
            try
            {
                spec = DiskSpec.parse(item.value());
                checkDiskFits(spec, type);
            }
            catch (final IllegalArgumentException ex)
            {
                throw setting.error(item, ex.getMessage());
            }
            final Integer earlier = indexByDeviceId.putIfAbsent(spec.deviceId(), disks.size());
            if (earlier != null)
            {
                throw setting.error(item, "vdev " + spec.vdev() + " is the device of disk " + (earlier + 1) + " already (" +
                    disks.get(earlier).vdev() + ", line " + lines.get(earlier) + ")");
            }
            disks.add(withAbsoluteTarget(setting, item, spec));
            lines.add(item.line());
        }
        return disks;
    }

    private static void checkDiskFits(final DiskSpec spec, final GuestType type)
    {
        if (type == GuestType.HVM)
        {
            HvmDeviceSpecs.diskKind(spec);
        }
        else if (VirtualDevice.parse(spec.vdev()).bus() == VirtualDevice.Bus.VIRTIO)
        {
            throw new IllegalArgumentException("disk " + spec.vdev() + " is a virtio-blk disk, an emulated device: a " +
                type.xlName() + " guest has none (name its disks xvdX)");
        }
    }

    private static DiskSpec withAbsoluteTarget(final XlSetting setting, final XlValue.Text item, final DiskSpec spec)
    {
        if (spec.format() != DiskFormat.RAW)
        {
            return spec;
        }
        final Path target = SettingReader.path(setting, item, spec.target());
        return new DiskSpec(spec.format(), spec.vdev(), spec.readOnly(), spec.cdrom(), target.toString(), spec.backend());
    }

    /**
     * @param macs draws the MAC of a vif given without one; null for a thread-local generator.
     */
    static List<VifSpec> vifs(final XlSetting setting, final GuestType type, final RandomGenerator macs)
    {
        final List<VifSpec> vifs = new ArrayList<>();
        for (final XlValue.Text item : SettingReader.texts(setting))
        {
            try
            {
                final VifSpec spec = macs == null ? VifSpec.parse(item.value()) : VifSpec.parse(item.value(), macs);
                checkVifFits(spec, type);
                vifs.add(spec);
            }
            catch (final IllegalArgumentException ex)
            {
                throw setting.error(item, ex.getMessage());
            }
        }
        return vifs;
    }

    private static void checkVifFits(final VifSpec spec, final GuestType type)
    {
        if (type == GuestType.HVM)
        {
            HvmDeviceSpecs.nicKind(spec);
            return;
        }
        final String model = spec.model() == null ? "" : spec.model().toLowerCase(Locale.ROOT);
        if (model.equals("lan9118") || model.equals("virtio") || model.equals("virtio-net"))
        {
            throw new IllegalArgumentException("vif " + spec.macText() + ": model=" + spec.model() +
                " is an emulated NIC: a " + type.xlName() + " guest has none (its vifs are PV)");
        }
    }
}
