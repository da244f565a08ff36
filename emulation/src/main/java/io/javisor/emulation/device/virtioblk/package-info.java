/**
 * The virtio-blk device model on the virtio-mmio transport, over a blkback disk image:
 * {@link io.javisor.emulation.device.virtioblk.VirtioBlkDescriptor} (layouts),
 * {@link io.javisor.emulation.device.virtioblk.VirtioBlk} (model),
 * {@link io.javisor.emulation.device.virtioblk.VirtioBlkStatistics}.
 */
package io.javisor.emulation.device.virtioblk;
