package io.javisor.core.toolstack;

import io.javisor.core.DomainType;

import java.nio.file.Path;
import java.util.List;

/**
 * A domain as the toolstack creates it, whatever file or call it came from: its name and kind, its
 * memory, the guest it runs (a RISC-V kernel ELF for PV and HVM, a class on a class path for a Java
 * guest), its disks and vifs as xl.cfg spec strings, the life-cycle actions and its scheduling
 * weight and cap. Immutable.
 *
 * @param kernel    the ELF of a PV or HVM guest (null for a Java guest)
 * @param bios      for HVM: "none" (bare, M-mode), "builtin" (javisor's SBI firmware) or a firmware ELF path
 * @param javaClass for a Java guest: a class implementing {@link JavaGuest} with a no-argument constructor
 */
public record DomainSpec(
    String name,
    Kind kind,
    int memoryMiB,
    int vcpus,
    Path kernel,
    String bios,
    String cmdline,
    String javaClass,
    List<Path> classpath,
    List<String> disks,
    List<String> vifs,
    LifecycleAction onPoweroff,
    LifecycleAction onReboot,
    LifecycleAction onCrash,
    int weight,
    int cap)
{
    public static final int DEFAULT_WEIGHT = 256;

    /** xl.cfg's {@code type}, plus javisor's own Java guests. */
    public enum Kind
    {
        PV,
        HVM,
        JAVA;

        /** The hypervisor's domain type: a Java guest is a PV domain whose front ends are Java. */
        public DomainType domainType()
        {
            return this == HVM ? DomainType.HVM : DomainType.PV;
        }
    }

    public DomainSpec
    {
        disks = List.copyOf(disks);
        vifs = List.copyOf(vifs);
        classpath = List.copyOf(classpath);
    }

    /** The same domain under another name (rename-restart keeps the old one under a new name). */
    public DomainSpec withName(final String newName)
    {
        return new DomainSpec(newName, kind, memoryMiB, vcpus, kernel, bios, cmdline, javaClass, classpath, disks, vifs,
            onPoweroff, onReboot, onCrash, weight, cap);
    }
}
