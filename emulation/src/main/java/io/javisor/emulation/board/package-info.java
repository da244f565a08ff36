/**
 * The QEMU-{@code virt}-compatible platform: {@link io.javisor.emulation.board.PlatformBus} (RAM
 * plus MMIO windows, with per-device trap counts) and the device models behind it — the SiFive
 * test finisher, CLINT, PLIC and a 16550A UART. Each device's register map lives in a
 * {@code *Descriptor} class. Devices drive hart interrupt lines through
 * {@link io.javisor.emulation.board.InterruptSink} and PLIC sources through
 * {@link io.javisor.emulation.board.IrqLine}.
 */
package io.javisor.emulation.board;
