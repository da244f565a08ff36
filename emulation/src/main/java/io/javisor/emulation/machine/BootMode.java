package io.javisor.emulation.machine;

/** How the virt board starts its hart, after QEMU's {@code -bios} choices. */
public enum BootMode
{
    /** {@code -bios none}: the kernel ELF runs in M-mode from its entry point. */
    BARE,
    /**
     * javisor's SBI firmware, written in Java: the kernel runs in S-mode from
     * {@link VirtMachine#KERNEL_BASE} with a0 = hart id and a1 = the device tree, and its ECALLs are
     * answered by the host.
     */
    BUILTIN,
    /**
     * An M-mode firmware ELF (such as OpenSBI's {@code fw_jump.elf}) runs from its entry point with
     * a0 = hart id, a1 = the device tree, a2 = OpenSBI's fw_dynamic information; the kernel ELF, if
     * any, is its payload at {@link VirtMachine#KERNEL_BASE}.
     */
    EXTERNAL
}
