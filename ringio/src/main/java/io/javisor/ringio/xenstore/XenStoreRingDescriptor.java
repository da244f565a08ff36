package io.javisor.ringio.xenstore;

/**
 * Xen's xenstore wire protocol over a shared page ({@code xs_wire.h}): the ring page a guest that
 * runs its own code talks to the store through, and the messages on it.
 * <pre>
 *   0     req[1024]          guest -> store, a byte ring
 *   1024  rsp[1024]          store -> guest
 *   2048  u32 req_cons       written by the store
 *   2052  u32 req_prod       written by the guest
 *   2056  u32 rsp_cons       written by the guest
 *   2060  u32 rsp_prod       written by the store
 *   2064  u32 server_features, 2068 u32 connection, 2072 u32 error
 * </pre>
 * Indices are free-running u32 byte counts; a byte's slot is its index & 1023. A message is a
 * 16-byte header {u32 type, u32 req_id, u32 tx_id, u32 len} and {@code len} (≤ 4096) payload bytes,
 * generally NUL-terminated strings; a reply echoes type (or {@link #XS_ERROR}), req_id and tx_id.
 */
public final class XenStoreRingDescriptor
{
    public static final int RING_SIZE = 1024;
    public static final int REQ_OFFSET = 0;
    public static final int RSP_OFFSET = 1024;
    public static final int REQ_CONS_OFFSET = 2048;
    public static final int REQ_PROD_OFFSET = 2052;
    public static final int RSP_CONS_OFFSET = 2056;
    public static final int RSP_PROD_OFFSET = 2060;
    public static final int SERVER_FEATURES_OFFSET = 2064;
    public static final int CONNECTION_OFFSET = 2068;
    public static final int ERROR_OFFSET = 2072;
    public static final int LENGTH = 2076;

    public static final int HEADER_LENGTH = 16;
    public static final int TYPE_OFFSET = 0;
    public static final int REQ_ID_OFFSET = 4;
    public static final int TX_ID_OFFSET = 8;
    public static final int LEN_OFFSET = 12;
    public static final int PAYLOAD_MAX = 4096;

    public static final int XS_CONTROL = 0;
    public static final int XS_DIRECTORY = 1;
    public static final int XS_READ = 2;
    public static final int XS_GET_PERMS = 3;
    public static final int XS_WATCH = 4;
    public static final int XS_UNWATCH = 5;
    public static final int XS_TRANSACTION_START = 6;
    public static final int XS_TRANSACTION_END = 7;
    public static final int XS_INTRODUCE = 8;
    public static final int XS_RELEASE = 9;
    public static final int XS_GET_DOMAIN_PATH = 10;
    public static final int XS_WRITE = 11;
    public static final int XS_MKDIR = 12;
    public static final int XS_RM = 13;
    public static final int XS_SET_PERMS = 14;
    public static final int XS_WATCH_EVENT = 15;
    public static final int XS_ERROR = 16;
    public static final int XS_IS_DOMAIN_INTRODUCED = 17;
    public static final int XS_RESUME = 18;
    public static final int XS_SET_TARGET = 19;
    public static final int XS_RESET_WATCHES = 21;

    /** {@code connection}: the store serves the ring. */
    public static final int CONNECTED = 0;

    private XenStoreRingDescriptor()
    {
    }
}
