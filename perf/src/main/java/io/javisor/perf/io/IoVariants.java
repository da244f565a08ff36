package io.javisor.perf.io;

import io.javisor.emulation.guests.DiskIoJobDescriptor;

import java.util.ArrayList;
import java.util.List;

/**
 * The variants of {@code bench io} in table order, by key. Guest-code variants other than QEMU's
 * run on javisor's board at the given time base; guest-code variants whose driver queues (PV,
 * virtio-blk) are also measured at QD32, ATA at QD1 only. Stateless.
 */
public final class IoVariants
{
    public static final String JAVA_PV = JavaPvVariant.KEY;
    public static final String PV_DOMAIN = "pv_domain";
    public static final String PV_ON_HVM = "pv_on_hvm";
    public static final String JAVISOR_VIRTIO = "javisor_virtio";
    public static final String JAVISOR_ATA = "javisor_ata";
    /** The emulated NIC of slot 5 on the network side (slot 5 is {@link #JAVISOR_ATA} on the disk side). */
    public static final String JAVISOR_LAN9118 = "javisor_lan9118";
    public static final String QEMU_VIRTIO = "qemu_virtio";
    public static final List<String> KEYS = List.of(JAVA_PV, PV_DOMAIN, PV_ON_HVM, JAVISOR_VIRTIO, JAVISOR_ATA, QEMU_VIRTIO);
    /** The deepest queue of the guest-code drivers that queue (blkfront's ring, virtio-blk's queue). */
    public static final int DEEP_GUEST_QUEUE = DiskIoJobDescriptor.MAX_DEPTH;
    /** The guest program of the PV front end (blkfront in guest code), for variants 2 and 3. */
    public static final String PV_GUEST = "disk-io-pv";

    private IoVariants()
    {
    }

    /** Every variant, built but not opened. */
    public static List<IoVariant> all(final long timebaseHz, final boolean interrupts)
    {
        final List<IoVariant> variants = new ArrayList<>();
        for (final String key : KEYS)
        {
            variants.add(of(key, timebaseHz, interrupts));
        }
        return variants;
    }

    /**
     * @throws IllegalArgumentException for an unknown key (the message lists the known ones)
     */
    public static IoVariant of(final String key, final long timebaseHz, final boolean interrupts)
    {
        return switch (key)
        {
            case JAVA_PV -> new JavaPvVariant();
            case PV_DOMAIN -> new GuestCodeVariant(PV_DOMAIN, "2 RISC-V guest -> PV (PV domain, blkfront)", PV_GUEST,
                new PvLauncher(PvLauncher.DomainKind.PV, timebaseHz), interrupts, DEEP_GUEST_QUEUE);
            case PV_ON_HVM -> new GuestCodeVariant(PV_ON_HVM, "3 RISC-V guest -> PV-on-HVM (blkfront)", PV_GUEST,
                new PvLauncher(PvLauncher.DomainKind.PV_ON_HVM, timebaseHz), interrupts, DEEP_GUEST_QUEUE);
            case JAVISOR_VIRTIO -> new GuestCodeVariant(JAVISOR_VIRTIO, "4 RISC-V guest -> virtio-blk (javisor)",
                "disk-io-virtio", new HvmLauncher(HvmLauncher.Disk.VIRTIO, timebaseHz), interrupts, DEEP_GUEST_QUEUE);
            case JAVISOR_ATA -> new GuestCodeVariant(JAVISOR_ATA, "5 RISC-V guest -> emulated ATA PIO (javisor)",
                "disk-io-ata", new HvmLauncher(HvmLauncher.Disk.ATA, timebaseHz), interrupts, 1);
            case QEMU_VIRTIO -> new GuestCodeVariant(QEMU_VIRTIO, "6 same virtio guest ELF -> QEMU TCG virtio-blk",
                "disk-io-virtio", new QemuLauncher(), interrupts, DEEP_GUEST_QUEUE);
            default -> throw new IllegalArgumentException("no variant '" + key + "'; variants: " + String.join(", ", KEYS));
        };
    }
}
