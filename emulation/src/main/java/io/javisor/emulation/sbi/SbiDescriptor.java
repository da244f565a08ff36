package io.javisor.emulation.sbi;

/**
 * The numbers of the RISC-V Supervisor Binary Interface that javisor implements, in one place:
 * extension ids (EID, in a7), function ids (FID, in a6), error codes (returned in a0) and the
 * values some functions take or return. EIDs and FIDs are signed 32-bit values sign-extended into
 * the 64-bit registers. Numbers as in the SBI specification v2.0.
 */
public final class SbiDescriptor
{
    // ---------------------------------------------------------------- version and identity

    /** SBI v2.0: major in bits 30..24, minor in bits 23..0. */
    public static final long SPEC_VERSION = 2L << 24;
    /**
     * javisor's implementation id. javisor has no id in the specification's registry (0 BBL,
     * 1 OpenSBI, 2 Xvisor, 3 KVM, 4 RustSBI, 5 Diosix, 6 Coffer, 7 Xen Project, 8 PolarFire HSS,
     * 9 coreboot, 10 oreboot, 11 bhyve, allocated sequentially from 0), so it uses "JVS" in ASCII,
     * far above that sequence so that it cannot collide with a future registration.
     */
    public static final long IMPL_ID = 0x4A5653L;
    /** Implementation version, javisor's own encoding: major << 16 | minor << 8 | patch (0.1.0). */
    public static final long IMPL_VERSION = 0x00_01_00L;

    // ---------------------------------------------------------------- extension ids

    public static final int EID_LEGACY_SET_TIMER = 0x00;
    public static final int EID_LEGACY_CONSOLE_PUTCHAR = 0x01;
    public static final int EID_LEGACY_CONSOLE_GETCHAR = 0x02;
    public static final int EID_LEGACY_CLEAR_IPI = 0x03;
    public static final int EID_LEGACY_SEND_IPI = 0x04;
    public static final int EID_LEGACY_REMOTE_FENCE_I = 0x05;
    public static final int EID_LEGACY_REMOTE_SFENCE_VMA = 0x06;
    public static final int EID_LEGACY_REMOTE_SFENCE_VMA_ASID = 0x07;
    public static final int EID_LEGACY_SHUTDOWN = 0x08;
    public static final int EID_BASE = 0x10;
    /** "TIME" */
    public static final int EID_TIME = 0x54494D45;
    /** "sPI" */
    public static final int EID_IPI = 0x735049;
    /** "RFNC" */
    public static final int EID_RFENCE = 0x52464E43;
    /** "HSM" */
    public static final int EID_HSM = 0x48534D;
    /** "SRST" */
    public static final int EID_SRST = 0x53525354;
    /** "DBCN" */
    public static final int EID_DBCN = 0x4442434E;
    /** Firmware-specific extension space; javisor's hypercalls live here (HypercallDescriptor.EID). */
    public static final int EID_FIRMWARE_FIRST = 0x0A00_0000;
    public static final int EID_FIRMWARE_LAST = 0x0AFF_FFFF;

    // ---------------------------------------------------------------- function ids

    public static final int FID_BASE_GET_SPEC_VERSION = 0;
    public static final int FID_BASE_GET_IMPL_ID = 1;
    public static final int FID_BASE_GET_IMPL_VERSION = 2;
    public static final int FID_BASE_PROBE_EXTENSION = 3;
    public static final int FID_BASE_GET_MVENDORID = 4;
    public static final int FID_BASE_GET_MARCHID = 5;
    public static final int FID_BASE_GET_MIMPID = 6;

    public static final int FID_TIME_SET_TIMER = 0;

    public static final int FID_IPI_SEND_IPI = 0;

    public static final int FID_RFENCE_REMOTE_FENCE_I = 0;
    public static final int FID_RFENCE_REMOTE_SFENCE_VMA = 1;
    public static final int FID_RFENCE_REMOTE_SFENCE_VMA_ASID = 2;
    public static final int FID_RFENCE_REMOTE_HFENCE_GVMA_VMID = 3;
    public static final int FID_RFENCE_REMOTE_HFENCE_GVMA = 4;
    public static final int FID_RFENCE_REMOTE_HFENCE_VVMA_ASID = 5;
    public static final int FID_RFENCE_REMOTE_HFENCE_VVMA = 6;

