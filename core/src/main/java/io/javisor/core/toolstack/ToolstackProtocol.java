package io.javisor.core.toolstack;

import java.nio.file.Path;

/**
 * The daemon's wire protocol, version {@link #VERSION}: over a Unix domain socket, each request is
 * one line of JSON, {@code {"version":1,"command":"list","args":{...}}}, and each reply one line,
 * {@code {"version":1,"ok":true,"result":...}} or {@code {"version":1,"ok":false,"error":"one line"}}.
 * A connection carries any number of requests in turn. {@code console} is the exception: after its
 * {@code ok} reply the connection carries raw bytes both ways (the guest's output to the client,
 * the client's keys to the guest) until either side closes it. Field names, commands and limits
 * only.
 */
public final class ToolstackProtocol
{
    public static final int VERSION = 1;
    /** The longest request line the daemon reads; a longer one is refused and the connection closed. */
    public static final int MAX_LINE = 1 << 20;
    /** Clients served at once; more are refused with an error reply. */
    public static final int MAX_CLIENTS = 64;

    public static final String FIELD_VERSION = "version";
    public static final String FIELD_COMMAND = "command";
    public static final String FIELD_ARGS = "args";
    public static final String FIELD_OK = "ok";
    public static final String FIELD_RESULT = "result";
    public static final String FIELD_ERROR = "error";

    public static final String CREATE = "create";
    public static final String LIST = "list";
    public static final String DESTROY = "destroy";
    public static final String SHUTDOWN = "shutdown";
    public static final String REBOOT = "reboot";
    public static final String PAUSE = "pause";
    public static final String UNPAUSE = "unpause";
    public static final String CONSOLE = "console";
    public static final String INFO = "info";
    public static final String DMESG = "dmesg";
    public static final String VCPU_LIST = "vcpu-list";
    public static final String SCHED_CREDIT = "sched-credit";
    public static final String BLOCK_ATTACH = "block-attach";
    public static final String BLOCK_DETACH = "block-detach";
    public static final String NETWORK_ATTACH = "network-attach";
    public static final String NETWORK_DETACH = "network-detach";
    public static final String SAVE = "save";
    public static final String RESTORE = "restore";

    private ToolstackProtocol()
    {
    }

    /**
     * Where the daemon listens unless told otherwise: {@code $XDG_RUNTIME_DIR/javisor/daemon.sock},
     * else {@code <tmpdir>/javisor-<user>/daemon.sock}.
     */
    public static Path defaultSocket()
    {
        final String runtime = System.getenv("XDG_RUNTIME_DIR");
        final Path dir = runtime != null && !runtime.isBlank() ? Path.of(runtime, "javisor") :
            Path.of(System.getProperty("java.io.tmpdir"), "javisor-" + System.getProperty("user.name"));
        return dir.resolve("daemon.sock");
    }
}
