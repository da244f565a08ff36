package io.javisor.core;

import io.javisor.blkback.Vbd;
import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.RamDiskImage;
import io.javisor.core.hypercall.HypercallStatistics;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.guests.DiskIoJob;
import io.javisor.emulation.guests.DiskIoJobDescriptor;
import io.javisor.emulation.guests.DiskIoResults;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.hypercall.HypercallDescriptor;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.Console;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * disk-io-pv (disk-io.c over blkfront) runs a host-placed job of QD1 4 KiB reads, checked against
 * the pattern the test wrote into the image, on a PV domain and as PV-on-HVM (same ELF), polled and
 * event-driven, against dom0's shared block back end (which parks when idle) and against a
 * dedicated busy-spinning one. The job is preloaded into the domain's RAM before its first
 * instruction and the results read from it after power-off. The test reads the back end's and the
 * hypervisor's counters at the console lines that bracket the timed reads (the console ring is
 * drained on the vCPU's thread inside the guest's notify, so the counts are exact) and checks that
 * every read was one request of 8 sectors and cost the hypercalls the guest counted.
 */
class PvDiskIoTest
{
    private static final int WARMUP = 64;
    private static final int READS = 1024;
    private static final int DISK_BLOCKS = 256;

    static Stream<Arguments> variants()
    {
        return Stream.of(
            Arguments.of("pv", BackendThreading.SHARED, false), Arguments.of("pv", BackendThreading.SHARED, true),
            Arguments.of("pvhvm", BackendThreading.SHARED, false), Arguments.of("pvhvm", BackendThreading.SHARED, true),
            Arguments.of("pv", BackendThreading.DEDICATED, false), Arguments.of("pvhvm", BackendThreading.DEDICATED, true));
    }

