/**
 * The virtio-net device model on the virtio-mmio transport, a port of a netback bridge:
 * {@link io.javisor.emulation.device.virtionet.VirtioNetDescriptor} (layouts),
 * {@link io.javisor.emulation.device.virtionet.VirtioNet} (model, threads described there),
 * {@link io.javisor.emulation.device.virtionet.VirtioNetStatistics}.
 */
package io.javisor.emulation.device.virtionet;
