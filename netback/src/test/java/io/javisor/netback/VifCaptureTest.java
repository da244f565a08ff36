package io.javisor.netback;

import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.pcap.PcapWriter;
import io.javisor.netback.ratelimit.RateLimiter;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.StandaloneDomains;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.javisor.netback.NetFrontBackTest.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A vif's capture sees every frame it sends and receives, and tshark (a real pcap reader) reads
 * the file back.
 */
class VifCaptureTest
{
    private final StandaloneDomains domains = new StandaloneDomains(256);
    private final BackendResources dom0 = domains.backend(0, 16);
    private final DomainResources guestA = domains.domain(1, 16);
    private final DomainResources guestB = domains.domain(2, 16);
    private final Bridge bridge = new Bridge("xenbr0");
    private final NetBackend backend = new NetBackend(dom0, NetBackend.Mode.LATENCY, "capture").start();

    @AfterEach
    void tearDown()
    {
        backend.close();
        domains.close();
    }

    @Test
    void tsharkReadsTheFramesAVifSentAndReceived(@TempDir final Path dir) throws Exception
    {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/tshark")),
            "tshark is not installed (Debian package tshark; .ci/run installs it)");
        final Path file = dir.resolve("vif1.0.pcap");
        final Vif vifA = backend.attach(guestA.domid(), 0, MAC_A, bridge, RateLimiter.unlimited());
        backend.attach(guestB.domid(), 0, MAC_B, bridge, RateLimiter.unlimited());
        try (NetFront a = NetFront.attach(guestA, 0, 0, NetFrontConfig.defaults());
            NetFront b = NetFront.attach(guestB, 0, 0, NetFrontConfig.defaults());
            PcapWriter writer = PcapWriter.open(file))
        {
            vifA.capture(writer);
            for (int i = 0; i < 5; i++)
            {
                final UnsafeBuffer toB = frame(MAC_B, MAC_A, 100 + i, i);
                assertTrue(a.send(toB, 0, toB.capacity()));
                a.flush();
                assertEquals(1, receive(b, 1, 2000).size());
                final UnsafeBuffer toA = frame(MAC_A, MAC_B, 200 + i, i);
                assertTrue(b.send(toA, 0, toA.capacity()));
                b.flush();
                assertEquals(1, receive(a, 1, 2000).size());
            }
            vifA.capture(null);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (writer.records() < 10 && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
        }
        final List<String> lines = tshark(file);
        assertEquals(10, lines.size(), String.join("\n", lines));
        for (int i = 0; i < 5; i++)
        {
            assertEquals((100 + i) + "\t00:16:3e:00:00:0a\t00:16:3e:00:00:0b", lines.get(2 * i), "sent frame " + i);
            assertEquals((200 + i) + "\t00:16:3e:00:00:0b\t00:16:3e:00:00:0a", lines.get(2 * i + 1), "received frame " + i);
        }
    }

    private static List<String> tshark(final Path file) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("tshark", "-r", file.toString(), "-T", "fields",
            "-e", "frame.len", "-e", "eth.src", "-e", "eth.dst").redirectErrorStream(false).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "tshark finished");
        assertEquals(0, process.exitValue(), new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        return out.lines().toList();
    }
}
