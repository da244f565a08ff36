package io.javisor.core.toolstack.config;

import io.javisor.emulation.machine.BootMode;

import java.nio.file.Path;

/**
 * How an HVM guest starts, from its {@code bios} setting: {@code "none"} runs the kernel in M-mode
 * ({@link BootMode#BARE}), {@code "builtin"} under javisor's SBI firmware ({@link BootMode#BUILTIN},
 * the default), and any other value is the path of an M-mode firmware ELF such as OpenSBI's
 * {@code fw_jump.elf} ({@link BootMode#EXTERNAL}). Immutable.
 *
 * @param mode     the boot mode.
 * @param firmware the firmware ELF, absolute, for {@link BootMode#EXTERNAL}; null otherwise.
 */
public record Bios(BootMode mode, Path firmware)
{
    public static final Bios NONE = new Bios(BootMode.BARE, null);
    public static final Bios BUILTIN = new Bios(BootMode.BUILTIN, null);

    public Bios
    {
        if (mode == null || (mode == BootMode.EXTERNAL) != (firmware != null))
        {
            throw new IllegalArgumentException("an external bios, and only it, has a firmware path: " + mode + ", " + firmware);
        }
    }

    public static Bios external(final Path firmware)
    {
        return new Bios(BootMode.EXTERNAL, firmware);
    }

    /** As a config would say it: {@code none}, {@code builtin} or the path. */
    @Override
    public String toString()
    {
        return switch (mode)
        {
            case BARE -> "none";
            case BUILTIN -> "builtin";
            case EXTERNAL -> firmware.toString();
        };
    }
}
