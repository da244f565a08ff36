package io.javisor.emulation.machine;

/**
 * The board a machine is: what is on its bus and in its device tree.
 */
public enum Board
{
    /**
     * QEMU's {@code virt} (HVM): RAM, finisher, CLINT, PLIC, UART, RTC, and the configured virtio-mmio,
     * ATA and LAN9118 devices.
     */
    VIRT,
    /**
     * A Xen PV domain's: RAM and nothing else on the bus; the hart runs S-mode code under javisor's
     * SBI firmware, whose hypercalls are the only way out (console, disk and network through rings).
     */
    PV
}
