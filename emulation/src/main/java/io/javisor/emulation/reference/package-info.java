/**
 * The reference machine: {@link io.javisor.emulation.reference.QemuRunner} runs a guest ELF on
 * QEMU's RISC-V {@code virt} board and returns its console output and exit code as a
 * {@link io.javisor.emulation.reference.QemuRun}, so javisor's CPU and board can be compared
 * against QEMU on the same guest programs (see {@code emulation/guests/}).
 */
package io.javisor.emulation.reference;
