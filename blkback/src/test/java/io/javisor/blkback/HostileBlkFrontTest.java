package io.javisor.blkback;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import io.javisor.ringio.StandaloneDomains;

import io.javisor.blkback.image.RamDiskImage;
import io.javisor.ringio.BackendResources;
import io.javisor.ringio.DomainResources;
import io.javisor.ringio.ring.BackRing;
import io.javisor.ringio.xenstore.XenbusDevice.Side;
import io.javisor.ringio.xenstore.XenbusState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.javisor.blkback.wire.BlkifDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A front end is a guest and may put anything in its ring. Each bad request gets an error
 * response (or EOPNOTSUPP) for itself alone; broken ring indices disconnect that device with a
 * reason; nothing outside the granted frames is written; the other devices keep running.
 */
@Seeded
class HostileBlkFrontTest
{
    private static final int XVDA = 51712;
    private static final int XVDB = 51728;
    private static final long CANARY = 0x5A5A_5A5A_5A5A_5A5AL;

    private final StandaloneDomains domains = new StandaloneDomains(256);
    private final BackendResources dom0 = domains.backend(0, 8);
    private final DomainResources guest = domains.domain(1, 16);
    private final DomainResources bystander = domains.domain(2, 16);
    private BlkBackend backend;
    private RamDiskImage disk;
    private RamDiskImage readOnlyDisk;
    private Vbd vbd;
    private RawBlkFront front;
    private long dataGpfn;
    private int dataRef;
    private long readOnlyGpfn;
    private int readOnlyRef;
    private final java.util.Set<Long> testPages = new java.util.HashSet<>();

    @BeforeEach
    void setUp() throws Exception
    {
        backend = new BlkBackend(dom0, BlkBackend.Mode.LATENCY, "hostile").start();
        disk = new RamDiskImage(1 << 20);
        readOnlyDisk = new RamDiskImage(1 << 20);
        vbd = backend.attach(guest.domid(), XVDA, disk, false);
        front = new RawBlkFront(guest, XVDA);
        dataGpfn = guest.pages().allocate();
        dataRef = guest.grantReferences().claim();
        guest.grantTable().grantAccess(dataRef, 0, dataGpfn, false);
        readOnlyGpfn = guest.pages().allocate();
        readOnlyRef = guest.grantReferences().claim();
        guest.grantTable().grantAccess(readOnlyRef, 0, readOnlyGpfn, true);
        // Every page the guest did not grant writable carries a canary the back end must never touch.
        for (long gpfn = 0; gpfn < guest.memory().frameCount(); gpfn++)
        {
            if (gpfn != dataGpfn && !isRingPage(gpfn))
            {
                for (int i = 0; i < 4096; i += 8)
                {
                    guest.memory().putLong(gpfn * 4096 + i, CANARY);
                }
            }
        }
    }

    private boolean isRingPage(final long gpfn)
    {
        return front.page.addressOffset() == hostAddress(gpfn);
    }

    private long hostAddress(final long gpfn)
    {
        final UnsafeBuffer b = new UnsafeBuffer(0, 0);
        guest.memory().wrapFrame(gpfn, b);
        return b.addressOffset();
    }

    @AfterEach
    void tearDown()
    {
        backend.close();
        disk.close();
        readOnlyDisk.close();
        domains.close();
    }

    private void assertCanariesIntact()
    {
        for (long gpfn = 0; gpfn < guest.memory().frameCount(); gpfn++)
        {
            if (gpfn != dataGpfn && !isRingPage(gpfn) && !testPages.contains(gpfn))
            {
                for (int i = 0; i < 4096; i += 8)
                {
                    assertEquals(CANARY, guest.memory().getLong(gpfn * 4096 + i), "frame " + gpfn + " written at " + i);
                }
            }
        }
    }

    private int readWith(final int segments, final long sector, final int ref, final int first, final int last, final long id)
    {
        final int offset = front.request(OP_READ, id);
        front.page.putByte(offset + NR_SEGMENTS_OFFSET, (byte)segments);
        front.page.putLong(offset + SECTOR_NUMBER_OFFSET, sector);
        for (int i = 0; i < Math.min(segments, MAX_SEGMENTS_PER_REQUEST); i++)
        {
            RawBlkFront.segment(front.page, offset, i, ref, first, last);
        }
        front.push();
        return front.awaitStatus(id);
    }

    @Test
    void aWellFormedRequestWorksSoTheOthersFailForTheirOwnReason()
    {
        assertEquals(STATUS_OKAY, readWith(1, 0, dataRef, 0, 7, 1));
    }

