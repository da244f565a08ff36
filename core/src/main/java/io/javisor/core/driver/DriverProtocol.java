package io.javisor.core.driver;

import java.util.concurrent.TimeUnit;

/**
 * The one channel between the hypervisor process and a driver domain process: a Unix domain stream
 * socket carrying length-prefixed messages, {@code u32 length | u8 type | payload} (big-endian, the
 * length counts type and payload, at most {@link #MAX_MESSAGE} bytes). Strings are {@code i32
 * length | UTF-8 bytes}, length -1 for none.
 * <p>
 * The driver domain asks, the hypervisor answers each request with one {@link #REPLY} in order;
 * the driver domain has at most one request outstanding (its calls are serialised), so a reply
 * needs no id. Two messages are one-way: {@link #EVT_SEND} (driver domain to hypervisor, the data
 * path's doorbell) and the hypervisor's {@link #EVT_PENDING} and {@link #WATCH_FIRED}. Every
 * request is carried out as the driver domain's own domain: xenstore through its connection, grants
 * through its grant mapper (so the granter's table decides), event channels through its ports.
 * <pre>
 * driver domain -> hypervisor               hypervisor -> driver domain
 * HELLO      i64 token, i64 pid             CONFIG      i32 domid, str memory file, i64 length
 * XS_READ    str path                       ATTACH      i32 frontend, i32 device, str image, u8 ro
 * XS_WRITE   str path, str value            ATTACH_VIF  i32 frontend, i32 handle, str vif spec (canonical)
 *                                           ACTIVATE
 *                                           REPLY       i32 status, i64 value, str text
 * XS_WATCH   str path, str token            EVT_PENDING i32 port
 * XS_UNWATCH str path, str token            WATCH_FIRED str path, str token
 * GNT_MAP    i32 granter, i32 ref, u8 ro    (reply: status = handle or GNTST code, value = file offset)
 * GNT_UNMAP  i32 handle
 * EVT_BIND   i32 remote domid, i32 remote port (reply: status = local port or -errno)
 * EVT_CLOSE  i32 port
 * EVT_SEND   i32 port                       (one-way)
 *                                           DETACH      i32 frontend, i32 device
 *                                           DETACH_VIF  i32 frontend, i32 handle
 * DETACHED   str device token               (one-way)
 *                                           SHARE_BRIDGE str bridge
 * UPLINK_FRAME str bridge, bytes frame      FRAME       str bridge, bytes frame   (both one-way)
 * </pre>
 * Bytes are {@code i32 length | bytes}. A bridge shared with dom0 ({@link #SHARE_BRIDGE}) joins the
 * driver domain's bridge of that name to dom0's through an uplink: a frame the driver domain's bridge
 * floods, or sends to a MAC it learnt from the uplink, crosses the channel as an UPLINK_FRAME and is
 * switched by dom0's bridge; a frame dom0's bridge sends to the uplink comes back as a FRAME and is
 * switched by the driver domain's. The frames are copied over the socket (the data path of vifs on
 * one side stays zero-copy into granted frames).
 * A DETACH (block-detach, network-detach) asks the process to close the device through xenbus: the
 * back end goes Closing, the front end answers by closing (or is given up on after
 * {@link #FRONTEND_CLOSE_GRACE_NANOS}), then
 * the back end unmaps the device's grants, closes its event channel and watch, ends the device's
 * thread, goes Closed and says DETACHED with the device's token ({@code vbd-FRONTEND-DEVICE},
 * {@code vif-FRONTEND-HANDLE}); the hypervisor then removes both xenstore directories. A spare
 * forgets the device without a word (it may not speak before it is activated).
 * A process is sent its CONFIG, ATTACHes and ATTACH_VIFs as soon as it has said hello, so that a spare opens its
 * files and starts its device threads ahead; it acts (publishes its back ends) only after ACTIVATE,
 * and a request before that is a violation.
 * <p>
 * Anything else (an unknown type, a bad length, a payload that does not parse, a request before
 * HELLO) is a protocol violation: the hypervisor drops the connection and kills the process.
 */
public final class DriverProtocol
{
    public static final int VERSION = 1;
    /** Largest message after the length word: a 64 KiB frame with its bridge's name fits. */
    public static final int MAX_MESSAGE = 80 * 1024;

    public static final byte HELLO = 1;
    public static final byte XS_READ = 2;
    public static final byte XS_WRITE = 3;
    public static final byte XS_WATCH = 4;
    public static final byte XS_UNWATCH = 5;
    public static final byte GNT_MAP = 6;
    public static final byte GNT_UNMAP = 7;
    public static final byte EVT_BIND = 8;
    public static final byte EVT_CLOSE = 9;
    public static final byte EVT_SEND = 10;
    public static final byte DETACHED = 11;
    public static final byte UPLINK_FRAME = 12;

    public static final byte CONFIG = 64;
    public static final byte ATTACH = 65;
    public static final byte ACTIVATE = 69;
    public static final byte ATTACH_VIF = 70;
    public static final byte DETACH = 71;
    public static final byte DETACH_VIF = 72;
    public static final byte SHARE_BRIDGE = 73;
    public static final byte FRAME = 74;
    public static final byte REPLY = 66;
    public static final byte EVT_PENDING = 67;
    public static final byte WATCH_FIRED = 68;

    /** How long a detaching back end waits for its front end to close before it closes alone. */
    public static final long FRONTEND_CLOSE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** REPLY status of a xenstore request that failed; the text says why. */
    public static final int XS_ERROR = -1;

    private DriverProtocol()
    {
    }
}
