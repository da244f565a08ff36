/**
 * The emulated ATA disk (PIO), as Linux's {@code pata_of_platform} / {@code ata-generic} drives it:
 * {@link io.javisor.emulation.device.ata.AtaDescriptor} (registers, bits, commands, IDENTIFY words),
 * {@link io.javisor.emulation.device.ata.AtaDevice} (the model over a blkback
 * {@link io.javisor.blkback.image.DiskImage}, two register windows and one interrupt line) and
 * {@link io.javisor.emulation.device.ata.AtaStatistics} (exits and IOs). Fully emulated: every
 * register access is a trap into the model on the vCPU thread.
 */
package io.javisor.emulation.device.ata;
