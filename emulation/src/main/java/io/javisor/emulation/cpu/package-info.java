/**
 * The RISC-V hart: {@link io.javisor.emulation.cpu.CpuState} (architectural state shared with the
 * future bytecode translator), {@link io.javisor.emulation.cpu.Bus} (physical memory with
 * exception-free fault signalling), {@link io.javisor.emulation.cpu.RamBus} (RAM only, at
 * 0x8000_0000), {@link io.javisor.emulation.cpu.Interpreter} (RV64IMAC + Zicsr; M, S and U
 * modes with trap delegation and interrupts), {@code Sv39} (paging and its software TLB) and
 * {@link io.javisor.emulation.cpu.InterruptLines} (how devices raise mip bits).
 */
package io.javisor.emulation.cpu;
