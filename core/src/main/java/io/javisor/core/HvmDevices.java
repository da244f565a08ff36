package io.javisor.core;

import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.DiskSpec;
import io.javisor.core.stubdom.StubDomain;
import io.javisor.emulation.device.remote.RemoteDeviceSpec;
import io.javisor.emulation.machine.HvmDeviceSpecs;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.memory.GuestMemory;
import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.spec.VifSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The emulated and virtio devices attached to one HVM domain before its guest starts: they become
 * devices of its machine at {@link Hypervisor#startHvm}, and their images are closed when the domain
 * is destroyed (after its vCPU has stopped). The machine itself takes its NICs off their bridges when
 * it closes.
 * <p>
 * Attach and release hold the {@link Dom0Backends}' monitor; start applies them outside it, once they are
 * sealed against attaches (and a release is a destroy's, which the hypervisor serialises with the start).
 */
final class HvmDevices
{
    /** A disk for the machine: what the spec asked for, on its image. */
    record Disk(DiskSpec spec, HvmDeviceSpecs.DiskKind kind, DiskImage image)
    {
    }

    /** A NIC for the machine: what the spec asked for, on its bridge. */
    record Nic(VifSpec spec, HvmDeviceSpecs.NicKind kind, Bridge bridge)
    {
    }

    private final List<Disk> disks = new ArrayList<>();
    private final List<Nic> nics = new ArrayList<>();
    /** The stub domain running the ATA disks' models, when the machine asked for one. */
    private StubDomain stub;

    void add(final Disk disk)
    {
        for (final Disk existing : disks)
        {
            if (existing.spec().vdev().equals(disk.spec().vdev()))
            {
                throw new IllegalArgumentException("disk " + disk.spec().vdev() + " is attached already");
            }
        }
        disks.add(disk);
    }

    void add(final Nic nic)
    {
        nics.add(nic);
    }

    List<Disk> disks()
    {
        return List.copyOf(disks);
    }

    List<Nic> nics()
    {
        return List.copyOf(nics);
    }

    /**
     * Makes every device part of {@code machine}; when it asks for a stub domain
     * ({@link MachineConfig#deviceModelStubDomain}) and has emulated or virtio disks or NICs, their models
     * run in one, started now, which opens the images itself (and maps the guest's RAM, for virtio); its
     * NICs join their bridges here.
     *
     * @throws io.javisor.emulation.device.remote.StubDomainException (one line) when the stub does not start
     * @throws IllegalArgumentException (one line) when virtio devices would run in a stub domain and
     *                                  {@code memory} is anonymous (the stub could not map it)
     */
    void applyTo(final MachineConfig machine, final String domainName, final GuestMemory memory)
    {
        final List<RemoteDeviceSpec> remote = new ArrayList<>();
        for (final Disk disk : disks)
        {
            if (machine.deviceModelStubDomain() && disk.kind() == HvmDeviceSpecs.DiskKind.ATA)
            {
                remote.add(RemoteDeviceSpec.ata(disk.spec().toString()));
            }
            else if (machine.deviceModelStubDomain() && disk.kind() == HvmDeviceSpecs.DiskKind.VIRTIO_BLK)
            {
                remote.add(RemoteDeviceSpec.virtioBlk(disk.spec().toString()));
            }
            else
            {
                HvmDeviceSpecs.addDisk(machine, disk.spec(), disk.image());
            }
        }
        final List<Bridge> remoteBridges = new ArrayList<>();
        for (final Nic nic : nics)
        {
            if (machine.deviceModelStubDomain() && nic.kind() == HvmDeviceSpecs.NicKind.LAN9118)
            {
                remote.add(RemoteDeviceSpec.lan9118(nic.spec().mac()));
                remoteBridges.add(nic.bridge());
            }
            else if (machine.deviceModelStubDomain() && nic.kind() == HvmDeviceSpecs.NicKind.VIRTIO_NET)
            {
                remote.add(RemoteDeviceSpec.virtioNet(nic.spec().mac()));
                remoteBridges.add(nic.bridge());
            }
            else
            {
                HvmDeviceSpecs.addVif(machine, nic.spec(), nic.bridge());
            }
        }
        if (remote.stream().anyMatch(RemoteDeviceSpec::needsGuestRam) && memory.sharedFile() == null)
        {
            throw new IllegalArgumentException("domain " + domainName + ": device_model_stubdomain_override with virtio " +
                "devices needs guest RAM its stub domain can map, and this hypervisor's machine memory is anonymous; " +
                "start it with a machine memory file (HypervisorConfig.withMachineMemoryFile), as the javisor daemon does");
        }
        if (!remote.isEmpty())
        {
            stub = StubDomain.start(domainName, remote);
            final int firstNic = remote.size() - remoteBridges.size();
            for (int i = 0; i < remoteBridges.size(); i++)
            {
                stub.models().connectNic(firstNic + i, remoteBridges.get(i));
            }
            machine.remoteDeviceModels(stub.models());
        }
    }

    /** Closes every image; the domain is gone and its vCPU stopped. */
    void close()
    {
        if (stub != null)
        {
            stub.close();
            stub = null;
        }
        for (final Disk disk : disks)
        {
            disk.image().close();
        }
        disks.clear();
        nics.clear();
    }
}
