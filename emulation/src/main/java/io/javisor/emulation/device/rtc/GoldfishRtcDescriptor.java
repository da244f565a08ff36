package io.javisor.emulation.device.rtc;

/**
 * The goldfish RTC's register window (Linux {@code rtc-goldfish}, DT {@code google,goldfish-rtc}), at
 * QEMU {@code virt}'s address and interrupt. All registers are 32 bits; the time is nanoseconds since
 * the Unix epoch.
 */
public final class GoldfishRtcDescriptor
{
    /** QEMU virt's RTC: 0x0010_1000, 4 KiB, PLIC source 11. */
    public static final long BASE = 0x0010_1000L;
    public static final long SIZE = 0x1000L;
    public static final int IRQ = 11;
    public static final String COMPATIBLE = "google,goldfish-rtc";

    /** Read: the current time's low 32 bits, latching its high 32 bits for {@link #TIME_HIGH}. Write: set them. */
    public static final int TIME_LOW = 0x00;
    /** Read: the high 32 bits latched by the last {@link #TIME_LOW} read. Write: the high half of a new time. */
    public static final int TIME_HIGH = 0x04;
    /** Write: the alarm's low 32 bits, which arms it (with {@link #ALARM_HIGH} as written before). */
    public static final int ALARM_LOW = 0x08;
    public static final int ALARM_HIGH = 0x0C;
    /** Read/write: 1 lets the alarm raise the interrupt. */
    public static final int IRQ_ENABLED = 0x10;
    /** Write: disarm the alarm. */
    public static final int CLEAR_ALARM = 0x14;
    /** Read: 1 while an alarm is armed and has not fired. */
    public static final int ALARM_STATUS = 0x18;
    /** Write: lower the interrupt. */
    public static final int CLEAR_INTERRUPT = 0x1C;

    private GoldfishRtcDescriptor()
    {
    }
}