    @Test
    void badGrantReferencesAreErrors()
    {
        final int unused = guest.grantReferences().claim();
        assertEquals(STATUS_ERROR, readWith(1, 0, unused, 0, 7, 2), "never granted");
        final int foreign = guest.grantReferences().claim();
        guest.grantTable().grantAccess(foreign, 7, dataGpfn, false);
        assertEquals(STATUS_ERROR, readWith(1, 0, foreign, 0, 7, 3), "granted to another domain");
        assertEquals(STATUS_ERROR, readWith(1, 0, 1 << 30, 0, 7, 4), "out of the table");
        assertEquals(STATUS_ERROR, readWith(1, 0, readOnlyRef, 0, 7, 5), "a read needs a writable grant");
        assertCanariesIntact();
    }

    @Test
    void segmentCountsOutsideOneToElevenAreErrors()
    {
        assertEquals(STATUS_ERROR, readWith(0, 0, dataRef, 0, 7, 6));
        assertEquals(STATUS_ERROR, readWith(12, 0, dataRef, 0, 7, 7));
        assertEquals(STATUS_ERROR, readWith(255, 0, dataRef, 0, 7, 8));
    }

    @Test
    void sectorBoundsInsideTheSegmentAreChecked()
    {
        assertEquals(STATUS_ERROR, readWith(1, 0, dataRef, 5, 4, 9), "first > last");
        assertEquals(STATUS_ERROR, readWith(1, 0, dataRef, 0, 8, 10), "last beyond the page");
        assertEquals(STATUS_ERROR, readWith(1, 0, dataRef, 200, 255, 11));
    }

    @Test
    void sectorsBeyondTheDiskAreErrors()
    {
        final long sectors = disk.sectors();
        assertEquals(STATUS_OKAY, readWith(1, sectors - 8, dataRef, 0, 7, 12), "the last page is fine");
        assertEquals(STATUS_ERROR, readWith(1, sectors - 7, dataRef, 0, 7, 13));
        assertEquals(STATUS_ERROR, readWith(1, sectors, dataRef, 0, 0, 14));
        assertEquals(STATUS_ERROR, readWith(1, -1, dataRef, 0, 0, 15), "u64 sector that is negative as a long");
        assertEquals(STATUS_ERROR, readWith(1, Long.MAX_VALUE, dataRef, 0, 7, 16), "no overflow in sector + count");
        assertEquals(STATUS_ERROR, readWith(11, sectors - 80, dataRef, 0, 7, 17), "11 pages run past the end");
    }

    @Test
    void writesToAReadOnlyDiskAndUnknownOperationsAreRefused() throws Exception
    {
        backend.attach(guest.domid(), XVDB, readOnlyDisk, true);
        final RawBlkFront ro = new RawBlkFront(guest, XVDB);
        int offset = ro.request(OP_WRITE, 20);
        ro.page.putByte(offset + NR_SEGMENTS_OFFSET, (byte)1);
        RawBlkFront.segment(ro.page, offset, 0, dataRef, 0, 7);
        guest.memory().putLong(dataGpfn * 4096, 77);
        ro.push();
        assertEquals(STATUS_ERROR, ro.awaitStatus(20));
        offset = ro.request(OP_DISCARD, 21);
        ro.page.putLong(offset + DISCARD_NR_SECTORS_OFFSET, 8);
        ro.push();
        assertEquals(STATUS_ERROR, ro.awaitStatus(21));
        final java.nio.ByteBuffer firstBytes = java.nio.ByteBuffer.allocateDirect(8);
        assertEquals(0, readOnlyDisk.read(0, firstBytes));
        assertEquals(0, firstBytes.getLong(0), "the read-only disk was not written");
        ro.request(99, 22);
        ro.push();
        assertEquals(STATUS_EOPNOTSUPP, ro.awaitStatus(22));
        ro.request(OP_INDIRECT, 23); // indirect with indirect_op 0 = READ but no segments
        ro.push();
        assertEquals(STATUS_ERROR, ro.awaitStatus(23));
    }

    @Test
    void anIndirectRequestWithItsSegmentsInAGrantedPageWorksAndABadOneFails()
    {
        final long indirectGpfn = guest.pages().allocate();
        testPages.add(indirectGpfn);
        final int indirectRef = guest.grantReferences().claim();
        guest.grantTable().grantAccess(indirectRef, 0, indirectGpfn, true);
        // One segment: the data page, all 8 sectors.
        guest.memory().putInt(indirectGpfn * 4096 + SEGMENT_GREF_OFFSET, dataRef);
        guest.memory().putByte(indirectGpfn * 4096 + SEGMENT_FIRST_SECT_OFFSET, (byte)0);
        guest.memory().putByte(indirectGpfn * 4096 + SEGMENT_LAST_SECT_OFFSET, (byte)7);
        int offset = front.request(OP_INDIRECT, 30);
        front.page.putByte(offset + INDIRECT_OP_OFFSET, (byte)OP_READ);
        front.page.putShort(offset + INDIRECT_NR_SEGMENTS_OFFSET, (short)1);
        front.page.putInt(offset + INDIRECT_GREFS_OFFSET, indirectRef);
        front.push();
        assertEquals(STATUS_OKAY, front.awaitStatus(30));

        offset = front.request(OP_INDIRECT, 31);
        front.page.putByte(offset + INDIRECT_OP_OFFSET, (byte)OP_READ);
        front.page.putShort(offset + INDIRECT_NR_SEGMENTS_OFFSET, (short)(Vbd.MAX_INDIRECT_SEGMENTS + 1));
        front.push();
        assertEquals(STATUS_ERROR, front.awaitStatus(31), "more indirect segments than advertised");

        offset = front.request(OP_INDIRECT, 32);
        front.page.putByte(offset + INDIRECT_OP_OFFSET, (byte)OP_READ);
        front.page.putShort(offset + INDIRECT_NR_SEGMENTS_OFFSET, (short)1);
        front.page.putInt(offset + INDIRECT_GREFS_OFFSET, 4000);
        front.push();
        assertEquals(STATUS_ERROR, front.awaitStatus(32), "indirect page not granted");
        assertCanariesIntact();
    }

