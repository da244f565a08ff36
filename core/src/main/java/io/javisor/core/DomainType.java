package io.javisor.core;

/**
 * How a domain's code runs: {@code pv} has no emulated devices and does all IO through rings and
 * hypercalls; {@code hvm} runs on the emulated platform (and may use PV front ends too).
 */
public enum DomainType
{
    PV, HVM;

    public static DomainType parse(final String value)
    {
        return switch (value.trim().toLowerCase())
        {
            case "pv", "pvh" -> PV;
            case "hvm" -> HVM;
            default -> throw new IllegalArgumentException("unknown domain type '" + value + "' (expected pv or hvm)");
        };
    }
}
