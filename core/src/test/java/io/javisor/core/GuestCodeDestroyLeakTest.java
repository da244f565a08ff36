package io.javisor.core;

import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.RandomAccessFile;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Destroy releases everything a domain running guest code held, for every kind of domain and device:
 * PV domains with PV disks and vifs, PV-on-HVM domains, HVM domains with each emulated and virtio
 * device on RAM disks and raw files, destroyed while the guest runs, after it powered off, or before
 * it ever started; the PV back ends in both threadings. Each case creates, runs and destroys its
 * domain over and over; after a first round (which starts what lives on by design: a bridge, dom0's
 * xenstored) every count of {@link LeakCensus} is back where it was, and no destroyed domain, PV device,
 * guest or machine object is still reachable.
 * <p>
 * {@code -Djavisor.leak.cycles=N} runs N rounds per case instead of {@value #DEFAULT_CYCLES} (a soak).
 */
class GuestCodeDestroyLeakTest
{
    private static final int DEFAULT_CYCLES = 10;
    private static final int CYCLES = Integer.getInteger("javisor.leak.cycles", DEFAULT_CYCLES);
    private static final int DOMAIN_MIB = 16;
    private static final long MAX_INSTRUCTIONS = 2_000_000_000L;
    private static final String IMAGE = "IMAGE";
    private static final Map<String, ElfImage> KERNELS = new ConcurrentHashMap<>();

    /** How a round ends before the domain is destroyed. */
    enum Ending
    {
        /** The guest runs to its end (poweroff) first; its console output is the recorded one. */
        POWERED_OFF,
        /** The guest still runs (its devices connected, IO in flight) when it is destroyed. */
        RUNNING,
        /** The domain is destroyed with its devices attached and its guest never started. */
        NEVER_STARTED
    }

    /**
     * A domain and its devices as xl.cfg spec strings ({@value #IMAGE} is the case's raw image file),
     * its guest and how the round ends. {@code marker} is console output that shows a running guest
     * reached the point at which it is destroyed.
     */
    enum Case
    {
        PV_DISK_FILE(DomainType.PV, null, "pv-disk", Ending.POWERED_OFF, null,
            Threadings.SHARED_BOTH_IN_A_SOAK, List.of("format=raw, vdev=xvda, access=rw, target=" + IMAGE), List.of()),
        PV_DISK_FILE_MID_IO(DomainType.PV, null, "pv-disk", Ending.RUNNING, "pv-disk: connected", Threadings.BOTH,
            List.of("format=raw, vdev=xvda, access=rw, target=" + IMAGE), List.of()),
        PV_NET_ECHO(DomainType.PV, null, "net-echo-pv", Ending.RUNNING, "net-echo: xen-netfront up", Threadings.BOTH,
            List.of(), List.of("bridge=xenbr0")),
        PV_BLOCKED_WITH_DISK_AND_VIF(DomainType.PV, null, "pv-block", Ending.RUNNING, "pv-block: blocking forever",
            Threadings.BOTH, List.of("format=raw, vdev=xvda, access=rw, target=" + IMAGE), List.of("bridge=xenbr0")),
        PV_EVENTS_WITH_DISK_AND_VIF(DomainType.PV, null, "pv-events", Ending.POWERED_OFF, null, Threadings.BOTH,
            List.of("format=ram, vdev=xvda, access=rw, target=1M"), List.of("bridge=xenbr0")),
        PV_WITH_DISK_AND_VIF_NEVER_STARTED(DomainType.PV, null, null, Ending.NEVER_STARTED, null, Threadings.BOTH,
            List.of("format=raw, vdev=xvda, access=rw, target=" + IMAGE), List.of("bridge=xenbr0")),
        PV_ON_HVM_DISK_RAM(DomainType.HVM, BootMode.BUILTIN, "pv-disk", Ending.POWERED_OFF, null,
            Threadings.SHARED_BOTH_IN_A_SOAK, List.of("format=ram, vdev=xvda, access=rw, target=1M"), List.of()),
        PV_ON_HVM_NET_ECHO(DomainType.HVM, BootMode.BUILTIN, "net-echo-pv", Ending.RUNNING, "net-echo: xen-netfront up",
            Threadings.BOTH, List.of("format=ram, vdev=xvda, access=rw, target=1M"), List.of("type=vif, bridge=xenbr0")),
        HVM_ATA_RAM(DomainType.HVM, BootMode.BARE, "ata-disk", Ending.POWERED_OFF, null, Threadings.NOT_USED,
            List.of("format=ram, vdev=hda, access=rw, target=1M"), List.of()),
        HVM_ATA_FILE(DomainType.HVM, BootMode.BARE, "ata-disk", Ending.POWERED_OFF, null, Threadings.NOT_USED,
            List.of("format=raw, vdev=hda, access=rw, target=" + IMAGE), List.of()),
        HVM_VIRTIO_BLK_RAM(DomainType.HVM, BootMode.BARE, "virtio-blk", Ending.POWERED_OFF, null, Threadings.NOT_USED,
            List.of("format=ram, vdev=vda, access=rw, target=1M"), List.of()),
        HVM_VIRTIO_BLK_FILE(DomainType.HVM, BootMode.BARE, "virtio-blk", Ending.POWERED_OFF, null, Threadings.NOT_USED,
            List.of("format=raw, vdev=vda, access=rw, target=" + IMAGE), List.of()),
        HVM_LAN9118(DomainType.HVM, BootMode.BARE, "net-echo-lan9118", Ending.RUNNING, "net-echo: lan9118 up",
            Threadings.NOT_USED, List.of(), List.of("model=lan9118, bridge=xenbr0")),
        HVM_VIRTIO_NET(DomainType.HVM, BootMode.BARE, "net-echo-virtio", Ending.RUNNING, "net-echo: virtio-net up",
            Threadings.NOT_USED, List.of(), List.of("model=virtio, bridge=xenbr0")),
        HVM_EVERY_DEVICE_NEVER_STARTED(DomainType.HVM, BootMode.BARE, null, Ending.NEVER_STARTED, null, Threadings.BOTH,
            List.of("format=raw, vdev=hda, access=rw, target=" + IMAGE, "format=ram, vdev=vda, access=rw, target=1M",
                "format=ram, vdev=xvdb, access=rw, target=1M"),
            List.of("model=lan9118, bridge=xenbr0", "model=virtio, bridge=xenbr0", "type=vif, bridge=xenbr0"));

        final DomainType type;
        final BootMode boot;
        final String kernel;
        final Ending ending;
        final String marker;
        final List<BackendThreading> threadings;
        final List<String> disks;
        final List<String> vifs;

        Case(final DomainType type, final BootMode boot, final String kernel, final Ending ending, final String marker,
            final List<BackendThreading> threadings, final List<String> disks, final List<String> vifs)
        {
            this.type = type;
            this.boot = boot;
            this.kernel = kernel;
            this.ending = ending;
            this.marker = marker;
            this.threadings = threadings;
            this.disks = disks;
            this.vifs = vifs;
        }
    }

    /**
     * The back-end threadings a case runs in: both where dom0's back ends serve its PV devices, but
     * SHARED only for pv-disk run to its end unless in a soak (DEDICATED agents spin on cores its vCPU
     * needs, which makes ten runs take seconds on a small machine; DEDICATED is covered by the same
     * devices connected and destroyed mid-IO, and by pv-events powering off with devices attached); the
     * default one where no back end serves the domain (emulated and virtio devices run on its vCPU).
     */
    private static final class Threadings
    {
        static final List<BackendThreading> BOTH = List.of(BackendThreading.SHARED, BackendThreading.DEDICATED);
        static final List<BackendThreading> SHARED_BOTH_IN_A_SOAK = CYCLES > DEFAULT_CYCLES ? BOTH :
            List.of(BackendThreading.SHARED);
        static final List<BackendThreading> NOT_USED = List.of(HypervisorConfig.defaults().backendThreading());
    }

    static Stream<Arguments> cases()
    {
        return Stream.of(Case.values()).flatMap(c -> c.threadings.stream().map(threading -> Arguments.of(c, threading)));
    }

    @TempDir
    Path dir;
    private Hypervisor hypervisor;
    private Path image;
    /** Every domain, PV device, guest and machine of a destroyed round; all must be collectable. */
    private final List<WeakReference<Object>> destroyed = new ArrayList<>();

    @AfterEach
    void close()
    {
        if (hypervisor != null)
        {
            hypervisor.close();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    @Timeout(120)
    void destroyGivesBackEverythingTheDomainHeld(final Case c, final BackendThreading threading) throws Exception
    {
        hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(128).withBackendThreading(threading));
        image = dir.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(1 << 20);
        }
        final long start = System.nanoTime();
        round(c, 0);
        final LeakCensus before = LeakCensus.settled(hypervisor, destroyed);
        for (int round = 1; round <= CYCLES; round++)
        {
            round(c, round);
        }
        final LeakCensus after = LeakCensus.settled(hypervisor, destroyed, before);
        final long reachable = LeakCensus.stillReachable(destroyed);
        assertEquals(List.of(), before.differencesTo(after), c + " " + threading + ", " + CYCLES + " rounds, " +
            reachable + " destroyed objects reachable: " + after);
        assertEquals(0, reachable, "destroyed domains, devices, guests or machines reachable");
        System.out.printf("destroy leaks: %s %s, %d rounds in %d ms, %d destroyed objects collected, census unchanged: %s%n",
            c, threading, CYCLES + 1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), destroyed.size(), after);
    }

    private void round(final Case c, final int round) throws Exception
    {
        final String name = "leak-" + round;
        final Domain domain = hypervisor.createDomain(c.type == DomainType.PV ?
            DomainConfig.pv(name, DOMAIN_MIB) : DomainConfig.hvm(name, DOMAIN_MIB));
        attachDevices(c, domain);
        destroyed.add(new WeakReference<>(domain));
        hypervisor.backends().disks(domain).forEach(vbd -> destroyed.add(new WeakReference<>(vbd)));
        hypervisor.backends().vifs(domain).forEach(vif -> destroyed.add(new WeakReference<>(vif)));
        if (c.ending != Ending.NEVER_STARTED)
        {
            final RecordingConsole console = new RecordingConsole();
            final MachineConfig machine = new MachineConfig().kernel(kernel(c.kernel)).console(console)
                .maxInstructions(MAX_INSTRUCTIONS);
            final HvmGuest guest = c.type == DomainType.PV ? hypervisor.startPv(domain, machine) :
                hypervisor.startHvm(domain, machine.bootMode(c.boot));
            destroyed.add(new WeakReference<>(guest));
            destroyed.add(new WeakReference<>(guest.machine()));
            if (c.ending == Ending.POWERED_OFF)
            {
                runToPoweroff(c, round, guest, console);
            }
            else
            {
                awaitMarker(c, round, guest, console);
            }
        }
        assertTrue(hypervisor.destroyDomain(domain.id()), "round " + round);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (domain.state() != DomainState.GONE && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertEquals(DomainState.GONE, domain.state(), c + " round " + round + ": the back ends let go of its frames");
    }

    private void attachDevices(final Case c, final Domain domain)
    {
        for (final String disk : c.disks)
        {
            final String spec = disk.replace(IMAGE, image.toString());
            if (c.type == DomainType.PV)
            {
                hypervisor.backends().attachDisk(domain, spec);
            }
            else
            {
                hypervisor.backends().attachHvmDisk(domain, spec);
            }
        }
        for (final String vif : c.vifs)
        {
            if (c.type == DomainType.PV)
            {
                hypervisor.backends().attachVif(domain, vif);
            }
            else
            {
                hypervisor.backends().attachHvmVif(domain, vif);
            }
        }
    }

    private static void runToPoweroff(final Case c, final int round, final HvmGuest guest, final RecordingConsole console)
        throws InterruptedException
    {
        final MachineExit exit = guest.awaitExit(60, TimeUnit.SECONDS);
        assertNotNull(exit, c + " round " + round + ": the guest ended\n" + console.text());
        assertEquals(0, exit.exitCode(), c + " round " + round + ": " + exit + "\n" + console.text());
        // The recorded output names the back-end path of domain 1's disk; this round's domain has its own id.
        final String expected = GuestImages.expectedOutput(c.kernel)
            .replace("/backend/vbd/1/", "/backend/vbd/" + guest.domain().id() + "/");
        assertEquals(expected, console.text(), c + " round " + round);
        assertEquals(DomainState.SHUTDOWN, guest.domain().state(), c + " round " + round);
        assertEquals(ShutdownReason.POWEROFF, guest.domain().shutdownReason(), c + " round " + round);
    }

    private static void awaitMarker(final Case c, final int round, final HvmGuest guest, final RecordingConsole console)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!console.text().contains(c.marker) && guest.exit() == null && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertTrue(console.text().contains(c.marker), c + " round " + round + ": no '" + c.marker + "'\n" + console.text());
        assertNull(guest.exit(), c + " round " + round + ": the guest still runs when it is destroyed\n" + console.text());
    }

    private static ElfImage kernel(final String name)
    {
        return KERNELS.computeIfAbsent(name, GuestImages::load);
    }
}