    @Test
    void aProducerIndexClaimingMoreThanTheRingDisconnectsOnlyThatDeviceWithAReason() throws Exception
    {
        final RamDiskImage otherDisk = new RamDiskImage(1 << 20);
        backend.attach(bystander.domid(), XVDA, otherDisk, false);
        try (BlkFront other = BlkFront.attach(bystander, 0, XVDA, BlkFrontConfig.defaults()))
        {
            front.page.putIntRelease(0, front.ring.size() + 1000); // req_prod
            front.guest.eventChannels().send(front.port);
            front.xenbus.awaitPeerState(Side.FRONTEND, s -> s == XenbusState.CLOSING, java.time.Duration.ofSeconds(10));
            assertTrue(vbd.disconnectReason().contains(BackRing.REASON_PROD_OVERFLOW), vbd.disconnectReason());
            assertEquals(vbd.disconnectReason(), front.xenbus.readPeer(Side.FRONTEND, BlkifXenstoreKeys.ERROR),
                "the reason is published for the front end");
            final UnsafeBuffer data = new UnsafeBuffer(new byte[4096]);
            for (int i = 0; i < 100; i++)
            {
                assertEquals(0, other.writeBlocking(i * 8L, 8, data, 0), "the other domain's disk keeps working");
            }
        }
        otherDisk.close();
        assertCanariesIntact();
    }

    @Test
    void aNotificationFloodDoesNotStopTheOtherDevices() throws Exception
    {
        final RamDiskImage otherDisk = new RamDiskImage(1 << 20);
        backend.attach(bystander.domid(), XVDA, otherDisk, false);
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread flooder = new Thread(() ->
        {
            while (!stop.get())
            {
                guest.eventChannels().send(front.port);
            }
        });
        try (BlkFront other = BlkFront.attach(bystander, 0, XVDA, BlkFrontConfig.defaults()))
        {
            flooder.start();
            final UnsafeBuffer data = new UnsafeBuffer(new byte[4096]);
            final long start = System.nanoTime();
            for (int i = 0; i < 2000; i++)
            {
                assertEquals(0, other.readBlocking(i % 256 * 8L, 8, data, 0));
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "served under the flood");
            assertEquals(STATUS_OKAY, readWith(1, 0, dataRef, 0, 7, 40), "the flooder's own device still answers");
        }
        finally
        {
            stop.set(true);
            flooder.join();
            otherDisk.close();
        }
    }

    @Test
    void randomRequestsAlwaysGetAWellFormedResponseAndTouchOnlyGrantedFrames(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        final int[] refs = { dataRef, readOnlyRef, 0, 3, 2047, -1, guest.grantReferences().claim() };
        final int[] ops = { OP_READ, OP_WRITE, OP_WRITE_BARRIER, OP_FLUSH_DISKCACHE, 4, OP_DISCARD, OP_INDIRECT, 7, 255 };
        for (long id = 100; id < 20_100; id++)
        {
            final int offset = front.request(ops[random.nextInt(ops.length)], id);
            // Random bytes everywhere but the operation and id.
            for (int i = 1; i < REQUEST_LENGTH; i++)
            {
                if (i < ID_OFFSET || i >= ID_OFFSET + 8)
                {
                    front.page.putByte(offset + i, (byte)random.nextInt());
                }
            }
            if (random.nextBoolean())
            {
                front.page.putByte(offset + NR_SEGMENTS_OFFSET, (byte)random.nextInt(1, 3));
                front.page.putLong(offset + SECTOR_NUMBER_OFFSET, random.nextLong(disk.sectors()));
                RawBlkFront.segment(front.page, offset, 0, refs[random.nextInt(refs.length)], random.nextInt(9), random.nextInt(9));
            }
            front.push();
            final int status = front.awaitStatus(id);
            assertTrue(status == STATUS_OKAY || status == STATUS_ERROR || status == STATUS_EOPNOTSUPP, "status " + status);
        }
        assertTrue(vbd.isConnected(), "bad requests are answered, not a reason to disconnect");
        assertCanariesIntact();
    }
}
