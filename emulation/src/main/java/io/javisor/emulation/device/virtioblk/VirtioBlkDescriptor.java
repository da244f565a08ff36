package io.javisor.emulation.device.virtioblk;

/**
 * The virtio-blk wire layout (virtio 1.x, 5.2): feature bits, the configuration space
 * ({@code struct virtio_blk_config}, little-endian), the request header, request types, status
 * values and the discard/write-zeroes segment.
 */
public final class VirtioBlkDescriptor
{
    public static final int DEVICE_ID = 2;
    public static final int SECTOR_SIZE = 512;
    public static final int SECTOR_SHIFT = 9;

    // Feature bits.
    public static final int F_SIZE_MAX = 1;
    public static final int F_SEG_MAX = 2;
    public static final int F_GEOMETRY = 4;
    public static final int F_RO = 5;
    public static final int F_BLK_SIZE = 6;
    public static final int F_FLUSH = 9;
    public static final int F_TOPOLOGY = 10;
    public static final int F_CONFIG_WCE = 11;
    public static final int F_MQ = 12;
    public static final int F_DISCARD = 13;
    public static final int F_WRITE_ZEROES = 14;

    // Configuration space offsets.
    public static final int CONFIG_CAPACITY = 0;            // u64, in 512-byte sectors
    public static final int CONFIG_SIZE_MAX = 8;            // u32
    public static final int CONFIG_SEG_MAX = 12;            // u32
    public static final int CONFIG_GEOMETRY = 16;           // u16 cylinders, u8 heads, u8 sectors
    public static final int CONFIG_BLK_SIZE = 20;           // u32
    public static final int CONFIG_TOPOLOGY = 24;           // u8, u8, u16, u32
    public static final int CONFIG_WRITEBACK = 32;          // u8
    public static final int CONFIG_NUM_QUEUES = 34;         // u16
    public static final int CONFIG_MAX_DISCARD_SECTORS = 36;
    public static final int CONFIG_MAX_DISCARD_SEG = 40;
    public static final int CONFIG_DISCARD_SECTOR_ALIGNMENT = 44;
    public static final int CONFIG_MAX_WRITE_ZEROES_SECTORS = 48;
    public static final int CONFIG_MAX_WRITE_ZEROES_SEG = 52;
    public static final int CONFIG_WRITE_ZEROES_MAY_UNMAP = 56; // u8
    public static final int CONFIG_SIZE = 60;

    // Request header {u32 type, u32 reserved, u64 sector}, device-readable, at the chain's start.
    public static final int HEADER_TYPE = 0;
    public static final int HEADER_SECTOR = 8;
    public static final int HEADER_SIZE = 16;

    public static final int T_IN = 0;
    public static final int T_OUT = 1;
    public static final int T_FLUSH = 4;
    public static final int T_GET_ID = 8;
    public static final int T_DISCARD = 11;
    public static final int T_WRITE_ZEROES = 13;

    /** The one status byte, the last device-writable byte of the chain. */
    public static final int S_OK = 0;
    public static final int S_IOERR = 1;
    public static final int S_UNSUPP = 2;

    /** GET_ID answers with up to this many bytes, NUL-padded, not necessarily NUL-terminated. */
    public static final int ID_BYTES = 20;

    // Discard / write-zeroes segment {u64 sector, u32 num_sectors, u32 flags}.
    public static final int SEGMENT_SECTOR = 0;
    public static final int SEGMENT_NUM_SECTORS = 8;
    public static final int SEGMENT_FLAGS = 12;
    public static final int SEGMENT_SIZE = 16;
    public static final int SEGMENT_F_UNMAP = 1;

    private VirtioBlkDescriptor()
    {
    }
}
