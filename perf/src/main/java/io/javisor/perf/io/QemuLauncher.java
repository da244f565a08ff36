package io.javisor.perf.io;

import io.javisor.blkback.image.RawFileImage;
import io.javisor.emulation.guests.DiskIoJob;
import io.javisor.emulation.guests.DiskIoJobDescriptor;
import io.javisor.emulation.guests.DiskIoResults;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.reference.QemuRun;
import io.javisor.emulation.reference.QemuRunner;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Variant 6, the anchor: the same disk-io guest ELF on {@code qemu-system-riscv64} TCG, {@code -M virt},
 * a modern virtio-mmio virtio-blk device on a raw image file. QEMU's board keeps its 10 MHz time base
 * (100 ns per tick). The host cannot read QEMU's RAM, so the job goes in through {@code -device loader}
 * at the guest's {@link DiskIoJobDescriptor#SYMBOL} and the guest prints its results
 * ({@link DiskIoJobDescriptor#FLAG_PRINT}). QEMU makes no exits to count, and without {@code -icount}
 * its instret counts host cycles, not instructions: both are left out. A QEMU process per run;
 * driven from one thread.
 */
final class QemuLauncher implements GuestLauncher
{
    static final long TIMEBASE_HZ = 10_000_000L;
    private static final long TIMEOUT_MILLIS = 300_000;

    private Path dir;
    private Path disk;

    @Override
    public String unavailable(final String guest)
    {
        if (!QemuRunner.isAvailable())
        {
            return "skipped: " + QemuRunner.QEMU_BINARY + " not found";
        }
        return GuestImages.names().contains(guest) ? null : "not built yet (no " + guest + ".elf among the guests)";
    }

    @Override
    public String clock()
    {
        return "guest time CSR, 10 MHz (QEMU virt's fixed time base: 100 ns resolution)";
    }

    @Override
    public long timebaseHz()
    {
        return TIMEBASE_HZ;
    }

    @Override
    public void open(final long diskBytes)
    {
        try
        {
            dir = Files.createTempDirectory("javisor-bench-io-qemu");
            disk = dir.resolve("disk.img");
            try (RandomAccessFile raf = new RandomAccessFile(disk.toFile(), "rw"))
            {
                raf.setLength(diskBytes);
            }
            try (RawFileImage image = RawFileImage.open(disk, false))
            {
                HvmLauncher.fillPattern(image);
                image.flush();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot make QEMU's disk image: " + ex.getMessage(), ex);
        }
    }

    @Override
    public GuestRun run(final String guest, final DiskIoJob job)
    {
        final ElfImage elf = GuestImages.load(guest);
        final long at = elf.symbol(DiskIoJobDescriptor.SYMBOL).orElseThrow(() ->
            new IllegalStateException(guest + " has no " + DiskIoJobDescriptor.SYMBOL + ": not a disk-io guest"));
        final DiskIoJob printing = job.withFlags(job.flags() | DiskIoJobDescriptor.FLAG_PRINT);
        try
        {
            final Path kernel = GuestImages.extract(guest, dir);
            final Path jobFile = dir.resolve("job.bin");
            Files.write(jobFile, printing.encode());
            final long memoryMib = Math.max(QemuRunner.DEFAULT_MEMORY_MIB,
                2 * (at - 0x8000_0000L + DiskIoJobDescriptor.length(job.count())) / (1 << 20) + 1);
            final QemuRun run = QemuRunner.create().withMemoryMib((int)memoryMib).withTimeoutMillis(TIMEOUT_MILLIS)
                .withArguments("-global", "virtio-mmio.force-legacy=false",
                    "-drive", "file=" + disk + ",if=none,format=raw,id=d0",
                    "-device", "virtio-blk-device,drive=d0,serial=vda",
                    "-device", "loader,file=" + jobFile + ",addr=0x" + Long.toHexString(at) + ",force-raw=on")
                .run(kernel);
            final String text = run.outputText();
            final DiskIoResults results;
            try
            {
                results = printing.parseConsole(text);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalStateException(guest + " on QEMU did not finish its job (exit " + run.exitCode() +
                    (run.timedOut() ? ", timed out" : "") + "): " + ex.getMessage() + "\n" + HvmLauncher.tail(text) +
                    run.diagnostics());
            }
            return new GuestRun(results, TIMEBASE_HZ, Double.NaN, false);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot run QEMU: " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while QEMU ran", ex);
        }
    }

    /** QEMU TCG does ~20 k requests/s and prints every record on its UART: a smaller loop. */
    @Override
    public int deepRequests(final long durationNs)
    {
        return (int)Math.max(512, Math.min(8_192, durationNs / 50_000));
    }

    @Override
    public void close()
    {
        if (dir == null)
        {
            return;
        }
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path p : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            // A temp directory left behind is harmless.
        }
        dir = null;
    }
}
