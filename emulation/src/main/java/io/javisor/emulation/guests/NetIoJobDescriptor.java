package io.javisor.emulation.guests;

/**
 * Layout of the job the net-io guests run ({@code emulation/guests/src/net-io.c}): a header of
 * {@link #HEADER_LENGTH} bytes at the guest's {@code __heap_start}, then one little-endian u64 per
 * timed round trip. The host writes the inputs (magic, version, pings, warm-up, stream, flags, time
 * base); the guest writes the rest. Constants only.
 */
public final class NetIoJobDescriptor
{
    /** The ELF symbol the job is placed at. */
    public static final String SYMBOL = "__heap_start";
    public static final long MAGIC = 0x3130_4A4F_4954_454EL; // "NETIOJ01"
    public static final long DONE_MAGIC = 0x2145_4E4F_444F_494EL; // "NIODONE!"
    public static final int VERSION = 1;

    public static final int HEADER_LENGTH = 128;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int PINGS_OFFSET = 12;
    public static final int WARMUP_OFFSET = 16;
    public static final int STREAM_FRAMES_OFFSET = 20;
    public static final int STREAM_LENGTH_OFFSET = 24;
    public static final int FLAGS_OFFSET = 28;
    public static final int TICKS_PER_MS_OFFSET = 32;
    public static final int DONE_OFFSET = 40;
    public static final int STREAM_TICKS_OFFSET = 48;
    public static final int STREAM_COUNTED_OFFSET = 56;
    public static final int RESENT_OFFSET = 60;
    public static final int FAILED_OFFSET = 64;
    public static final int RX_INTERRUPTS_OFFSET = 68;
    public static final int RECORD_LENGTH = Long.BYTES;

    /** The guest waits for frames in WFI until the receive interrupt (else it polls its NIC). */
    public static final int FLAG_WAIT_INTERRUPT = 1;

    /** The round-trip frames: 60 bytes without FCS, 64 on the wire. */
    public static final int PING_LENGTH = 60;
    /** The longest stream frame: a 1,500-byte payload and its Ethernet header, no FCS. */
    public static final int MAX_FRAME_LENGTH = 1514;

    /** The frame protocol ({@code lib/jping.h}): EtherType, the kind's offset, and the kinds. */
    public static final int ETHER_TYPE = 0x88B5;
    public static final int KIND_OFFSET = 16;
    public static final int SEQ_OFFSET = 18;
    public static final int STAMP_OFFSET = 22;
    public static final int KIND_REQUEST = 1;
    public static final int KIND_REPLY = 2;
    public static final int KIND_BYE = 3;
    public static final int KIND_BYE_ACK = 4;
    public static final int KIND_STREAM = 5;
    public static final int KIND_COUNT = 6;
    public static final int KIND_COUNT_ACK = 7;

    private NetIoJobDescriptor()
    {
    }

    /** Bytes a job of {@code pings} timed round trips takes. */
    public static long length(final int pings)
    {
        return HEADER_LENGTH + (long)pings * RECORD_LENGTH;
    }
}
