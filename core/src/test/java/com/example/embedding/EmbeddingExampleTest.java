package com.example.embedding;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.image.VirtualDevice;
import io.javisor.core.Domain;
import io.javisor.core.Hypervisor;
import io.javisor.core.ShutdownReason;
import io.javisor.core.junit.GuestDomain;
import io.javisor.core.junit.Guest;
import io.javisor.core.junit.JavaDomain;
import io.javisor.core.junit.JavisorTest;
import io.javisor.core.junit.XlDomain;
import io.javisor.core.toolstack.Toolstack;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.spec.MacAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * javisor in a user's project's tests, through the JUnit extension and the public API only: each
 * test gets a fresh hypervisor with its guests, and after it everything is destroyed and checked
 * for leaks, whether the test passed or not.
 */
@JavisorTest
class EmbeddingExampleTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final short ETHERTYPE = (short)0x88B5; // IEEE's local experimental EtherType

    @Test
    void twoJavaGuestsOnOneBridgeExchangeFrames(
        @JavaDomain(name = "a", vif = "mac=00:16:3e:00:00:0a, bridge=xenbr0") final Domain a,
        @JavaDomain(name = "b", vif = "mac=00:16:3e:00:00:0b, bridge=xenbr0") final Domain b)
    {
        try (NetFront nicA = NetFront.attach(a.resources(), Hypervisor.DOM0, 0, NetFrontConfig.defaults());
             NetFront nicB = NetFront.attach(b.resources(), Hypervisor.DOM0, 0, NetFrontConfig.defaults()))
        {
            send(nicA, nicB.mac(), "ping from a");
            assertEquals("ping from a to 00:16:3e:00:00:0b", receive(nicB));
            send(nicB, nicA.mac(), "pong from b");
            assertEquals("pong from b to 00:16:3e:00:00:0a", receive(nicA));
        }
    }

    @Test
    void aRiscvGuestBootsAndPowersOff(@GuestDomain(elf = "hello") final Guest hello) throws InterruptedException
    {
        assertEquals(ShutdownReason.POWEROFF, hello.awaitShutdown(TIMEOUT));
        assertTrue(hello.console().startsWith("Hello from javisor guest"), hello.console());
    }

    @Test
    void aJavaGuestWritesItsDiskAndReadsItBack(
        @JavaDomain(name = "db", disk = "format=ram, vdev=xvda, target=1M") final Domain db)
    {
        final UnsafeBuffer written = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final UnsafeBuffer read = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        written.putStringWithoutLengthAscii(0, "a block of the database");
        try (BlkFront disk = BlkFront.attach(db.resources(), Hypervisor.DOM0, VirtualDevice.deviceId("xvda"),
            BlkFrontConfig.defaults()))
        {
            assertEquals(0, disk.writeBlocking(16, 8, written, 0));
            assertEquals(0, disk.readBlocking(16, 8, read, 0));
        }
        assertEquals("a block of the database", read.getStringWithoutLengthAscii(0, 23));
    }

    @Test
    void aJavaGuestFromAnXlConfigEchoesFramesBackUntilItIsShutDown(
        final Toolstack toolstack,
        @XlDomain("com/example/embedding/echo.cfg") final Guest echo,
        @JavaDomain(name = "client", vif = "mac=00:16:3e:00:00:c1, bridge=xenbr0") final Domain client)
        throws InterruptedException
    {
        echo.awaitConsole("echo: up", TIMEOUT);
        try (NetFront nic = NetFront.attach(client.resources(), Hypervisor.DOM0, 0, NetFrontConfig.defaults()))
        {
            send(nic, MacAddress.parse("00:16:3e:00:00:ec"), "are you there?");
            assertEquals("are you there? to 00:16:3e:00:00:c1", receive(nic));
        }
        toolstack.shutdown("echo", false); // xl shutdown echo
        assertEquals(ShutdownReason.POWEROFF, echo.awaitShutdown(TIMEOUT));
        assertTrue(echo.console().endsWith("echo: bye\n"), echo.console());
    }

    /** An Ethernet frame to {@code to} carrying {@code text}. */
    private static void send(final NetFront nic, final long to, final String text)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[60]);
        MacAddress.write(to, frame, 0);
        MacAddress.write(nic.mac(), frame, 6);
        frame.putShort(12, Short.reverseBytes(ETHERTYPE));
        frame.putByte(14, (byte)text.length());
        frame.putStringWithoutLengthAscii(15, text);
        nic.send(frame, 0, frame.capacity());
        nic.flush();
    }

    /** The text of the next frame {@code nic} receives, and the MAC it was sent to. */
    private static String receive(final NetFront nic)
    {
        final StringBuilder text = new StringBuilder();
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (text.isEmpty() && System.nanoTime() - deadline < 0)
        {
            nic.poll((frame, offset, length) ->
            {
                final byte[] payload = new byte[frame.getByte(offset + 14)];
                frame.getBytes(offset + 15, payload);
                text.append(new String(payload, StandardCharsets.US_ASCII))
                    .append(" to ").append(MacAddress.toString(MacAddress.read(frame, offset)));
            });
            nic.awaitActivity(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return text.toString();
    }
}
