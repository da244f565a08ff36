package io.javisor.netback;

/**
 * The xenstore keys of the netif handshake (REFERENCE.md, Xen's io/netif.h), in one place.
 */
public final class NetifXenstoreKeys
{
    public static final String DEVICE_TYPE = "vif";

    // Back end → front end.
    public static final String FEATURE_RX_COPY = "feature-rx-copy";
    public static final String FEATURE_RX_FLIP = "feature-rx-flip";
    public static final String FEATURE_SG = "feature-sg";
    public static final String FEATURE_GSO_TCPV4 = "feature-gso-tcpv4";
    public static final String FEATURE_SPLIT_EVENT_CHANNELS = "feature-split-event-channels";
    public static final String MULTI_QUEUE_MAX_QUEUES = "multi-queue-max-queues";
    public static final String MAC = "mac";
    public static final String BRIDGE = "bridge";
    public static final String RATE = "rate";
    public static final String HANDLE = "handle";
    public static final String ERROR = "error";

    // Front end → back end.
    public static final String TX_RING_REF = "tx-ring-ref";
    public static final String RX_RING_REF = "rx-ring-ref";
    public static final String EVENT_CHANNEL = "event-channel";
    public static final String REQUEST_RX_COPY = "request-rx-copy";
    public static final String FEATURE_RX_NOTIFY = "feature-rx-notify";

    private NetifXenstoreKeys()
    {
    }
}
