package io.javisor.core.driver;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.spec.MacAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Java guests play ping-pong across a bridge inside a driver domain while the driver domain is
 * killed again and again: each kill loses at most the frames in flight, both front ends reconnect,
 * and the ping-pong goes on.
 */
@Seeded
class DriverDomainNetTest
{
    static final int KILLS = 10;
    static final int ROUND_TRIPS_BETWEEN_KILLS = 50;
    static final short ETHERTYPE = (short)0x88B5;

    @Test
    void aPingPongAcrossADriverDomainBridgeSurvivesItsKills(final Seed seed) throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            final Domain other = rig.hypervisor.createDomain(DomainConfig.pv("other", 4));
            other.unpause();
            final DriverVifSpec pingVif = rig.driver.attachVif(rig.guest, "backend=storage, bridge=ddbr0");
            final DriverVifSpec echoVif = rig.driver.attachVif(other, "backend=storage, bridge=ddbr0");
            rig.driver.awaitActive(30_000);
            final NetFrontConfig config = NetFrontConfig.defaults().withBuffers(16, 16).withReconnect(true);
            final Echo echo = new Echo(other, rig.driver.domid(), echoVif.handle(), config);
            final Thread echoThread = Thread.ofPlatform().name("echo-guest").start(echo);
            final Pinger pinger = new Pinger(rig.guest, rig.driver.domid(), pingVif.handle(), config,
                MacAddress.parse(echoVif.mac()));
            final Thread pingThread = Thread.ofPlatform().name("ping-guest").start(pinger);

            final SplittableRandom random = seed.splittableRandom();
            for (int kill = 1; kill <= KILLS; kill++)
            {
                awaitRoundTrips(pinger, pinger.roundTrips.get() + ROUND_TRIPS_BETWEEN_KILLS, kill);
                rig.driver.awaitSpare(60_000);
                Thread.sleep(random.nextInt(20));
                final Process victim = rig.driver.awaitActive(30_000);
                victim.destroyForcibly();
                assertTrue(victim.waitFor(10, TimeUnit.SECONDS));
            }
            awaitRoundTrips(pinger, pinger.roundTrips.get() + ROUND_TRIPS_BETWEEN_KILLS, KILLS + 1);
            pinger.stop = true;
            echo.stop = true;
            pingThread.join(30_000);
            echoThread.join(30_000);
            assertNull(pinger.failure, () -> "the pinging guest failed: " + pinger.failure);
            assertNull(echo.failure, () -> "the echoing guest failed: " + echo.failure);
            assertEquals(KILLS, pinger.reconnects, "the pinging front end reconnected after each kill");
            assertEquals(KILLS, echo.reconnects, "the echoing front end reconnected after each kill");
            assertTrue(pinger.timedOut <= 2L * KILLS, "only frames in flight at a kill are lost: " + pinger.timedOut);
            System.out.println("driver domain net test: " + KILLS + " kills, " + pinger.roundTrips.get() + " round trips, " +
                pinger.timedOut + " pings lost");
        }
    }

    private static void awaitRoundTrips(final Pinger pinger, final long target, final int afterKill) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pinger.roundTrips.get() < target && System.nanoTime() < deadline && pinger.failure == null)
        {
            Thread.sleep(1);
        }
        assertNull(pinger.failure, () -> "the pinging guest failed: " + pinger.failure);
        assertTrue(pinger.roundTrips.get() >= target, "the ping-pong goes on (before kill " + afterKill + ")");
    }

    /** Sends numbered frames to the echo and waits for each to come back, re-sending after a timeout. */
    private static final class Pinger implements Runnable
    {
        final Domain guest;
        final int backend;
        final int handle;
        final NetFrontConfig config;
        final long peer;
        final AtomicLong roundTrips = new AtomicLong();
        volatile boolean stop;
        volatile String failure;
        long timedOut;
        long reconnects;
        private long answered = -1;

        Pinger(final Domain guest, final int backend, final int handle, final NetFrontConfig config, final long peer)
        {
            this.guest = guest;
            this.backend = backend;
            this.handle = handle;
            this.config = config;
            this.peer = peer;
        }

        @Override
        public void run()
        {
            try (NetFront front = NetFront.attach(guest.resources(), backend, handle, config))
            {
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
                MacAddress.write(peer, frame, 0);
                MacAddress.write(front.mac(), frame, 6);
                frame.putShort(12, ETHERTYPE, java.nio.ByteOrder.BIG_ENDIAN);
                for (long sequence = 0; !stop; sequence++)
                {
                    frame.putLong(14, sequence);
                    while (!front.send(frame, 0, frame.capacity()))
                    {
                        front.poll((buffer, offset, length) -> { });
                    }
                    front.flush();
                    final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                    while (answered != sequence && System.nanoTime() < deadline)
                    {
                        front.awaitActivity(TimeUnit.MILLISECONDS.toNanos(1));
                        front.poll((buffer, offset, length) ->
                        {
                            if (length >= 22 && buffer.getShort(offset + 12, java.nio.ByteOrder.BIG_ENDIAN) == ETHERTYPE)
                            {
                                answered = buffer.getLong(offset + 14);
                            }
                        });
                    }
                    if (answered == sequence)
                    {
                        roundTrips.incrementAndGet();
                    }
                    else
                    {
                        timedOut++;
                    }
                }
                reconnects = front.reconnects();
            }
            catch (final RuntimeException ex)
            {
                failure = ex.toString();
            }
        }
    }

    /** Sends every frame back to where it came from. */
    private static final class Echo implements Runnable
    {
        final Domain guest;
        final int backend;
        final int handle;
        final NetFrontConfig config;
        volatile boolean stop;
        volatile String failure;
        long reconnects;

        Echo(final Domain guest, final int backend, final int handle, final NetFrontConfig config)
        {
            this.guest = guest;
            this.backend = backend;
            this.handle = handle;
            this.config = config;
        }

        @Override
        public void run()
        {
            try (NetFront front = NetFront.attach(guest.resources(), backend, handle, config))
            {
                final UnsafeBuffer reply = new UnsafeBuffer(new byte[2048]);
                while (!stop)
                {
                    front.awaitActivity(TimeUnit.MILLISECONDS.toNanos(1));
                    front.poll((buffer, offset, length) ->
                    {
                        if (length <= reply.capacity())
                        {
                            reply.putBytes(0, buffer, offset, length);
                            MacAddress.write(MacAddress.read(buffer, offset + 6), reply, 0);
                            MacAddress.write(front.mac(), reply, 6);
                            front.send(reply, 0, length);
                        }
                    });
                    front.flush();
                }
                reconnects = front.reconnects();
            }
            catch (final RuntimeException ex)
            {
                failure = ex.toString();
            }
        }
    }
}
