/**
 * javisor's SBI firmware for RISC-V guests in the "builtin" boot mode: the guest kernel runs in
 * S-mode and its ECALLs are answered by the host ({@link io.javisor.emulation.sbi.SbiFirmware},
 * installed with {@link io.javisor.emulation.cpu.Interpreter#setFirmware}), which reaches the
 * board through {@link io.javisor.emulation.sbi.SbiPlatform}. Numbers live in
 * {@link io.javisor.emulation.sbi.SbiDescriptor}.
 */
package io.javisor.emulation.sbi;
