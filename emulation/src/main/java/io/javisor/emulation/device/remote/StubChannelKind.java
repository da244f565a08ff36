package io.javisor.emulation.device.remote;

/**
 * How register accesses travel between a guest's vCPU and its stub domain (the set-up always uses
 * the socket):
 * <ul>
 * <li>{@link #SOCKET}: each request and reply is a frame on the Unix socket; both ends block in the
 * kernel, so every access costs two wake-ups across processes (about 11 us p50 measured, see
 * {@code javisor bench stubdom}).</li>
 * <li>{@link #MAILBOX}: the frames go through a small shared-memory file ({@link Mailbox}); each end
 * spins for a short while ({@link Mailbox#spinNanos()}) before it parks in a read of the socket, which
 * then carries only wake-up bytes. A burst of accesses (an ATA sector's 256 data words) costs a
 * shared-memory round trip each, an idle stub costs no CPU after its spin.</li>
 * </ul>
 */
public enum StubChannelKind
{
    SOCKET, MAILBOX
}
