package io.javisor.core.junit;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.DomainType;
import io.javisor.core.HvmGuest;
import io.javisor.core.Hypervisor;
import io.javisor.core.toolstack.DomainConsole;
import io.javisor.core.toolstack.DomainInfo;
import io.javisor.core.toolstack.Toolstack;
import io.javisor.core.toolstack.config.XlConfig;
import io.javisor.core.toolstack.config.XlConfigReader;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.RecordingConsole;

import java.util.List;

/**
 * Creates the domains that {@link JavaDomain}, {@link GuestDomain} and {@link XlDomain} describe,
 * through the embedding API and the toolstack as a program would. A domain that fails half-way
 * (a bad disk spec, a kernel that does not fit) is destroyed before the error is thrown. Stateless;
 * called on the test's thread.
 */
final class AnnotatedDomains
{
    private AnnotatedDomains()
    {
    }

    /** A light PV domain, unpaused, with its disks and vifs attached in order. */
    static Domain javaDomain(final Hypervisor hypervisor, final JavaDomain spec, final String name)
    {
        final Domain domain = hypervisor.createDomain(DomainConfig.pv(name, spec.memoryMiB()));
        try
        {
            domain.unpause();
            for (final String disk : spec.disk())
            {
                hypervisor.backends().attachDisk(domain, disk);
            }
            for (final String vif : spec.vif())
            {
                hypervisor.backends().attachVif(domain, vif);
            }
            return domain;
        }
        catch (final RuntimeException ex)
        {
            hypervisor.destroyDomain(domain.id());
            throw ex;
        }
    }

    /** A RISC-V guest on an HVM or PV domain, its devices attached, started. */
    static Guest guestDomain(final Hypervisor hypervisor, final GuestDomain spec, final String name, final ClassLoader loader)
    {
        final ElfImage kernel = TestFiles.elf(spec.elf(), loader);
        if (spec.type() == DomainType.HVM && spec.boot() == BootMode.EXTERNAL)
        {
            throw new IllegalArgumentException("boot: EXTERNAL needs a firmware file; use an xl.cfg with bios = \"PATH\" (@XlDomain)");
        }
        final boolean hvm = spec.type() == DomainType.HVM;
        final Domain domain = hypervisor.createDomain(hvm ?
            DomainConfig.hvm(name, spec.memoryMiB()) : DomainConfig.pv(name, spec.memoryMiB()));
        try
        {
            for (final String disk : spec.disk())
            {
                if (hvm)
                {
                    hypervisor.backends().attachHvmDisk(domain, disk);
                }
                else
                {
                    hypervisor.backends().attachDisk(domain, disk);
                }
            }
            for (final String vif : spec.vif())
            {
                if (hvm)
                {
                    hypervisor.backends().attachHvmVif(domain, vif);
                }
                else
                {
                    hypervisor.backends().attachVif(domain, vif);
                }
            }
            final RecordingConsole console = new RecordingConsole(spec.input());
            final MachineConfig machine = new MachineConfig().kernel(kernel).console(console);
            if (!spec.bootargs().isEmpty())
            {
                machine.bootargs(spec.bootargs());
            }
            if (spec.maxInstructions() > 0)
            {
                machine.maxInstructions(spec.maxInstructions());
            }
            final HvmGuest vcpu = hvm ? hypervisor.startHvm(domain, machine.bootMode(spec.boot())) :
                hypervisor.startPv(domain, machine);
            return new Guest(domain, vcpu, console::bytes);
        }
        catch (final RuntimeException ex)
        {
            hypervisor.destroyDomain(domain.id());
            throw ex;
        }
    }

    /** A domain the toolstack created from an xl.cfg, as {@code xl create FILE KEY=VALUE...}. */
    static Guest xlDomain(final Toolstack toolstack, final XlDomain spec, final ClassLoader loader)
    {
        final XlConfig config = new XlConfigReader().read(TestFiles.xlConfig(spec.value(), loader), List.of(spec.overrides()));
        // The toolstack's life-cycle actions take its monitor: holding it, the domain cannot be
        // destroyed (on_poweroff) between its creation and this handle's.
        synchronized (toolstack)
        {
            final DomainInfo info = toolstack.create(config, false);
            final Domain domain = toolstack.hypervisor().domain(info.id());
            final DomainConsole console = toolstack.console(info.name());
            return new Guest(domain, null, console::history);
        }
    }
}
