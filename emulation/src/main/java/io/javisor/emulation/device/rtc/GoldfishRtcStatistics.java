package io.javisor.emulation.device.rtc;

/**
 * What the RTC did: register exits, time reads, alarms fired. Written by the vCPU thread only (the
 * device's single writer); read by other threads racily, as monitoring figures.
 */
public final class GoldfishRtcStatistics
{
    long exits;
    long timeReads;
    long alarmsFired;

    public long exits()
    {
        return exits;
    }

    public long timeReads()
    {
        return timeReads;
    }

    public long alarmsFired()
    {
        return alarmsFired;
    }

    @Override
    public String toString()
    {
        return "GoldfishRtcStatistics{exits=" + exits + ", timeReads=" + timeReads + ", alarmsFired=" + alarmsFired + '}';
    }
}
