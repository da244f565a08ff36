package io.javisor.emulation.sbi;

/**
 * What {@link SbiFirmware} needs from the board it runs on. Implemented by the board; every
 * method is called on the hart's thread, from inside an ECALL, and must not block for long.
 */
public interface SbiPlatform
{
    /** Write one byte to the debug console (the low 8 bits of {@code b}). */
    void consoleWrite(int b);

    /** @return the next byte of console input (0..255), or -1 when none is waiting. */
    int consoleRead();

    /** @return the platform timer, {@code mtime}: ticks of the board's time base (the device tree's timebase-frequency). */
    long mtime();

    /**
     * Program the supervisor timer: STIP is to rise once {@code mtime >= stimeValue} (compared
     * unsigned). The firmware has already cleared STIP; the board raises it when the deadline
     * passes. {@code -1} effectively means "never".
     */
    void setSupervisorTimer(long stimeValue);

    /** Forget any decoded or translated instructions (a remote FENCE.I). */
    void flushInstructionCache();

    /** Forget all cached address translations (a remote SFENCE.VMA; also after satp changes). */
    void flushTlb();

    /** A hypercall was answered: re-evaluate the upcall line (SEIP) before the guest goes on. */
    default void hypercallDone()
    {
    }
}
