package io.javisor.blkback;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import io.javisor.ringio.StandaloneDomains;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.blkback.wire.BlkifDescriptor;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

@Seeded
class BlkFrontBackTest
{
    private static final int XVDA = 51712;
    private static final int XVDB = 51728;

    private final StandaloneDomains domains = new StandaloneDomains(256);
    private final BackendResources dom0 = domains.backend(0, 8);
    private final DomainResources guest = domains.domain(1, 16);

    @AfterEach
    void close()
    {
        domains.close();
    }

    @ParameterizedTest
    @EnumSource(BlkBackend.Mode.class)
    void whatIsWrittenReadsBackAndTheHandshakeEndsConnected(final BlkBackend.Mode mode, final Seed seed)
    {
        try (BlkBackend backend = new BlkBackend(dom0, mode, "test").start();
            RamDiskImage disk = new RamDiskImage(8 << 20))
        {
            final Vbd vbd = backend.attach(guest.domid(), XVDA, disk, false);
            try (BlkFront front = BlkFront.attach(guest, 0, XVDA, BlkFrontConfig.defaults()))
            {
                assertEquals((8 << 20) / 512, front.sectors());
                assertFalse(front.isReadOnly());
                assertEquals(XenbusState.CONNECTED, vbd.backendState());

                final UnsafeBuffer data = new UnsafeBuffer(new byte[44 * 1024]);
                final UnsafeBuffer back = new UnsafeBuffer(new byte[44 * 1024]);
                final SplittableRandom random = seed.splittableRandom();
                for (int round = 0; round < 200; round++)
                {
                    final int sectors = 1 + random.nextInt(front.maxSectorsPerRequest());
                    final long sector = random.nextLong(front.sectors() - sectors);
                    for (int i = 0; i < sectors * 512; i++)
                    {
                        data.putByte(i, (byte)random.nextInt());
                    }
                    assertEquals(0, front.writeBlocking(sector, sectors, data, 0));
                    back.setMemory(0, back.capacity(), (byte)0);
                    assertEquals(0, front.readBlocking(sector, sectors, back, 0));
                    for (int i = 0; i < sectors * 512; i++)
                    {
                        assertEquals(data.getByte(i), back.getByte(i), "byte " + i + " of round " + round);
                    }
                }
                assertEquals(0, front.flushBlocking());
                assertEquals(0, front.discardBlocking(0, 8));
                assertEquals(0, front.readBlocking(0, 8, back, 0));
                assertEquals(0, back.getLong(0), "discarded sectors read as zero");
                assertEquals(BlkifDescriptor.STATUS_ERROR, front.readBlocking(front.sectors() - 1, 2, back, 0),
                    "past the end of the disk");
                assertTrue(vbd.statistics().persistentGrantsMapped() > 0, "persistent grants in use");
            }
            assertEquals(XenbusState.CLOSED, vbd.backendState(), "the back end followed the front end to Closed");
            assertEquals(0, dom0.grantMapper().liveMappings(), "ring and persistent grants unmapped");
        }
    }

    @Test
    void withoutPersistentGrantsEveryRequestMapsAndUnmaps()
    {
        try (BlkBackend backend = new BlkBackend(dom0, BlkBackend.Mode.LATENCY, "test").start();
            RamDiskImage disk = new RamDiskImage(1 << 20))
        {
            final Vbd vbd = backend.attach(guest.domid(), XVDA, disk, false);
            try (BlkFront front = BlkFront.attach(guest, 0, XVDA, BlkFrontConfig.defaults().withPersistent(false)))
            {
                final UnsafeBuffer data = new UnsafeBuffer(new byte[4096]);
                data.putLong(0, 42);
                assertEquals(0, front.writeBlocking(16, 8, data, 0));
                data.putLong(0, 0);
                assertEquals(0, front.readBlocking(16, 8, data, 0));
                assertEquals(42, data.getLong(0));
                assertEquals(0, vbd.statistics().persistentGrantsMapped());
                assertEquals(2, vbd.statistics().transientMaps());
            }
        }
    }

