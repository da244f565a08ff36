package io.javisor.emulation.machine;

import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.device.ata.AtaDevice;
import io.javisor.emulation.device.virtio.VirtioMmioTransport;
import io.javisor.emulation.device.virtioblk.VirtioBlk;
import io.javisor.emulation.guests.DiskIoJob;
import io.javisor.emulation.guests.DiskIoJobDescriptor;
import io.javisor.emulation.guests.DiskIoResults;
import io.javisor.emulation.loader.ElfImage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs a disk-io guest ({@code emulation/guests/src/disk-io.c}) with one {@link DiskIoJob} on a
 * machine of the caller's configuration (its one disk: the first ATA disk, else the first virtio
 * device): places the job at the guest's {@link DiskIoJobDescriptor#SYMBOL} after loading, runs the
 * guest to its end on the calling thread, and reads the results back out of guest RAM. The console
 * lines {@code disk-io: start} and {@code disk-io: end} bracket the timed requests; at the end of
 * each the machine's counters are read on the vCPU thread between two guest instructions, so the
 * {@link Window} covers the timed requests and nothing else (less the UART's own exits, which its
 * bus count takes out). Stateless.
 */
public final class DiskIoRunner
{
    private DiskIoRunner()
    {
    }

    /** The machine's disk counters over the timed requests. */
    public record Window(long busExits, long deviceExits, long reads, long writes, long ios, long interrupts)
    {
        Window minus(final Window o)
        {
            return new Window(busExits - o.busExits, deviceExits - o.deviceExits, reads - o.reads, writes - o.writes,
                ios - o.ios, interrupts - o.interrupts);
        }
    }

    /** One run: how the machine ended, its console text, the counters of the timed part (null if not reached), the results (null if unfinished). */
    public record Run(MachineExit exit, String console, Window window, DiskIoResults results, long timebaseHz)
    {
        /** The guest passed: exit 0 through the finisher, and the results were read. */
        public boolean passed()
        {
            return exit.kind() == MachineExit.Kind.FINISHER && exit.exitCode() == 0 && results != null && window != null;
        }

        /** Guest ticks to nanoseconds at the run's time base. */
        public double nanos(final long ticks)
        {
            return ticks * 1e9 / timebaseHz;
        }
    }

    /**
     * @param config a bare-mode machine with the disk-io guest as kernel and exactly one disk; its
     *               console is replaced by the runner's
     * @param job    the job; its length must fit the guest's RAM after {@link DiskIoJobDescriptor#SYMBOL}
     * @throws IllegalArgumentException when the kernel has no job symbol or the job does not fit
     */
    public static Run run(final MachineConfig config, final DiskIoJob job)
    {
        final ElfImage kernel = config.kernel();
        final long at = kernel.symbol(DiskIoJobDescriptor.SYMBOL).orElseThrow(() ->
            new IllegalArgumentException("the guest ELF has no " + DiskIoJobDescriptor.SYMBOL + ": not a disk-io guest"));
        final byte[] bytes = job.encode();
        final long offset = at - RamBus.RAM_BASE;
        // The job must lie in RAM below the device tree, which the machine puts in the top half.
        if (offset < 0 || offset + bytes.length > config.memoryBytes() / 2)
        {
            throw new IllegalArgumentException("a job of " + bytes.length + " bytes at 0x" + Long.toHexString(at) +
                " does not fit the lower half of " + config.memoryBytes() + " bytes of RAM");
        }
        final WindowConsole console = new WindowConsole();
        config.console(console).preload(at, bytes);
        try (VirtMachine machine = VirtMachine.create(config))
        {
            console.machine = machine;
            final MachineExit exit = machine.run();
            final byte[] after = new byte[bytes.length];
            machine.memory().getBytes(offset, after, 0, after.length);
            DiskIoResults results = null;
            try
            {
                results = job.decode(after);
            }
            catch (final IllegalArgumentException unfinished)
            {
                // The guest did not finish: the run says so through its exit and missing results.
            }
            return new Run(exit, console.text(), console.window, results, config.timebaseHz());
        }
    }

    /** Records the output and the counters at the ends of the start and end lines. */
    private static final class WindowConsole implements Console
    {
        VirtMachine machine;
        Window window;
        private final ByteArrayOutputStream output = new ByteArrayOutputStream();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private Window start;

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
            if ("disk-io: start".equals(text))
            {
                start = counts();
            }
            else if ("disk-io: end".equals(text) && start != null)
            {
                window = counts().minus(start);
                start = null;
            }
        }

        private Window counts()
        {
            final long bus = machine.bus().totalAccessCount() - machine.bus().accessCount(machine.uart());
            final var remote = machine.remoteDeviceModels();
            if (remote != null)
            {
                // A stub domain's disk: its accesses are counted here, its IOs in the stub.
                return new Window(bus, remote.accesses(), 0, 0, 0, 0);
            }
            final AtaDevice[] ata = machine.ataDevices();
            if (ata.length > 0)
            {
                final var s = ata[0].statistics();
                return new Window(bus, s.exits(), s.reads(), s.writes(), s.ios(), s.interrupts());
            }
            final VirtioMmioTransport transport = machine.virtioTransports().get(0);
            final var blk = ((VirtioBlk)transport.device()).statistics();
            return new Window(bus, transport.statistics().registerExits(), blk.reads(), blk.writes(), blk.ios(),
                transport.statistics().interrupts());
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
