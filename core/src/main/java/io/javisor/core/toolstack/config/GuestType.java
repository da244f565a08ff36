package io.javisor.core.toolstack.config;

import io.javisor.core.DomainType;

/**
 * What a config's {@code type} asks for. Immutable (an enum).
 */
public enum GuestType
{
    /** A RISC-V kernel on the PV board: no emulated devices, all IO through rings and hypercalls. */
    PV("pv", DomainType.PV),
    /** A RISC-V guest on the emulated virt board, booted as {@code bios} says. */
    HVM("hvm", DomainType.HVM),
    /**
     * javisor's own: a Java class that plays the guest's kernel and drives the PV front ends
     * directly, a PV domain with no vCPU (as the README's Java guests are).
     */
    JAVA("java", DomainType.PV);

    private final String xlName;
    private final DomainType domainType;

    GuestType(final String xlName, final DomainType domainType)
    {
        this.xlName = xlName;
        this.domainType = domainType;
    }

    /** As written in a config: {@code pv}, {@code hvm}, {@code java}. */
    public String xlName()
    {
        return xlName;
    }

    /** The kind of domain the hypervisor builds for it. */
    public DomainType domainType()
    {
        return domainType;
    }

    /** The type named {@code xlName} exactly, or null. */
    public static GuestType fromXlName(final String xlName)
    {
        for (final GuestType type : values())
        {
            if (type.xlName.equals(xlName))
            {
                return type;
            }
        }
        return null;
    }
}
