package io.javisor.emulation.hypercall;

/**
 * The numbers of javisor's hypercall ABI, in one place (the C header {@code guests/lib/xen-abi.h}
 * has the same ones): an SBI firmware-specific extension that S-mode guest code calls with
 * {@code ecall}, a7 = {@link #EID}, a6 = a function id, arguments in a0..a5.
 * <p>
 * Every call returns an error in a0 (0, or a negative Xen errno) and its result in a1 (some also in
 * a2, a3). The calling domain is implicit: no function takes a domain to act as. Addresses are
 * guest-physical (the MMU plays no part) and must lie in the guest's RAM; frame numbers are
 * guest-physical addresses shifted right by 12. Every argument is read once, from registers or guest
 * memory, and validated; a bad one gets an error and changes nothing.
 * <p>
 * Events: the shared-info page ({@code io.javisor.ringio.event.SharedInfoDescriptor}, Xen's 2-level
 * layout) is a page of the guest's RAM that it registers. The supervisor external interrupt (SEIP)
 * is raised while vCPU 0's {@code evtchn_upcall_pending} is non-zero and its
 * {@code evtchn_upcall_mask} zero; the host re-evaluates that level after every hypercall, when the
 * vCPU wakes, when an event arrives, and at least once per time slice. A guest that takes the
 * interrupt as a trap clears {@code evtchn_upcall_pending} and calls {@link #FID_UPCALL_ACK} (or
 * any hypercall) to have the line lowered at once.
 */
public final class HypercallDescriptor
{
    /** The extension id: in the SBI firmware-specific range 0x0A00_0000..0x0AFF_FFFF, "JV" in the middle. */
    public static final int EID = 0x0A4A_5600;
    /** ABI version, major in bits 31..16, minor in 15..0: 1.0. */
    public static final int ABI_VERSION = 1 << 16;

    // ---------------------------------------------------------------- function ids (a6)

    /** () → a1 = {@link #ABI_VERSION}. */
    public static final int FID_VERSION = 0x00;

    /** (a0 remote domain, or {@link #DOMID_SELF}) → a1 = a fresh port that domain may bind to. */
    public static final int FID_EVTCHN_ALLOC_UNBOUND = 0x10;
    /** (a0 remote domain, a1 its unbound port offered to the caller) → a1 = the local port, now bound. */
    public static final int FID_EVTCHN_BIND_INTERDOMAIN = 0x11;
    /** (a0 port) → notify the other end. */
    public static final int FID_EVTCHN_SEND = 0x12;
    /** (a0 port) → the port is free again; an interdomain peer's end falls back to unbound. */
    public static final int FID_EVTCHN_CLOSE = 0x13;
    /** (a0 port) → clear its mask bit; an event that arrived while masked raises the upcall now. */
    public static final int FID_EVTCHN_UNMASK = 0x14;
    /** (a0 port) → a1 = state ({@link #EVTCHN_CLOSED}...), a2 = remote domain, a3 = remote port. */
    public static final int FID_EVTCHN_STATUS = 0x15;

    /**
     * (a0 guest-physical address, page aligned, a1 frames) → the guest's grant table is those frames
     * of its RAM from now on, as Xen's grant frames mapped into a guest's physical map: v1 entries
     * ({@code grant_entry_v1_t}) that the guest writes, frame fields guest-physical frame numbers.
     * -EINVAL for a bad count or alignment, -EFAULT outside RAM, -EBUSY while a grant is mapped.
     */
    public static final int FID_GNTTAB_SETUP = 0x20;
    /** () → a1 = frames in use (0 before setup), a2 = the most frames allowed, a3 = the table's address or 0. */
    public static final int FID_GNTTAB_QUERY = 0x21;
    /**
     * (a0 address of an array of {@link #COPY_LENGTH}-byte copy operations, a1 count ≤
     * {@link #COPY_MAX_BATCH}) → each operation's status (a GNTST code) written into it; a1 = count.
     */
    public static final int FID_GNTTAB_COPY = 0x22;

    /** () → return at once (another domain may run). */
    public static final int FID_SCHED_YIELD = 0x30;
    /**
     * () → clear vCPU 0's upcall mask and sleep until its upcall is pending (or an enabled interrupt
     * is, on an HVM board); the vCPU costs no CPU meanwhile. May return early.
     */
    public static final int FID_SCHED_BLOCK = 0x31;
    /**
     * (a0 address of u32 ports, a1 count 1..{@link #POLL_MAX_PORTS}, a2 deadline in time-CSR ticks
     * or 0 for none) → sleep until one of the ports is pending (masked or not) or the deadline
     * passes; a1 = 1 when a port is pending, 0 on timeout.
     */
    public static final int FID_SCHED_POLL = 0x32;
    /** (a0 reason: {@link #SHUTDOWN_POWEROFF}, {@link #SHUTDOWN_REBOOT} or {@link #SHUTDOWN_CRASH}) → does not return. */
    public static final int FID_SCHED_SHUTDOWN = 0x33;

