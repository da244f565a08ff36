/**
 * The RISC-V hart: {@link io.javisor.emulation.cpu.CpuState} (architectural state shared with the
 * future bytecode translator), {@link io.javisor.emulation.cpu.Bus} (physical memory with
 * exception-free fault signalling), {@link io.javisor.emulation.cpu.RamBus} (RAM only, at
 * 0x8000_0000) and {@link io.javisor.emulation.cpu.Interpreter} (RV64IMAC + Zicsr, M-mode traps).
 */
package io.javisor.emulation.cpu;
