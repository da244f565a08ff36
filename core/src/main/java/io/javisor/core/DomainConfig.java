package io.javisor.core;

import io.javisor.memory.GrantTable;
import io.javisor.ringio.event.SharedInfoDescriptor;

/**
 * What a domain is built from (the subset of xl.cfg this issue needs). Immutable; validated by
 * {@link #validate()} with one-line messages that name the bad setting.
 */
public record DomainConfig(String name, DomainType type, int memoryMiB, int vcpus, int grantFrames, int maxEventChannels)
{
    public static final int DEFAULT_GRANT_FRAMES = 4;
    public static final int DEFAULT_EVENT_CHANNELS = 1024;

    public static DomainConfig pv(final String name, final int memoryMiB)
    {
        return new DomainConfig(name, DomainType.PV, memoryMiB, 1, DEFAULT_GRANT_FRAMES, DEFAULT_EVENT_CHANNELS);
    }

    /** An HVM domain: a RISC-V guest on the virt board, started with {@link Hypervisor#startHvm}. */
    public static DomainConfig hvm(final String name, final int memoryMiB)
    {
        return new DomainConfig(name, DomainType.HVM, memoryMiB, 1, DEFAULT_GRANT_FRAMES, DEFAULT_EVENT_CHANNELS);
    }

    public DomainConfig withGrantFrames(final int frames)
    {
        return new DomainConfig(name, type, memoryMiB, vcpus, frames, maxEventChannels);
    }

    /**
     * A light domain's count, or dom0's beyond the 2-level ABI (which {@link #validate()} refuses for
     * a guest: guest code sees the 2-level ABI only).
     */
    public DomainConfig withMaxEventChannels(final int ports)
    {
        return new DomainConfig(name, type, memoryMiB, vcpus, grantFrames, ports);
    }

    public DomainConfig validate()
    {
        if (name == null || name.isBlank())
        {
            throw new IllegalArgumentException("name: a domain needs a name");
        }
        if (!name.matches("[A-Za-z0-9_.-]{1,64}"))
        {
            throw new IllegalArgumentException("name: '" + name + "' may only use letters, digits, '_', '.', '-' (1-64 chars)");
        }
        if (memoryMiB <= 0 || memoryMiB > 1 << 20)
        {
            throw new IllegalArgumentException("memory: " + memoryMiB + " MiB is not between 1 and 1048576");
        }
        if (vcpus < 1 || vcpus > SharedInfoDescriptor.MAX_VCPUS)
        {
            throw new IllegalArgumentException("vcpus: " + vcpus + " is not between 1 and " + SharedInfoDescriptor.MAX_VCPUS);
        }
        if (grantFrames < 1 || grantFrames > GrantTable.MAX_FRAMES)
        {
            throw new IllegalArgumentException("grant frames: " + grantFrames + " is not between 1 and " + GrantTable.MAX_FRAMES);
        }
        if (maxEventChannels < 2 || maxEventChannels > SharedInfoDescriptor.NR_EVENT_CHANNELS)
        {
            throw new IllegalArgumentException("event channels: " + maxEventChannels + " is not between 2 and " +
                SharedInfoDescriptor.NR_EVENT_CHANNELS);
        }
        return this;
    }

    public int memoryFrames()
    {
        return memoryMiB * (1 << 20) / io.javisor.memory.PageDescriptor.PAGE_SIZE;
    }
}
