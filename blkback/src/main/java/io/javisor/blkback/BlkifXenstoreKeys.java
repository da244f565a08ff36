package io.javisor.blkback;

/**
 * The xenstore keys of the blkif handshake (REFERENCE.md, Xen's io/blkif.h), in one place.
 */
public final class BlkifXenstoreKeys
{
    public static final String DEVICE_TYPE = "vbd";

    // Back end → front end.
    public static final String FEATURE_FLUSH_CACHE = "feature-flush-cache";
    public static final String FEATURE_BARRIER = "feature-barrier";
    public static final String FEATURE_DISCARD = "feature-discard";
    public static final String DISCARD_GRANULARITY = "discard-granularity";
    public static final String DISCARD_ALIGNMENT = "discard-alignment";
    public static final String DISCARD_SECURE = "discard-secure";
    public static final String FEATURE_PERSISTENT = "feature-persistent";
    public static final String FEATURE_MAX_INDIRECT_SEGMENTS = "feature-max-indirect-segments";
    public static final String MAX_RING_PAGE_ORDER = "max-ring-page-order";
    public static final String SECTORS = "sectors";
    public static final String SECTOR_SIZE = "sector-size";
    public static final String PHYSICAL_SECTOR_SIZE = "physical-sector-size";
    public static final String INFO = "info";
    public static final String MODE = "mode";
    public static final String ERROR = "error";

    // Front end → back end.
    public static final String RING_REF = "ring-ref";
    public static final String EVENT_CHANNEL = "event-channel";
    public static final String PROTOCOL = "protocol";
    public static final String PROTOCOL_64 = "x86_64-abi";

    private BlkifXenstoreKeys()
    {
    }
}
