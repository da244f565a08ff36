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
 * SOCKET is the default, by measurement ({@code javisor bench stubdom}, 19 runs on the project's
 * 2-core machine shared with other work, load average 3.8 to 5.2). Through the socket an ATA exit
 * from guest code cost 11.6 to 25 us (12.3 to 14.6 in most runs) and a register access 10.0 to
 * 12.9 us p50 in 17 runs (32 and 60 us in two), with no CPU used while waiting. Through the mailbox a register access took
 * 0.16 to 0.9 us p50 when both ends had a core, but an exit from guest code with a pure spin was
 * bimodal, 1.9 to 2.1 us or 100 to 115 us (two spinners on one core hand over only when one parks);
 * with the spin yielding the core after {@code PURE_SPINS} pauses it cost 7.7 to 21 us, worse than
 * the socket in 3 runs of 4, and it keeps a core busy while the guest does IO. The bare round trips
 * there: 10.9 to 12.4 us p50 on a Unix socket, 0.14 to 0.7 us p50 spinning on shared memory (with
 * tails of milliseconds). The mailbox is for hosts with cores to spare
 * ({@code -Djavisor.stubdom.channel=mailbox}).
 */
public enum StubChannelKind
{
    SOCKET, MAILBOX
}
