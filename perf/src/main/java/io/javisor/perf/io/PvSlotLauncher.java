package io.javisor.perf.io;

import io.javisor.emulation.guests.DiskIoJob;
import io.javisor.emulation.guests.GuestImages;

/**
 * The place of a domain type that has no launcher in this build yet (variants 2 and 3: a PV domain,
 * PV-on-HVM): it says whether the guest ELF exists and that nothing boots it. A launcher for the
 * domain type, running the disk-io job protocol on it, replaces this one. Stateless.
 */
final class PvSlotLauncher implements GuestLauncher
{
    private final String domainType;

    PvSlotLauncher(final String domainType)
    {
        this.domainType = domainType;
    }

    @Override
    public String unavailable(final String guest)
    {
        if (!GuestImages.names().contains(guest))
        {
            return "not built yet (no " + guest + ".elf among the guests)";
        }
        return "not built yet (" + guest + ".elf exists; no " + domainType + " launcher in this build)";
    }

    @Override
    public String clock()
    {
        return "guest time CSR";
    }

    @Override
    public long timebaseHz()
    {
        return io.javisor.emulation.machine.MachineConfig.MAX_TIMEBASE_HZ;
    }

    @Override
    public void open(final long diskBytes)
    {
        throw new IllegalStateException(unavailable("disk-io-pv"));
    }

    @Override
    public GuestRun run(final String guest, final DiskIoJob job)
    {
        throw new IllegalStateException(unavailable(guest));
    }

    @Override
    public void close()
    {
    }
}
