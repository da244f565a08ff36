package io.javisor.core.toolstack;

import io.javisor.core.toolstack.config.GuestType;
import io.javisor.core.toolstack.config.XlConfig;
import io.javisor.emulation.loader.ElfFormatException;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.loader.RiscvKernelImage;
import io.javisor.emulation.machine.CpuTier;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.VirtMachine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a guest-code domain boots, loaded once at create and kept for its restarts: the kernel (an
 * ELF, or a raw RISC-V kernel Image placed where QEMU's {@code -kernel} puts one), the firmware of an
 * external bios, and the machine's tuning beyond xl.cfg that {@code javisor run} offers (CPU tier,
 * instruction budget, tier timing). Immutable.
 *
 * @param kernel          the kernel, or null for a Java guest or a firmware-only HVM guest
 * @param firmware        an external bios's firmware, or null
 * @param cpuTier         the CPU tier, or null for the machine's default
 * @param maxInstructions an instruction budget (0: none)
 * @param tierTiming      whether to time translated code
 */
public record GuestBoot(ElfImage kernel, ElfImage firmware, CpuTier cpuTier, long maxInstructions, boolean tierTiming)
{
    /**
     * Loads what {@code spec} names, with the machine's defaults.
     *
     * @throws ToolstackException one line naming the file and what is wrong with it
     */
    public static GuestBoot of(final XlConfig spec)
    {
        if (spec.type() == GuestType.JAVA || spec.driverDomain())
        {
            return new GuestBoot(null, null, null, 0, false);
        }
        final ElfImage firmware = spec.type() == GuestType.HVM && spec.bios().firmware() != null ?
            load("firmware", spec.bios().firmware()) : null;
        final ElfImage kernel = spec.kernel() == null && firmware != null ? null : load("kernel", spec.kernel());
        return new GuestBoot(kernel, firmware, null, 0, false);
    }

    /** The same images with {@code javisor run}'s tuning. */
    public GuestBoot tuned(final CpuTier tier, final long budget, final boolean timing)
    {
        return new GuestBoot(kernel, firmware, tier, budget, timing);
    }

    /** Hands the images and the tuning to {@code machine}. */
    void applyTo(final MachineConfig machine)
    {
        if (kernel != null)
        {
            machine.kernel(kernel);
        }
        if (firmware != null)
        {
            machine.firmware(firmware);
        }
        if (cpuTier != null)
        {
            machine.cpuTier(cpuTier);
        }
        machine.maxInstructions(maxInstructions).tierTiming(tierTiming);
    }

    /**
     * Reads a kernel or firmware image.
     *
     * @throws ToolstackException one line: {@code WHAT PATH: why}
     */
    public static ElfImage load(final String what, final Path path)
    {
        if (path == null)
        {
            throw new ToolstackException("no " + what + " given");
        }
        if (!Files.isRegularFile(path))
        {
            throw new ToolstackException(what + " " + path + ": no such file");
        }
        try
        {
            final byte[] bytes = Files.readAllBytes(path);
            if ("kernel".equals(what) && RiscvKernelImage.isImage(bytes))
            {
                return RiscvKernelImage.toElf(bytes, VirtMachine.KERNEL_BASE);
            }
            return ElfImage.parse(bytes);
        }
        catch (final IOException ex)
        {
            throw new ToolstackException(what + " " + path + ": cannot read: " + ex.getMessage());
        }
        catch (final ElfFormatException ex)
        {
            throw new ToolstackException(what + " " + path + ": not a RISC-V ELF64 image or kernel Image: " + ex.getMessage());
        }
    }
}