    @ParameterizedTest(name = "{0} domain, {1} back end, interrupts {2}")
    @MethodSource("variants")
    void qd1FourKibReadsAreOneRequestEachWithTheHypercallsTheGuestCounted(final String domainType,
        final BackendThreading threading, final boolean interrupts) throws Exception
    {
        try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128)
            .withBackendThreading(threading)))
        {
            final boolean pv = "pv".equals(domainType);
            final Domain domain = hypervisor.createDomain(pv ? DomainConfig.pv("io", 16) : DomainConfig.hvm("io", 16));
            final Vbd disk = hypervisor.backends().attachDisk(domain, "xvda", patternDisk(), DiskAccess.READ_WRITE);

            final ElfImage elf = GuestImages.load("disk-io-pv");
            final long at = elf.symbol(DiskIoJobDescriptor.SYMBOL).orElseThrow();
            final DiskIoJob job = readJob(interrupts);
            final byte[] bytes = job.encode();
            final WindowConsole console = new WindowConsole(disk);
            final MachineConfig machine = new MachineConfig().kernel(elf).console(console).preload(at, bytes)
                .timebaseHz(MachineConfig.MAX_TIMEBASE_HZ).maxInstructions(50_000_000_000L);
            final HvmGuest vcpu = pv ? hypervisor.startPv(domain, machine) :
                hypervisor.startHvm(domain, machine.bootMode(BootMode.BUILTIN));
            console.vcpu = vcpu;
            final MachineExit exit = vcpu.awaitExit(300, TimeUnit.SECONDS);
            assertNotNull(exit, "the guest ended\n" + console.text());
            assertEquals(MachineExit.Kind.SHUTDOWN, exit.kind(), exit + "\n" + console.text());

            final byte[] after = new byte[bytes.length];
            domain.memory().getBytes(at - RamBus.RAM_BASE, new UnsafeBuffer(after), 0, after.length);
            final DiskIoResults results = job.decode(after);
            assertEquals(READS, results.count());
            assertEquals(0, results.failures(), "every read returned the pattern");

            final Counts window = console.window;
            assertNotNull(window, "both console lines around the timed reads were seen\n" + console.text());
            assertEquals(READS, window.requests, "the back end served one request per guest read");
            assertEquals(READS * 8L, window.sectorsRead, "of 8 sectors each");
            // The host's window also holds the end line's notify of the console, made after the guest's count.
            assertEquals(results.driverExits(), window.hypercalls - 1, "hypercalls over the timed reads as the guest counted them");
            if (interrupts)
            {
                assertTrue(results.interrupts() >= READS, "each event-driven read was completed by its event: " + results.interrupts());
            }
            else
            {
                assertEquals(0, window.blocks, "polled reads never block");
                assertEquals(0, results.interrupts());
            }
            final long[] latency = new long[READS];
            for (int i = 0; i < READS; i++)
            {
                latency[i] = results.end()[i] - results.start()[i];
            }
            Arrays.sort(latency);
            System.out.printf("disk-io-pv on a %s domain, %s back end, %s: 4 KiB QD1 read p50 %.2f us p99 %.2f us " +
                    "(min %.2f, max %.2f); hypercalls/read %.2f (sends %.2f, blocks %.2f), events/read %.2f%n",
                pv ? "PV" : "PV-on-HVM", threading, interrupts ? "event-driven" : "polled", latency[READS / 2] / 1e3,
                latency[READS * 99 / 100] / 1e3, latency[0] / 1e3, latency[READS - 1] / 1e3,
                (double)(window.hypercalls - 1) / READS, (double)window.sends / READS, (double)window.blocks / READS,
                (double)results.interrupts() / READS);
        }
    }

    /** WARMUP + READS reads of 4 KiB blocks in a fixed scattered order, each checked by the guest. */
    private static DiskIoJob readJob(final boolean interrupts)
    {
        final int n = WARMUP + READS;
        final int[] ops = new int[n];
        final long[] sectors = new long[n];
        for (int i = 0; i < n; i++)
        {
            ops[i] = DiskIoJobDescriptor.OP_READ;
            sectors[i] = (long)(i * 97 % DISK_BLOCKS) * DiskIoJobDescriptor.SECTORS_PER_BLOCK;
        }
        return new DiskIoJob(ops, sectors, new long[n], WARMUP,
            DiskIoJobDescriptor.FLAG_VERIFY | (interrupts ? DiskIoJobDescriptor.FLAG_INTERRUPTS : 0));
    }

    private static DiskImage patternDisk()
    {
        final RamDiskImage image = new RamDiskImage((long)DISK_BLOCKS * DiskIoJobDescriptor.BLOCK_BYTES);
        final ByteBuffer block = ByteBuffer.allocateDirect(DiskIoJobDescriptor.BLOCK_BYTES);
        for (int b = 0; b < DISK_BLOCKS; b++)
        {
            block.clear();
            DiskIoJob.fillPattern(block, b); // leaves position and limit: the whole block is written
            assertEquals(0, image.write((long)b * DiskIoJobDescriptor.BLOCK_BYTES, block));
        }
        return image;
    }

    /** The counters at one instant: the back end's for the disk, the hypervisor's for the guest. */
    private record Counts(long requests, long sectorsRead, long hypercalls, long sends, long blocks)
    {
        Counts minus(final Counts o)
        {
            return new Counts(requests - o.requests, sectorsRead - o.sectorsRead, hypercalls - o.hypercalls,
                sends - o.sends, blocks - o.blocks);
        }
    }

    /**
     * Records the output and, at the ends of the lines "disk-io: start" and "disk-io: end", the
     * counters; it runs on the vCPU's thread, inside the guest's notify of the console, so the guest is
     * between two instructions.
     */
    private static final class WindowConsole implements Console
    {
        final Vbd vbd;
        volatile HvmGuest vcpu;
        volatile Counts window;
        private final ByteArrayOutputStream output = new ByteArrayOutputStream();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private Counts start;

        WindowConsole(final Vbd vbd)
        {
            this.vbd = vbd;
        }

        @Override
        public synchronized void write(final int b)
        {
            output.write(b);
            if (b != '\n')
            {
                line.write(b);
                return;
            }
            final String text = line.toString(StandardCharsets.ISO_8859_1);
            line.reset();
            if ("disk-io: start".equals(text))
            {
                start = counts();
            }
            else if ("disk-io: end".equals(text) && start != null)
            {
                window = counts().minus(start);
            }
        }

        private Counts counts()
        {
            // The back end counts a request before it publishes the response the guest waited for.
            HvmGuest guest;
            while ((guest = vcpu) == null)
            {
                Thread.onSpinWait(); // started, not yet returned from startPv/startHvm
            }
            final HypercallStatistics calls = guest.hypercallStatistics();
            return new Counts(vbd.statistics().requests(), vbd.statistics().sectorsRead(), calls.total(),
                calls.calls(HypercallDescriptor.FID_EVTCHN_SEND), calls.calls(HypercallDescriptor.FID_SCHED_BLOCK));
        }

        @Override
        public int read()
        {
            return -1;
        }

        synchronized String text()
        {
            return output.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
