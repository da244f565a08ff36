package io.javisor.emulation.device.virtio;

/**
 * The wire layout of virtio-mmio version 2 (virtio 1.x, section 4.2.2) and of the split virtqueue
 * (section 2.7): register offsets, status and feature bits, ring field offsets. Constants only;
 * everything is little-endian as the spec says for the modern interface.
 */
public final class VirtioMmioDescriptor
{
    /** The register window of one slot on QEMU's {@code virt} board. */
    public static final long WINDOW_SIZE = 0x1000;
    /** Slot n of QEMU's virt board lives at {@code SLOT_BASE + SLOT_STRIDE * n}, irq {@code SLOT_IRQ + n}. */
    public static final long SLOT_BASE = 0x1000_1000L;
    public static final long SLOT_STRIDE = 0x1000L;
    public static final int SLOT_IRQ = 1;
    public static final int SLOTS = 8;

    // Registers, 32 bits wide.
    public static final int MAGIC_VALUE = 0x000;
    public static final int VERSION = 0x004;
    public static final int DEVICE_ID = 0x008;
    public static final int VENDOR_ID = 0x00c;
    public static final int DEVICE_FEATURES = 0x010;
    public static final int DEVICE_FEATURES_SEL = 0x014;
    public static final int DRIVER_FEATURES = 0x020;
    public static final int DRIVER_FEATURES_SEL = 0x024;
    public static final int QUEUE_SEL = 0x030;
    public static final int QUEUE_NUM_MAX = 0x034;
    public static final int QUEUE_NUM = 0x038;
    public static final int QUEUE_READY = 0x044;
    public static final int QUEUE_NOTIFY = 0x050;
    public static final int INTERRUPT_STATUS = 0x060;
    public static final int INTERRUPT_ACK = 0x064;
    public static final int STATUS = 0x070;
    public static final int QUEUE_DESC_LOW = 0x080;
    public static final int QUEUE_DESC_HIGH = 0x084;
    public static final int QUEUE_DRIVER_LOW = 0x090;
    public static final int QUEUE_DRIVER_HIGH = 0x094;
    public static final int QUEUE_DEVICE_LOW = 0x0a0;
    public static final int QUEUE_DEVICE_HIGH = 0x0a4;
    public static final int SHM_SEL = 0x0ac;
    public static final int SHM_LEN_LOW = 0x0b0;
    public static final int SHM_LEN_HIGH = 0x0b4;
    public static final int SHM_BASE_LOW = 0x0b8;
    public static final int SHM_BASE_HIGH = 0x0bc;
    public static final int QUEUE_RESET = 0x0c0;
    public static final int CONFIG_GENERATION = 0x0fc;
    /** Device-specific configuration space starts here; the rest of the window is config. */
    public static final int CONFIG = 0x100;

    public static final int MAGIC = 0x7472_6976; // "virt", little-endian
    public static final int VERSION_2 = 2;
    /** What QEMU reports as VendorID ("QEMU" would be 0x554d4551); javisor's own: "JVSR". */
    public static final int VENDOR = 0x5253_564a;

    // Device status bits.
    public static final int STATUS_ACKNOWLEDGE = 1;
    public static final int STATUS_DRIVER = 2;
    public static final int STATUS_DRIVER_OK = 4;
    public static final int STATUS_FEATURES_OK = 8;
    public static final int STATUS_DEVICE_NEEDS_RESET = 64;
    public static final int STATUS_FAILED = 128;

    // InterruptStatus bits.
    public static final int INTERRUPT_USED_BUFFER = 1;
    public static final int INTERRUPT_CONFIG_CHANGE = 2;

    // Transport feature bits (bit numbers in the 64-bit feature word).
    public static final int F_RING_INDIRECT_DESC = 28;
    public static final int F_RING_EVENT_IDX = 29;
    public static final int F_VERSION_1 = 32;

    // Split virtqueue: descriptor table entries.
    public static final int DESC_SIZE = 16;
    public static final int DESC_ADDR = 0;
    public static final int DESC_LEN = 8;
    public static final int DESC_FLAGS = 12;
    public static final int DESC_NEXT = 14;
    public static final int DESC_F_NEXT = 1;
    public static final int DESC_F_WRITE = 2;
    public static final int DESC_F_INDIRECT = 4;

    // Available (driver) ring: {u16 flags, u16 idx, u16 ring[N], u16 used_event}.
    public static final int AVAIL_FLAGS = 0;
    public static final int AVAIL_IDX = 2;
    public static final int AVAIL_RING = 4;
    public static final int AVAIL_F_NO_INTERRUPT = 1;

    // Used (device) ring: {u16 flags, u16 idx, {u32 id, u32 len}[N], u16 avail_event}.
    public static final int USED_FLAGS = 0;
    public static final int USED_IDX = 2;
    public static final int USED_RING = 4;
    public static final int USED_ELEM_SIZE = 8;

    /** Alignments the spec requires of the three areas (2.7: 16, 2, 4). */
    public static final int DESC_ALIGN = 16;
    public static final int AVAIL_ALIGN = 2;
    public static final int USED_ALIGN = 4;

    private VirtioMmioDescriptor()
    {
    }

    /** @return bytes of the descriptor table of a queue of {@code n} entries. */
    public static long descTableSize(final int n)
    {
        return (long)DESC_SIZE * n;
    }

    /** @return bytes of the available ring, with used_event. */
    public static long availRingSize(final int n)
    {
        return 6 + 2L * n;
    }

    /** @return bytes of the used ring, with avail_event. */
    public static long usedRingSize(final int n)
    {
        return 6 + (long)USED_ELEM_SIZE * n;
    }

    /** @return the physical address of slot {@code n} on the virt board. */
    public static long slotBase(final int n)
    {
        return SLOT_BASE + SLOT_STRIDE * n;
    }

    /** @return the PLIC source of slot {@code n} on the virt board. */
    public static int slotIrq(final int n)
    {
        return SLOT_IRQ + n;
    }
}