    @Test
    void aReadOnlyDiskRefusesWritesAndSaysSoInInfo()
    {
        try (BlkBackend backend = new BlkBackend(dom0, BlkBackend.Mode.LATENCY, "test").start();
            RamDiskImage disk = new RamDiskImage(1 << 20))
        {
            backend.attach(guest.domid(), XVDA, disk, true);
            try (BlkFront front = BlkFront.attach(guest, 0, XVDA, BlkFrontConfig.defaults()))
            {
                assertTrue(front.isReadOnly());
                final UnsafeBuffer data = new UnsafeBuffer(new byte[4096]);
                assertEquals(BlkifDescriptor.STATUS_ERROR, front.writeBlocking(0, 8, data, 0));
                assertEquals(BlkifDescriptor.STATUS_ERROR, front.discardBlocking(0, 8));
                assertEquals(0, front.readBlocking(0, 8, data, 0));
            }
        }
    }

    @Test
    void severalDevicesPerDomainAreIndependent()
    {
        try (BlkBackend backend = new BlkBackend(dom0, BlkBackend.Mode.DENSITY, "test").start();
            RamDiskImage a = new RamDiskImage(1 << 20);
            RamDiskImage b = new RamDiskImage(2 << 20))
        {
            backend.attach(guest.domid(), XVDA, a, false);
            backend.attach(guest.domid(), XVDB, b, false);
            try (BlkFront xvda = BlkFront.attach(guest, 0, XVDA, BlkFrontConfig.defaults());
                BlkFront xvdb = BlkFront.attach(guest, 0, XVDB, BlkFrontConfig.defaults()))
            {
                assertEquals(2048, xvda.sectors());
                assertEquals(4096, xvdb.sectors());
                final UnsafeBuffer data = new UnsafeBuffer(new byte[4096]);
                data.putLong(0, 1);
                assertEquals(0, xvda.writeBlocking(0, 8, data, 0));
                data.putLong(0, 2);
                assertEquals(0, xvdb.writeBlocking(0, 8, data, 0));
                assertEquals(0, xvda.readBlocking(0, 8, data, 0));
                assertEquals(1, data.getLong(0));
                assertEquals(0, xvdb.readBlocking(0, 8, data, 0));
                assertEquals(2, data.getLong(0));
            }
        }
    }

    @Test
    void asynchronousRequestsAtQueueDepthCompleteWithTheirTags()
    {
        try (BlkBackend backend = new BlkBackend(dom0, BlkBackend.Mode.LATENCY, "test").start();
            RamDiskImage disk = new RamDiskImage(4 << 20))
        {
            backend.attach(guest.domid(), XVDA, disk, false);
            try (BlkFront front = BlkFront.attach(guest, 0, XVDA, BlkFrontConfig.defaults()))
            {
                final UnsafeBuffer data = new UnsafeBuffer(new byte[32 * 4096]);
                for (int i = 0; i < 32; i++)
                {
                    data.putLong(i * 4096, 1000 + i);
                    assertTrue(front.write(i * 8L, 8, data, i * 4096, i));
                }
                assertFalse(front.write(0, 8, data, 0, 99), "queue depth 32 reached");
                front.submit();
                final boolean[] done = new boolean[32];
                int completed = 0;
                while (completed < 32)
                {
                    completed += front.poll((tag, status) ->
                    {
                        assertEquals(0, status);
                        assertFalse(done[(int)tag], "tag completed twice");
                        done[(int)tag] = true;
                    });
                    front.awaitResponses(1_000_000_000L);
                }
                final UnsafeBuffer back = new UnsafeBuffer(new byte[4096]);
                for (int i = 0; i < 32; i++)
                {
                    assertEquals(0, front.readBlocking(i * 8L, 8, back, 0));
                    assertEquals(1000 + i, back.getLong(0));
                }
            }
        }
    }
}
