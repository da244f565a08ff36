package io.javisor.emulation.machine;

import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.RamDiskImage;
import io.javisor.blkback.image.RawFileImage;
import io.javisor.emulation.device.ata.AtaDevice;
import io.javisor.emulation.device.virtio.VirtioMmioTransport;
import io.javisor.emulation.device.virtioblk.VirtioBlk;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The disk-io guests (QD1 4 KiB read loops of our own ATA and virtio-blk drivers, polled and
 * interrupt-driven) on javisor with the default CPU tier, on a RAM disk and on a raw file. The guest
 * times each request with its own clock and counts its instructions; this test reads the device's
 * own counters at the console lines that bracket the timed reads, which it sees on the vCPU thread
 * between two guest instructions, so the counts cover the timed reads and nothing else (less the
 * UART's exits for the closing line, taken out by its own bus count).
 */
class DiskIoGuestTest
{
    private static final int READS = 4096;
    private static final int DISK = 1 << 20;
    private static final Pattern TIMING = Pattern.compile(
        "disk-io: timing (\\w+) lat_ns_min=(\\d+) p50=(\\d+) p99=(\\d+) max=(\\d+) insn_per_read=([\\d.]+) " +
        "interrupts_per_read=([\\d.]+)(?: driver_exits_per_read=([\\d.]+))?");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"ata, ram", "virtio, ram", "ata, file", "virtio, file"})
    void qd1FourKibReadsAreCountedByTheDeviceAsTheGuestIssuedThem(final String disk, final String backing) throws Exception
    {
        final String program = "disk-io-" + disk;
        final WindowConsole console = new WindowConsole();
        final MachineExit exit;
        try (DiskImage image = image(backing))
        {
            final MachineConfig config = new MachineConfig().memoryMiB(16).bootMode(BootMode.BARE)
                .kernel(GuestPrograms.image(program)).console(console).maxInstructions(2_000_000_000L);
            try (VirtMachine machine = VirtMachine.create("ata".equals(disk) ? config.addAtaDisk(image) :
                config.virtioBlk(image, "vda")))
            {
                console.machine = machine;
                exit = machine.run();
            }
        }
        final String text = console.text();
        assertEquals(MachineExit.Kind.FINISHER, exit.kind(), exit + "\n" + text);
        assertEquals(0, exit.exitCode(), text);
        assertEquals(GuestPrograms.expected(program), withoutTiming(text), "output vs expected/" + program + ".out");

        for (final String mode : new String[] {"polled", "interrupts"})
        {
            final Counts window = console.windows.get(mode);
            assertNotNull(window, "both console lines around the " + mode + " reads were seen\n" + text);
            final Matcher timing = timing(text, mode);
            assertEquals(READS, window.reads, mode + ": the device counted one read command per guest request");
            assertEquals(READS, window.ios, mode + ": and no other IO");
            final boolean interrupts = "interrupts".equals(mode);
            if ("ata".equals(disk))
            {
                // The driver counts its own register accesses: the model must have seen each of them.
                assertEquals(Double.parseDouble(timing.group(8)), (double)window.exits / READS, 0.005,
                    mode + ": device-counted exits per read equal the driver's own count");
                assertEquals(interrupts ? 8L * READS : 0, window.interrupts,
                    mode + ": one INTRQ per DRQ block of a 4 KiB read when interrupt-driven, none under nIEN when polled");
            }
            else
            {
                assertEquals(interrupts ? 3L * READS : READS, window.exits,
                    mode + ": a notify per request, plus reading and acknowledging the interrupt status when interrupt-driven");
                assertEquals(interrupts ? READS : 0, window.interrupts, mode + ": one used-buffer interrupt per request");
            }
            System.out.printf("disk-io %s on %s (%s, tier %s): 4 KiB QD1 read latency p50 %.1f us p99 %.1f us " +
                    "(min %.1f, max %.1f); device exits/read %.2f, all MMIO exits/read %.2f, guest instructions/read %s%n",
                disk, backing, mode, new MachineConfig().cpuTier(), us(timing, 3), us(timing, 4), us(timing, 2), us(timing, 5),
                (double)window.exits / READS, (double)window.busExits / READS, timing.group(6));
        }
    }

    private DiskImage image(final String backing) throws Exception
    {
        if ("ram".equals(backing))
        {
            return new RamDiskImage(DISK);
        }
        final Path file = dir.resolve("disk.img");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(DISK);
        }
        return RawFileImage.open(file, false);
    }

    private static String withoutTiming(final String text)
    {
        return text.lines().filter(l -> !l.contains(": timing ")).map(l -> l + "\n").collect(Collectors.joining());
    }

    private static Matcher timing(final String text, final String mode)
    {
        final String line = text.lines().filter(l -> l.startsWith("disk-io: timing " + mode + " ")).findFirst()
            .orElseThrow(() -> new AssertionError("no timing line for " + mode + "\n" + text));
        final Matcher m = TIMING.matcher(line);
        assertTrue(m.matches(), line);
        return m;
    }

    private static double us(final Matcher m, final int group)
    {
        return Long.parseLong(m.group(group)) / 1000.0;
    }

    /** The device's counters at one instant, on the vCPU thread. */
    private record Counts(long exits, long reads, long ios, long interrupts, long busExits)
    {
        Counts minus(final Counts o)
        {
            return new Counts(exits - o.exits, reads - o.reads, ios - o.ios, interrupts - o.interrupts, busExits - o.busExits);
        }
    }

    /**
     * Records the output and, at the end of each line "disk-io: MODE start" and "disk-io: MODE N reads
     * of 4 KiB verified", the machine's disk counters: their differences per mode.
     */
    private static final class WindowConsole implements Console
    {
        final Map<String, Counts> windows = new LinkedHashMap<>();
        VirtMachine machine;
        private final ByteArrayOutputStream output = new ByteArrayOutputStream();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private Counts start;

        @Override
        public void write(final int b)
        {
            output.write(b);
            if (b != '\n')
            {
                line.write(b);
                return;
            }
            final String text = line.toString(StandardCharsets.ISO_8859_1);
            line.reset();
            final String[] words = text.split(" ");
            if (words.length == 3 && "start".equals(words[2]))
            {
                start = counts();
            }
            else if (text.endsWith(" reads of 4 KiB verified") && start != null)
            {
                windows.put(words[1], counts().minus(start));
                start = null;
            }
        }

        private Counts counts()
        {
            // The UART's own exits (this line's bytes) are not the disk's.
            final long bus = machine.bus().totalAccessCount() - machine.bus().accessCount(machine.uart());
            if (machine.ataDevices().length > 0)
            {
                final AtaDevice ata = machine.ataDevices()[0];
                return new Counts(ata.statistics().exits(), ata.statistics().reads(), ata.statistics().ios(),
                    ata.statistics().interrupts(), bus);
            }
            final VirtioMmioTransport transport = machine.virtioTransports().get(0);
            final VirtioBlk blk = (VirtioBlk)transport.device();
            return new Counts(transport.statistics().registerExits(), blk.statistics().reads(), blk.statistics().ios(),
                transport.statistics().interrupts(), bus);
        }

        @Override
        public int read()
        {
            return -1;
        }

        String text()
        {
            return output.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
