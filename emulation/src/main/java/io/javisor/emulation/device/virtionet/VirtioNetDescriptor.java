package io.javisor.emulation.device.virtionet;

/**
 * The virtio-net wire layout (virtio 1.x, 5.1): feature bits, the configuration space
 * ({@code struct virtio_net_config}, little-endian), queue numbers and {@code struct virtio_net_hdr},
 * which with VERSION_1 is always 12 bytes (num_buffers included, mergeable or not).
 */
public final class VirtioNetDescriptor
{
    public static final int DEVICE_ID = 1;

    public static final int RX_QUEUE = 0;
    public static final int TX_QUEUE = 1;

    // Feature bits.
    public static final int F_CSUM = 0;
    public static final int F_GUEST_CSUM = 1;
    public static final int F_MTU = 3;
    public static final int F_MAC = 5;
    public static final int F_MRG_RXBUF = 15;
    public static final int F_STATUS = 16;
    public static final int F_CTRL_VQ = 17;
    public static final int F_MQ = 22;

    // Configuration space.
    public static final int CONFIG_MAC = 0;                  // u8[6]
    public static final int CONFIG_STATUS = 6;               // u16
    public static final int CONFIG_MAX_VIRTQUEUE_PAIRS = 8;  // u16
    public static final int CONFIG_SIZE = 10;
    public static final int STATUS_LINK_UP = 1;

    // virtio_net_hdr.
    public static final int HDR_FLAGS = 0;        // u8
    public static final int HDR_GSO_TYPE = 1;     // u8
    public static final int HDR_HDR_LEN = 2;      // u16
    public static final int HDR_GSO_SIZE = 4;     // u16
    public static final int HDR_CSUM_START = 6;   // u16
    public static final int HDR_CSUM_OFFSET = 8;  // u16
    public static final int HDR_NUM_BUFFERS = 10; // u16
    public static final int HDR_SIZE = 12;
    public static final int GSO_NONE = 0;

    public static final int ETHERNET_HEADER = 14;

    private VirtioNetDescriptor()
    {
    }
}
