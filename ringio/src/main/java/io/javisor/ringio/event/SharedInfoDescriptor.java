package io.javisor.ringio.event;

/**
 * Layout of the parts of a domain's shared-info frame that the 2-level event channel ABI uses
 * (Xen's {@code shared_info} for 64-bit guests):
 * <pre>
 *   0     vcpu_info[32], 64 bytes each: u8 evtchn_upcall_pending @0, u8 evtchn_upcall_mask @1,
 *         u64 evtchn_pending_sel @8
 *   2048  u64 evtchn_pending[64]   one bit per port, 4096 ports
 *   2560  u64 evtchn_mask[64]
 * </pre>
 */
public final class SharedInfoDescriptor
{
    public static final int MAX_VCPUS = 32;
    public static final int VCPU_INFO_LENGTH = 64;
    public static final int UPCALL_PENDING_OFFSET = 0;
    public static final int UPCALL_MASK_OFFSET = 1;
    public static final int PENDING_SEL_OFFSET = 8;
    public static final int EVTCHN_PENDING_OFFSET = 2048;
    public static final int EVTCHN_MASK_OFFSET = 2560;
    public static final int BITS_PER_WORD = 64;
    public static final int NR_EVENT_CHANNELS = BITS_PER_WORD * BITS_PER_WORD;
    public static final int SHARED_INFO_LENGTH = 4096;

    private SharedInfoDescriptor()
    {
    }

    public static int vcpuInfoOffset(final int vcpu)
    {
        return vcpu * VCPU_INFO_LENGTH;
    }

    public static int pendingWordOffset(final int port)
    {
        return EVTCHN_PENDING_OFFSET + (port >>> 6) * 8;
    }

    public static int maskWordOffset(final int port)
    {
        return EVTCHN_MASK_OFFSET + (port >>> 6) * 8;
    }

    public static long bitOf(final int port)
    {
        return 1L << (port & 63);
    }
}
