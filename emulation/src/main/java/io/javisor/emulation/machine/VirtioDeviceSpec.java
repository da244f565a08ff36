package io.javisor.emulation.machine;

import io.javisor.blkback.image.DiskImage;
import io.javisor.netback.bridge.Bridge;

/**
 * One virtio-mmio device of a machine: a virtio-blk on a disk image ({@code disk} and {@code serial}
 * set) or a virtio-net on a bridge ({@code bridge} and {@code mac} set), in virtio-mmio slot
 * {@code slot} of QEMU virt's bus (base 0x1000_1000 + 0x1000·slot, irq 1 + slot).
 */
public record VirtioDeviceSpec(int slot, DiskImage disk, String serial, Bridge bridge, long mac)
{
    public boolean isBlock()
    {
        return disk != null;
    }
}
