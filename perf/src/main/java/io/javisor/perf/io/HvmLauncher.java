package io.javisor.perf.io;

import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.RamDiskImage;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.guests.DiskIoJob;
import io.javisor.emulation.guests.DiskIoJobDescriptor;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.DiskIoRunner;
import io.javisor.emulation.machine.MachineConfig;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Disk-io guests on javisor's HVM board (the virt machine, bare mode, default CPU tier) with one
 * emulated disk on a RAM disk: virtio-blk or ATA PIO. A new machine per run (translations are shared
 * across machines in the JVM), the board's time base as configured (1 GHz by default), exits counted
 * on the platform bus over the timed requests (every MMIO access the guest made, less the UART's).
 * Driven from one thread.
 */
final class HvmLauncher implements GuestLauncher
{
    /** Which emulated disk the machine gets. */
    enum Disk
    {
        VIRTIO,
        ATA
    }

    private static final long MIN_MEMORY_MIB = 16;

    private final Disk disk;
    private final long timebaseHz;
    private RamDiskImage image;

    HvmLauncher(final Disk disk, final long timebaseHz)
    {
        this.disk = disk;
        this.timebaseHz = timebaseHz;
    }

    @Override
    public String unavailable(final String guest)
    {
        return GuestImages.names().contains(guest) ? null : "not built yet (no " + guest + ".elf among the guests)";
    }

    @Override
    public String clock()
    {
        return String.format(Locale.ROOT, "guest time CSR, %s (javisor board)", IoBenchmark.hz(timebaseHz));
    }

    @Override
    public long timebaseHz()
    {
        return timebaseHz;
    }

    @Override
    public void open(final long diskBytes)
    {
        image = new RamDiskImage(diskBytes);
        fillPattern(image);
    }

    /** Writes every 4 KiB block's pattern (what the guest checks reads against). */
    static void fillPattern(final DiskImage image)
    {
        final ByteBuffer chunk = ByteBuffer.allocateDirect(256 * DiskIoJobDescriptor.BLOCK_BYTES);
        final long blocks = image.sizeInBytes() / DiskIoJobDescriptor.BLOCK_BYTES;
        for (long b = 0; b < blocks; b += 256)
        {
            chunk.clear();
            final int n = (int)Math.min(256, blocks - b);
            for (int i = 0; i < n; i++)
            {
                chunk.position(i * DiskIoJobDescriptor.BLOCK_BYTES);
                DiskIoJob.fillPattern(chunk, b + i);
            }
            chunk.position(0).limit(n * DiskIoJobDescriptor.BLOCK_BYTES);
            if (image.write(b * DiskIoJobDescriptor.BLOCK_BYTES, chunk) != DiskImage.OK)
            {
                throw new IllegalStateException("cannot fill the disk at block " + b);
            }
        }
    }

    @Override
    public GuestRun run(final String guest, final DiskIoJob job)
    {
        final ElfImage elf = GuestImages.load(guest);
        final long at = elf.symbol(DiskIoJobDescriptor.SYMBOL).orElseThrow(() ->
            new IllegalStateException(guest + " has no " + DiskIoJobDescriptor.SYMBOL + ": not a disk-io guest"));
        // The job must lie in the lower half of RAM (the device tree sits in the upper half).
        final long needed = 2 * (at - RamBus.RAM_BASE + DiskIoJobDescriptor.length(job.count()));
        final long mib = Math.max(MIN_MEMORY_MIB, (needed + MachineConfig.MIB - 1) / MachineConfig.MIB);
        final MachineConfig config = new MachineConfig().memoryMiB(mib).bootMode(BootMode.BARE).kernel(elf)
            .timebaseHz(timebaseHz);
        if (disk == Disk.ATA)
        {
            config.addAtaDisk(image);
        }
        else
        {
            config.virtioBlk(image, "vda");
        }
        final DiskIoRunner.Run run = DiskIoRunner.run(config, job);
        if (run.results() == null || run.window() == null)
        {
            throw new IllegalStateException(guest + " did not finish its job: " + run.exit() + "\n" + tail(run.console()));
        }
        return new GuestRun(run.results(), timebaseHz, run.window().busExits(), true);
    }

    static String tail(final String console)
    {
        return console.length() <= 2000 ? console : "..." + console.substring(console.length() - 2000);
    }

    @Override
    public void close()
    {
        if (image != null)
        {
            image.close();
            image = null;
        }
    }
}