    /** (a0 address, a1 length ≤ {@link #CONSOLE_MAX}) → bytes to the hypervisor's console for the domain; a1 = count. */
    public static final int FID_CONSOLE_WRITE = 0x40;
    /** (a0 address, a1 length ≤ {@link #CONSOLE_MAX}) → a1 = bytes of console input stored there. */
    public static final int FID_CONSOLE_READ = 0x41;

    /**
     * (a0 guest-physical address, page aligned) → that RAM page is the domain's shared-info page from
     * now on; it takes the current event state (its old contents are overwritten).
     */
    public static final int FID_SHARED_INFO_REGISTER = 0x50;
    /** () → re-evaluate the upcall line now (after the guest cleared {@code evtchn_upcall_pending}). */
    public static final int FID_UPCALL_ACK = 0x51;

    /** (a0 parameter: {@link #PARAM_STORE_PFN}...) → a1 = its value, as Xen's HVM params. */
    public static final int FID_PARAM_GET = 0x60;

    // ---------------------------------------------------------------- parameters (Xen's HVM_PARAM_* numbers)

    /** The frame of the guest's xenstore ring page ({@code xenstore_domain_interface}). */
    public static final int PARAM_STORE_PFN = 1;
    /** The guest's port bound to xenstore. */
    public static final int PARAM_STORE_EVTCHN = 2;
    /** The frame of the guest's console ring page ({@code xencons_interface}). */
    public static final int PARAM_CONSOLE_PFN = 17;
    /** The guest's port bound to the console back end. */
    public static final int PARAM_CONSOLE_EVTCHN = 18;

    // ---------------------------------------------------------------- values

    /** The caller, where a domain is an argument (alloc_unbound's remote end). */
    public static final int DOMID_SELF = 0x7FF0;

    public static final int EVTCHN_CLOSED = 0;
    public static final int EVTCHN_UNBOUND = 1;
    public static final int EVTCHN_INTERDOMAIN = 2;

    /** Shutdown reasons, Xen's SHUTDOWN_* numbers (suspend 2, watchdog 4 and soft reset 5 are refused). */
    public static final int SHUTDOWN_POWEROFF = 0;
    public static final int SHUTDOWN_REBOOT = 1;
    public static final int SHUTDOWN_CRASH = 3;

    public static final int COPY_MAX_BATCH = 256;
    public static final int POLL_MAX_PORTS = 128;
    public static final int CONSOLE_MAX = 4096;

    /**
     * One grant copy operation in guest memory, 40 bytes (Xen's {@code gnttab_copy_t} for 64-bit
     * guests): source and destination each {u64 ref or frame @0, u16 domid @8, u16 offset @10};
     * u16 length @32, u16 flags @34, i16 status @36 (written by the host).
     */
    public static final int COPY_SOURCE_OFFSET = 0;
    public static final int COPY_DEST_OFFSET = 16;
    public static final int COPY_PTR_OFFSET = 0;
    public static final int COPY_DOMID_OFFSET = 8;
    public static final int COPY_PAGE_OFFSET_OFFSET = 10;
    public static final int COPY_LEN_OFFSET = 32;
    public static final int COPY_FLAGS_OFFSET = 34;
    public static final int COPY_STATUS_OFFSET = 36;
    public static final int COPY_LENGTH = 40;
    /** Copy flags: the source (dest) names a grant reference, not a frame of the caller. */
    public static final int COPY_SOURCE_GREF = 1;
    public static final int COPY_DEST_GREF = 2;

    // ---------------------------------------------------------------- errors (a0): Xen's errno values, negated

    public static final long OK = 0;
    public static final long EPERM = -1;
    public static final long ENOENT = -2;
    public static final long ESRCH = -3;
    public static final long EAGAIN = -11;
    public static final long EFAULT = -14;
    public static final long EBUSY = -16;
    public static final long EINVAL = -22;
    public static final long ENOSPC = -28;
    public static final long ENOSYS = -38;

    // ---------------------------------------------------------------- device tree

    /** The node a domain that may use hypercalls has at the root of its device tree. */
    public static final String DT_NODE = "hypervisor";
    public static final String DT_COMPATIBLE = "javisor,hypervisor";
    public static final String DT_EID_PROPERTY = "javisor,sbi-extension";
    public static final String DT_VERSION_PROPERTY = "javisor,abi-version";

    private HypercallDescriptor()
    {
    }
}
