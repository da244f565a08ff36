package io.javisor.core.junit;

import io.javisor.core.DomainType;
import io.javisor.emulation.machine.BootMode;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A parameter that is a RISC-V guest, already started for the test: a {@link Guest} (its domain and
 * console), its {@code HvmGuest} (the vCPU: exit, statistics) or its {@code Domain}.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface GuestDomain
{
    /**
     * The kernel ELF: a guest shipped with javisor by its name ({@code hello}, {@code cpubench}, ...),
     * or, when the text has a {@code /} or a {@code .}, a class-path resource (e.g. from the test's
     * resources) or else a file.
     */
    String elf();

    /** HVM: the virt board with its emulated devices; PV: javisor's SBI firmware on the PV board. */
    DomainType type() default DomainType.HVM;

    /** How an HVM guest boots ({@code BARE} or {@code BUILTIN}); a PV guest always boots {@code BUILTIN}. */
    BootMode boot() default BootMode.BARE;

    /** The domain's name; the parameter's name when empty ({@code argN} unless compiled with {@code -parameters}). */
    String name() default "";

    int memoryMiB() default 16;

    /** xl.cfg disk specs ({@code vdev=hdX} ATA, {@code vdX} virtio-blk, {@code xvdX} PV for an HVM guest). */
    String[] disk() default {};

    /** xl.cfg vif specs ({@code model=lan9118} or {@code model=virtio} for emulated NICs of an HVM guest). */
    String[] vif() default {};

    /** The kernel command line (the device tree's bootargs); none when empty. */
    String bootargs() default "";

    /** Typed on the guest's console, one byte per read, as ASCII. */
    String input() default "";

    /** The guest's instruction budget (its end is then a watchdog shutdown); 0 for none. */
    long maxInstructions() default 0;
}
