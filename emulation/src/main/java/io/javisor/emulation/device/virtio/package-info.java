/**
 * The virtio-mmio version 2 transport (virtio 1.x, 4.2.2) and split virtqueues shared by the virtio
 * device models ({@code virtioblk}, {@code virtionet}): {@link io.javisor.emulation.device.virtio.VirtioMmioDescriptor}
 * holds the layouts, {@link io.javisor.emulation.device.virtio.VirtioMmioTransport} the register model,
 * {@link io.javisor.emulation.device.virtio.VirtioMmioStatistics} its counters. Everything runs on the
 * vCPU thread of the machine the device is mapped into.
 */
package io.javisor.emulation.device.virtio;
