package io.javisor.core;

import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.Vif;
import io.javisor.netback.pcap.PcapWriter;
import io.javisor.netback.spec.MacAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bare-metal net guests ({@code net-ping-*}, {@code net-echo-*}: our own LAN9118 and virtio-net
 * drivers) on HVM domains, on one bridge with each other and with a Java PV guest. The guests speak
 * {@code guests/lib/jping.h}: 60-byte frames of EtherType 0x88B5 carrying a kind, a sequence number
 * and the pinger's mtime stamp. Both sides sleep in WFI until their NIC's receive interrupt. Each
 * guest's output, less its one "timing" line, is its recorded {@code expected/NAME.out}; the timing
 * line carries the guest-measured round trips and the receive interrupts taken.
 */
class HvmNetGuestsTest
{
    private static final int PINGS = 272; // 16 warm-up + 256 timed
    private static final int ETHERTYPE = 0x88B5;
    private static final int KIND = 16;
    private static final int REQUEST = 1;
    private static final int BYE = 3;
    private static final Pattern TIMING = Pattern.compile(
        "rtt_ns_min=(\\d+) p50=(\\d+) p90=(\\d+) p99=(\\d+) max=(\\d+) resent=(\\d+) rx_interrupts=(\\d+)");

    @TempDir
    Path dir;
    private final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @ParameterizedTest(name = "{0} pings {1}")
    @CsvSource({"lan9118, virtio", "virtio, lan9118"})
    void twoHvmGuestsPingEachOtherOverOneBridgeWithALan9118AndAVirtioNic(final String pingModel, final String echoModel)
        throws Exception
    {
        final RecordingConsole echoConsole = new RecordingConsole();
        final RecordingConsole pingConsole = new RecordingConsole();
        final HvmGuest echo = startGuest("echo", echoModel, "00:16:3e:0e:00:02", "net-echo-" + echoModel, echoConsole);
        final HvmGuest ping = startGuest("ping", pingModel, "00:16:3e:0e:00:01", "net-ping-" + pingModel, pingConsole);

        assertFinished(ping, pingConsole);
        assertFinished(echo, echoConsole);
        assertEquals(GuestImages.expectedOutput("net-ping-" + pingModel), withoutTiming(pingConsole.text()));
        assertEquals(GuestImages.expectedOutput("net-echo-" + echoModel), withoutTiming(echoConsole.text()));
        final Matcher rtt = timing(pingConsole.text());
        assertTrue(Long.parseLong(rtt.group(7)) > 0, "the pinger woke on its NIC's receive interrupt");
        assertTrue(timingLine(echoConsole.text()).matches(".* rx_interrupts=[1-9]\\d*"), "and so did the echo");
        System.out.printf("net guests: %s pings %s, %d timed 60 B pings, guest-measured RTT p50 %.1f us p99 %.1f us " +
                "(min %.1f, p90 %.1f, max %.1f), resent %s, rx interrupts %s; echo: %s%n",
            pingModel, echoModel, PINGS - 16, us(rtt, 2), us(rtt, 4), us(rtt, 1), us(rtt, 3), us(rtt, 5), rtt.group(6),
            rtt.group(7), timingLine(echoConsole.text()));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"virtio", "lan9118"})
    void aJavaPvGuestEchoesTheFramesAnHvmGuestSendsOnOneBridge(final String model) throws Exception
    {
        final JavaEcho java = new JavaEcho(hypervisor, "br0");
        final RecordingConsole console = new RecordingConsole();
        final HvmGuest ping = startGuest("ping", model, "00:16:3e:0e:00:01", "net-ping-" + model, console);

        java.echoUntilExit(ping);
        assertFinished(ping, console);
        assertEquals(GuestImages.expectedOutput("net-ping-" + model), withoutTiming(console.text()));
        assertEquals(PINGS + 1, java.answered, "every ping and the goodbye answered at least once");
        final Matcher rtt = timing(console.text());
        System.out.printf("net guests: %s pings a Java PV guest, guest-measured RTT p50 %.1f us p99 %.1f us " +
                "(min %.1f, p90 %.1f, max %.1f), resent %s, rx interrupts %s%n",
            model, us(rtt, 2), us(rtt, 4), us(rtt, 1), us(rtt, 3), us(rtt, 5), rtt.group(6), rtt.group(7));
    }

    /** netback's pcap capture is per PV vif ({@link Vif#capture}): the Java guest's vif sees every frame of the exchange. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"virtio", "lan9118"})
    void tsharkReadsBackTheFramesAnHvmGuestAndAJavaGuestExchanged(final String model) throws Exception
    {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/tshark")),
            "tshark is not installed (Debian package tshark; .ci/run installs it)");
        final Path file = dir.resolve("br0-java.pcap");
        final JavaEcho java = new JavaEcho(hypervisor, "br0");
        final RecordingConsole console = new RecordingConsole();
        try (PcapWriter writer = PcapWriter.open(file))
        {
            java.vif.capture(writer);
            final HvmGuest ping = startGuest("ping", model, "00:16:3e:0e:00:01", "net-ping-" + model, console);
            java.echoUntilExit(ping);
            assertFinished(ping, console);
            java.vif.capture(null);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (writer.records() < 2L * (PINGS + 1) && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
        }
        final int resent = Integer.parseInt(timing(console.text()).group(6));
        final List<String> lines = tshark(file);
        final String hvm = "00:16:3e:0e:00:01";
        final String javaMac = MacAddress.toString(java.vif.macAddress());
        assertEquals(2 * (PINGS + 1 + resent), lines.size(), String.join("\n", lines));
        assertEquals("60\t" + hvm + "\tff:ff:ff:ff:ff:ff\t0x88b5", lines.get(0), "the first ping is a broadcast");
        assertEquals("60\t" + javaMac + "\t" + hvm + "\t0x88b5", lines.get(1), "the Java guest's answer");
        final long fromHvm = lines.stream().filter(l -> l.startsWith("60\t" + hvm + "\t")).count();
        final long fromJava = lines.stream().filter(l -> l.equals("60\t" + javaMac + "\t" + hvm + "\t0x88b5")).count();
        assertEquals(PINGS + 1 + resent, fromHvm, "pings and the goodbye, each 60 bytes");
        assertEquals(fromHvm, fromJava, "each answered");
    }

    private HvmGuest startGuest(final String name, final String model, final String mac, final String image,
        final RecordingConsole console)
    {
        final Domain domain = hypervisor.createDomain(DomainConfig.hvm(name, 16));
        hypervisor.backends().attachHvmVif(domain, "model=" + model + ", bridge=br0, mac=" + mac);
        return hypervisor.startHvm(domain, new MachineConfig().bootMode(BootMode.BARE)
            .kernel(GuestImages.load(image)).console(console));
    }

    private static void assertFinished(final HvmGuest guest, final RecordingConsole console) throws InterruptedException
    {
        final MachineExit exit = guest.awaitExit(120, TimeUnit.SECONDS);
        assertNotNull(exit, "the guest ended; so far:\n" + console.text());
        assertEquals(MachineExit.Kind.FINISHER, exit.kind(), exit + "\n" + console.text());
        assertEquals(0, exit.exitCode(), console.text());
    }

    private static String withoutTiming(final String text)
    {
        return text.lines().filter(l -> !l.contains(": timing ")).map(l -> l + "\n").collect(Collectors.joining());
    }

    private static String timingLine(final String text)
    {
        return text.lines().filter(l -> l.contains(": timing ")).findFirst().orElseThrow();
    }

    private static Matcher timing(final String text)
    {
        final Matcher m = TIMING.matcher(timingLine(text));
        assertTrue(m.find(), text);
        return m;
    }

    private static double us(final Matcher m, final int group)
    {
        return Long.parseLong(m.group(group)) / 1000.0;
    }

    private static List<String> tshark(final Path file) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("tshark", "-r", file.toString(), "-T", "fields",
            "-e", "frame.len", "-e", "eth.src", "-e", "eth.dst", "-e", "eth.type").start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "tshark finished");
        assertEquals(0, process.exitValue(), new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        return out.lines().toList();
    }

    /** A Java PV guest with a vif on the bridge that answers requests and goodbyes as net-echo does. */
    private static final class JavaEcho
    {
        final Vif vif;
        final NetFront front;
        int answered;
        private final List<byte[]> pending = new ArrayList<>();

        JavaEcho(final Hypervisor hypervisor, final String bridge)
        {
            final Domain domain = hypervisor.createDomain(DomainConfig.pv("java-echo", 16));
            vif = hypervisor.backends().attachVif(domain, "mac=00:16:3e:0e:00:0f, bridge=" + bridge);
            front = NetFront.attach(domain.resources(), 0, vif.handle(), NetFrontConfig.defaults());
        }

        void echoUntilExit(final HvmGuest guest)
        {
            final UnsafeBuffer reply = new UnsafeBuffer(new byte[60]);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            int nextSeq = 0;
            try (front)
            {
                while (guest.exit() == null && System.nanoTime() < deadline)
                {
                    front.poll((buffer, offset, length) ->
                    {
                        final byte[] copy = new byte[length];
                        buffer.getBytes(offset, copy);
                        pending.add(copy);
                    });
                    for (final byte[] frame : pending)
                    {
                        final UnsafeBuffer in = new UnsafeBuffer(frame);
                        if (frame.length < 32 || (in.getShort(12, ByteOrder.BIG_ENDIAN) & 0xFFFF) != ETHERTYPE ||
                            (in.getByte(KIND) != REQUEST && in.getByte(KIND) != BYE))
                        {
                            continue;
                        }
                        final int seq = in.getInt(18, ByteOrder.LITTLE_ENDIAN);
                        if (seq == nextSeq)
                        {
                            nextSeq++;
                            answered++;
                        }
                        reply.setMemory(0, 60, (byte)0);
                        reply.putBytes(0, frame, 6, 6);                          // to the sender
                        MacAddress.write(vif.macAddress(), reply, 6);
                        reply.putBytes(12, frame, 12, 20);                       // type, magic, kind, seq, stamp
                        reply.putByte(KIND, (byte)(in.getByte(KIND) + 1));       // REPLY, BYE_ACK
                        assertTrue(front.send(reply, 0, 60));
                        front.flush();
                    }
                    pending.clear();
                    front.awaitActivity(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
        }
    }
}
