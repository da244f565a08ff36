package io.javisor.emulation.machine;

import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.DiskSpec;
import io.javisor.blkback.image.VirtualDevice;
import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.spec.VifSpec;

import java.util.Locale;

/**
 * How an xl.cfg disk or vif spec becomes a device of an HVM machine, as ARCHITECTURE.md maps them: disk
 * vdev {@code hdX} is an emulated ATA disk, {@code vdX} a virtio-blk disk; vif {@code model=lan9118}
 * an emulated LAN9118, {@code model=virtio} a virtio-net NIC. Xen PV devices ({@code xvdX},
 * {@code type=vif}) are {@link DiskKind#XEN_PV}/{@link NicKind#XEN_PV}: no device of the machine,
 * but a split device the guest's PV front end connects to (PV-on-HVM). Stateless.
 */
public final class HvmDeviceSpecs
{
    /** The emulated device a disk spec asks for. */
    public enum DiskKind
    {
        ATA, VIRTIO_BLK,
        /** A Xen PV disk (blkfront in the guest, blkback in dom0): not a device of the machine. */
        XEN_PV
    }

    /** The emulated device a vif spec asks for. */
    public enum NicKind
    {
        LAN9118, VIRTIO_NET,
        /** A Xen PV vif (netfront in the guest, netback in dom0): not a device of the machine. */
        XEN_PV
    }

    private HvmDeviceSpecs()
    {
    }

    /**
     * @throws IllegalArgumentException (one line) for a vdev that names no HVM disk.
     */
    public static DiskKind diskKind(final DiskSpec spec)
    {
        final VirtualDevice vdev = VirtualDevice.parse(spec.vdev());
        return switch (vdev.bus())
        {
            case IDE -> DiskKind.ATA;
            case VIRTIO -> DiskKind.VIRTIO_BLK;
            case XEN -> DiskKind.XEN_PV;
            case SCSI -> throw new IllegalArgumentException("disk " + spec.vdev() +
                ": javisor has no SCSI controller; use hdX (ATA) or vdX (virtio-blk)");
        };
    }

    /**
     * @throws IllegalArgumentException (one line) for a vif that names no HVM NIC.
     */
    public static NicKind nicKind(final VifSpec spec)
    {
        final String model = spec.model() == null ? "" : spec.model().toLowerCase(Locale.ROOT);
        if (model.isEmpty() && "vif".equalsIgnoreCase(spec.type()))
        {
            return NicKind.XEN_PV;
        }
        return switch (model)
        {
            case "lan9118" -> NicKind.LAN9118;
            case "virtio", "virtio-net" -> NicKind.VIRTIO_NET;
            case "" -> throw new IllegalArgumentException("vif " + spec.macText() +
                ": an HVM guest's vif needs model=lan9118, model=virtio or type=vif (PV)");
            default -> throw new IllegalArgumentException("vif " + spec.macText() + ": model '" + spec.model() +
                "' is not lan9118 or virtio");
        };
    }

    /**
     * Adds the disk {@code spec} asks for, on {@code image}, to {@code config}.
     */
    public static void addDisk(final MachineConfig config, final DiskSpec spec, final DiskImage image)
    {
        switch (diskKind(spec))
        {
            case ATA -> config.addAtaDisk(image);
            case VIRTIO_BLK -> config.virtioBlk(image, spec.vdev());
            case XEN_PV -> throw new IllegalArgumentException("disk " + spec.vdev() + " is a Xen PV disk, served by a back end, " +
                "not a device of the machine");
        }
    }

    /**
     * Adds the NIC {@code spec} asks for, a port on {@code bridge}, to {@code config}.
     */
    public static void addVif(final MachineConfig config, final VifSpec spec, final Bridge bridge)
    {
        switch (nicKind(spec))
        {
            case LAN9118 -> config.addLan9118(bridge, spec.mac());
            case VIRTIO_NET -> config.virtioNet(bridge, spec.mac());
            case XEN_PV -> throw new IllegalArgumentException("vif " + spec.macText() + " is a Xen PV vif, served by a back end, " +
                "not a device of the machine");
        }
    }
}