    public static final int FID_HSM_HART_START = 0;
    public static final int FID_HSM_HART_STOP = 1;
    public static final int FID_HSM_HART_GET_STATUS = 2;
    public static final int FID_HSM_HART_SUSPEND = 3;

    public static final int FID_SRST_SYSTEM_RESET = 0;

    public static final int FID_DBCN_CONSOLE_WRITE = 0;
    public static final int FID_DBCN_CONSOLE_READ = 1;
    public static final int FID_DBCN_CONSOLE_WRITE_BYTE = 2;

    // ---------------------------------------------------------------- error codes (a0)

    public static final long SUCCESS = 0;
    public static final long ERR_FAILED = -1;
    public static final long ERR_NOT_SUPPORTED = -2;
    public static final long ERR_INVALID_PARAM = -3;
    public static final long ERR_DENIED = -4;
    public static final long ERR_INVALID_ADDRESS = -5;
    public static final long ERR_ALREADY_AVAILABLE = -6;
    public static final long ERR_ALREADY_STARTED = -7;
    public static final long ERR_ALREADY_STOPPED = -8;
    public static final long ERR_NO_SHMEM = -9;
    public static final long ERR_INVALID_STATE = -10;
    public static final long ERR_BAD_RANGE = -11;

    // ---------------------------------------------------------------- argument and result values

    /** hart_mask_base meaning "ignore hart_mask, all harts". */
    public static final long HART_MASK_BASE_ALL = -1;

    /** HSM hart states (hart_get_status value). */
    public static final long HSM_STATE_STARTED = 0;
    public static final long HSM_STATE_STOPPED = 1;
    public static final long HSM_STATE_START_PENDING = 2;
    public static final long HSM_STATE_STOP_PENDING = 3;
    public static final long HSM_STATE_SUSPENDED = 4;
    public static final long HSM_STATE_SUSPEND_PENDING = 5;
    public static final long HSM_STATE_RESUME_PENDING = 6;

    /** hart_suspend types; everything else is reserved or platform specific (unimplemented here). */
    public static final long HSM_SUSPEND_RETENTIVE = 0x0000_0000L;
    public static final long HSM_SUSPEND_NON_RETENTIVE = 0x8000_0000L;

    /** system_reset types. */
    public static final int SRST_TYPE_SHUTDOWN = 0;
    public static final int SRST_TYPE_COLD_REBOOT = 1;
    public static final int SRST_TYPE_WARM_REBOOT = 2;
    /** system_reset reasons. */
    public static final int SRST_REASON_NONE = 0;
    public static final int SRST_REASON_SYSTEM_FAILURE = 1;

    // ---------------------------------------------------------------- statistics slots

    /** Indices into {@link SbiFirmware#ecallCount(int)}: one slot per extension. */
    public static final int STAT_BASE = 0;
    public static final int STAT_TIME = 1;
    public static final int STAT_IPI = 2;
    public static final int STAT_RFENCE = 3;
    public static final int STAT_HSM = 4;
    public static final int STAT_SRST = 5;
    public static final int STAT_DBCN = 6;
    /** All legacy (v0.1) extensions, EIDs 0x00..0x08. */
    public static final int STAT_LEGACY = 7;
    /** ECALLs naming an extension javisor does not implement. */
    public static final int STAT_UNKNOWN = 8;
    /** javisor's hypercall extension, when the board answers it. */
    public static final int STAT_HYPERCALL = 9;
    public static final int STAT_COUNT = 10;

    private static final String[] STAT_NAMES = {
        "base", "time", "ipi", "rfence", "hsm", "srst", "dbcn", "legacy", "unknown", "hypercall"};

    private SbiDescriptor()
    {
    }

    /** @return the short name of a statistics slot, for reports (not for the ecall path). */
    public static String statName(final int stat)
    {
        return STAT_NAMES[stat];
    }
}
