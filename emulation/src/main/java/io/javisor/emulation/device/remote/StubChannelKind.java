package io.javisor.emulation.device.remote;

/**
 * How register accesses travel between a guest's vCPU and its stub domain (the set-up always uses
 * the socket):
 * <ul>
 * <li>{@link #SOCKET}: each request and reply is a frame on the Unix socket; both ends block in the
 * kernel, so every access costs two wake-ups across processes.</li>
 * <li>{@link #MAILBOX}: the frames go through a small shared-memory file ({@link Mailbox}); each end
 * spins for a short while ({@link Mailbox#spinNanos()}) before it parks in a read of the socket, which
 * then carries only wake-up bytes.</li>
 * </ul>
 * MAILBOX is the default, by measurement ({@code javisor bench stubdom}, 22 runs on the project's
 * 2-core machine shared with other work). What an ATA exit costs from guest code depends on the
 * machine's load, and the two kinds answer it in opposite ways. Under heavy load (load average 3.8
 * to 5.2) the socket cost 11.6 to 25 us (12.3 to 14.6 in most runs) and the mailbox, once its spin
 * yields the core after {@code PURE_SPINS} pauses, 7.7 to 21 us; with a pure spin the mailbox was
 * bimodal, 1.9 us or 100 to 115 us (two spinners on one core hand over only when one parks), which
 * the yield ended. On a quieter machine (load average 1.1 to 1.5) blocked threads wake slowly (idle
 * cores): the socket cost 46 to 68 us an exit and its bare round trip 45 to 65 us p50, where the
 * mailbox cost 0.67 to 10.7 us an exit (0.29 to 0.9 us a register access p50). Over the runs since
 * the yield, the mailbox's worst exit cost (21 us) is a third of the socket's (68 us) and its best
 * is twenty times better; its price is a core kept busy, yielding, for up to
 * {@link Mailbox#spinNanos()} after each access while the guest does IO. The socket stays for hosts
 * that cannot spare that ({@code -Djavisor.stubdom.channel=socket}).
 */
public enum StubChannelKind
{
    SOCKET, MAILBOX
}
