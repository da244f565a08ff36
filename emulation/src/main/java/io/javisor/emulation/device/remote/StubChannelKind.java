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
 * SOCKET is the default, by measurement ({@code javisor bench stubdom}) on the project's 2-core
 * machine shared with other work (load average 4.4 to 5.2): in six runs a register access through
 * the socket took 11.0 to 12.3 us p50 every time, while through the mailbox it took anywhere from
 * 1.1 us to 68 us p50 (2 spinning threads want both cores; when another process holds one, a spinner
 * waits out a scheduler slice for its peer), and from guest code an ATA exit cost 12.5 to 25 us
 * through the socket against 17 to 100 us through the mailbox. A bare spinning shared-memory round
 * trip is 0.15 to 0.7 us p50 there, so the mailbox is for hosts with cores to spare.
 */
public enum StubChannelKind
{
    SOCKET, MAILBOX
}
