package io.javisor.emulation.device.remote;

/**
 * The channel between a guest's vCPU (the hypervisor process) and its stub domain process: one Unix
 * domain stream socket, little-endian throughout.
 * <p>
 * <b>Set-up</b> uses framed messages, {@code u32 length | u8 type | payload} (the length counts type
 * and payload, at most {@link #MAX_SETUP_MESSAGE}); a string is {@code u16 length | UTF-8 bytes}.
 * <pre>
 * stub -> vCPU side                            vCPU side -> stub
 * HELLO    i64 token                           DEVICES  u8 count, then per device: u8 kind, str argument;
 *                                                       then str mailbox ("" for frames on the socket)
 * WINDOWS  u8 count, then per window:
 *          u8 device, str name, u32 size, u8[size / 2] access bitmap
 * ERROR    str text (the stub then exits)
 * </pre>
 * Device {@code k} drives interrupt line {@code k}. When a device is a virtio one (it DMAs into its
 * guest's RAM), the vCPU side then shares the guest's RAM, once, before the first access:
 * <pre>
 * RAM_MAPPED (no payload)                      GUEST_RAM  str file, u64 offset, u64 length: the bytes of
 *   or ERROR str text                                     the file that are all of the guest's RAM and
 *                                                         nothing else (machine memory is a file on tmpfs)
 * </pre>
 * The stub maps exactly that range, shared, and runs the virtqueues against it: every value it reads
 * from guest memory is read once and checked there, as in-process. The access bitmap holds, for every offset of the
 * window, 4 bits: whether a 1, 2, 4 or 8 byte access there is legal (bit {@code 4 * offset + log2(size)}),
 * what the model's {@code supports} answers; the vCPU side answers {@code supports} from it without
 * a round trip.
 * <p>
 * <b>Register accesses</b> are fixed frames of {@link #FRAME} bytes, one request and then one reply,
 * never more than one outstanding (the vCPU waits for its answer), on the socket or, when DEVICES
 * named a mailbox, through it ({@link Mailbox}, the socket then carrying only wake-up bytes):
 * <pre>
 * request  u8 READ|WRITE, u8 window, u8 size, u8 0, u32 sequence, u64 offset, u64 value (0 for READ)
 * reply    u8 REPLY, u8 0, u8 0, u8 0,       u32 sequence, u32 interrupt lines, u32 version, u64 value (0 for WRITE)
 * failed   u8 FAILED, u8 0, u8 0, u8 0,      u32 sequence, u32 0, u32 text length, u64 0; then the text (UTF-8),
         after the frame on the socket, or in the mailbox's text area
 * </pre>
 * The reply's sequence is the request's; its interrupt lines are the levels of every line (bit k for
 * line k) after the access, and the u32 after them counts the stub's line changes so far (the levels'
 * version, which orders them against IRQ events).
 * <p>
 * <b>Events</b> (only when a device has traffic of its own, a LAN9118 or a virtio-net): the stub connects a second
 * time and says {@code EVENTS_HELLO i64 token}; then, framed as the set-up messages, in both directions:
 * <pre>
 * stub -> vCPU side                                  vCPU side -> stub
 * IRQ        u32 version, u32 lines (changed          FRAME_IN  u8 device, frame (for the device)
 *            outside an access: a frame arrived; a
 *            virtio-net sends one after every frame it
 *            took, so that a polling guest looks again)
 * FRAME_OUT  u8 device, frame (the device sent it)
 * </pre> Anything else (another type, another sequence, a READ value wider than
 * the access, a line that names no device, a text longer than {@link #MAX_FAILURE_TEXT}) is garbage:
 * the vCPU side drops the stub and its guest crashes.
 */
public final class StubProtocol
{
    public static final int VERSION = 1;
    public static final int MAX_SETUP_MESSAGE = 64 * 1024;
    public static final int MAX_FAILURE_TEXT = 1024;
    public static final int FRAME = 24;
    /** Lines are bits of a u32, one per device. */
    public static final int MAX_DEVICES = 32;
    /** Window sizes the access bitmap may describe. */
    public static final int MAX_WINDOW = 64 * 1024;

    public static final byte HELLO = 1;
    public static final byte DEVICES = 2;
    public static final byte WINDOWS = 3;
    public static final byte ERROR = 4;

    public static final byte READ = 16;
    public static final byte WRITE = 17;
    public static final byte REPLY = 18;
    public static final byte FAILED = 19;

    public static final byte EVENTS_HELLO = 5;
    public static final byte IRQ = 32;
    public static final byte FRAME_OUT = 33;
    public static final byte FRAME_IN = 34;
    /** The largest Ethernet frame an event carries for a LAN9118 (it takes 1514 bytes without FCS). */
    public static final int MAX_ETHERNET_FRAME = 1518;
    /**
     * The largest frame an event carries for a virtio-net: what a framed message holds after its type
     * and device bytes (a virtio-net frame may be a 64 KiB datagram; a longer one is dropped, as a wire
     * with a smaller MTU would drop it).
     */
    public static final int MAX_VIRTIO_FRAME = MAX_SETUP_MESSAGE - 2;

    public static final byte GUEST_RAM = 6;
    public static final byte RAM_MAPPED = 7;

    /**
     * Device kinds in DEVICES; the argument of an ATA disk or a virtio-blk is its xl disk spec (a
     * virtio-blk's GET_ID answers its vdev), of a LAN9118 or a virtio-net its MAC (12 hex digits).
     */
    public static final byte KIND_ATA = 1;
    public static final byte KIND_LAN9118 = 2;
    public static final byte KIND_VIRTIO_BLK = 3;
    public static final byte KIND_VIRTIO_NET = 4;

    private StubProtocol()
    {
    }

    /** @return whether devices of {@code kind} DMA into guest RAM (virtio), which the stub must then map */
    static boolean needsGuestRam(final byte kind)
    {
        return kind == KIND_VIRTIO_BLK || kind == KIND_VIRTIO_NET;
    }

    /** @return whether devices of {@code kind} are NICs, with frames on the events channel */
    static boolean isNic(final byte kind)
    {
        return kind == KIND_LAN9118 || kind == KIND_VIRTIO_NET;
    }

    /** @return the longest frame an event may carry for a NIC of {@code kind} */
    static int maxFrame(final byte kind)
    {
        return kind == KIND_VIRTIO_NET ? MAX_VIRTIO_FRAME : MAX_ETHERNET_FRAME;
    }

    /** @return the access bitmap bit for an access of {@code size} (1, 2, 4, 8) bytes at {@code offset} */
    static int accessBit(final long offset, final int size)
    {
        return (int)(4 * offset) + Integer.numberOfTrailingZeros(size);
    }
}
