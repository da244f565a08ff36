package io.javisor.memory;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.javisor.memory.GrantEntryDescriptor.*;
import static io.javisor.memory.PageDescriptor.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.*;

@Seeded
class GrantTableTest
{
    private static final int GRANTER = 1;
    private static final int MAPPER = 2;
    private static final int BYSTANDER = 3;

    private MachineMemory machine;
    private FrameAllocator allocator;
    private GrantTables tables;
    private GuestMemory granterMemory;
    private GuestMemory mapperMemory;
    private GrantTable granter;
    private GrantMapper mapper;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    @BeforeEach
    void setUp()
    {
        machine = MachineMemory.anonymous(256);
        allocator = new FrameAllocator(machine);
        tables = new GrantTables();
        granterMemory = GuestMemory.allocate(allocator, GRANTER, 16);
        mapperMemory = GuestMemory.allocate(allocator, MAPPER, 16);
        granter = new GrantTable(allocator, granterMemory, 1);
        tables.register(granter);
        tables.register(new GrantTable(allocator, mapperMemory, 1));
        mapper = new GrantMapper(mapperMemory, tables);
    }

    @AfterEach
    void tearDown()
    {
        machine.close();
    }

    private int flags(final int ref)
    {
        return granter.entries().getShort(entryOffset(ref)) & 0xFFFF;
    }

    @Test
    void aMappedGrantSharesTheGranterFrameAndMarksTheEntryInUse()
    {
        granter.grantAccess(7, MAPPER, 3, false);
        final int handle = mapper.map(GRANTER, 7, false);
        assertTrue(handle >= 0, GrantStatus.describe(handle));
        assertEquals(GTF_PERMIT_ACCESS | GTF_READING | GTF_WRITING, flags(7));

        assertTrue(mapper.wrap(handle, view));
        view.putLong(16, 0xFEED_FACEL);
        assertEquals(0xFEED_FACEL, granterMemory.getLong(3L * PAGE_SIZE + 16), "no copy: the same frame");

        assertFalse(granter.endForeignAccess(7), "revoke refused while mapped");
        assertEquals(GrantStatus.OKAY, mapper.unmap(handle));
        assertEquals(GTF_PERMIT_ACCESS, flags(7), "reading and writing cleared at the last unmap");
        assertTrue(granter.endForeignAccess(7));
        assertEquals(GTF_INVALID, flags(7));
        assertEquals(GrantStatus.GENERAL_ERROR, mapper.map(GRANTER, 7, true), "a revoked grant cannot be mapped");
    }

    @Test
    void readOnlyPinsKeepWritingClearAndTheLastUnmapClearsReading()
    {
        granter.grantAccess(1, MAPPER, 0, true);
        final int a = mapper.map(GRANTER, 1, true);
        final int b = mapper.map(GRANTER, 1, true);
        assertTrue(a >= 0 && b >= 0);
        assertEquals(GTF_PERMIT_ACCESS | GTF_READONLY | GTF_READING, flags(1));
        mapper.unmap(a);
        assertEquals(GTF_PERMIT_ACCESS | GTF_READONLY | GTF_READING, flags(1), "still mapped once");
        mapper.unmap(b);
        assertEquals(GTF_PERMIT_ACCESS | GTF_READONLY, flags(1));
    }

    @Test
    void aGrantForAnotherDomainIsAGeneralErrorAndChangesNothing()
    {
        granter.grantAccess(2, BYSTANDER, 0, false);
        assertEquals(GrantStatus.GENERAL_ERROR, mapper.map(GRANTER, 2, false));
        assertEquals(GTF_PERMIT_ACCESS, flags(2));
        assertEquals(0, mapper.liveMappings());
    }

    @Test
    void writingThroughAReadOnlyGrantIsRefused()
    {
        granterMemory.putLong(5L * PAGE_SIZE, 77);
        granter.grantAccess(3, MAPPER, 5, true);
        assertEquals(GrantStatus.GENERAL_ERROR, mapper.map(GRANTER, 3, false), "no writable mapping");
        assertEquals(GTF_PERMIT_ACCESS | GTF_READONLY, flags(3));

        mapperMemory.putLong(0, 99);
        final GrantCopy copy = new GrantCopy().sourceLocal(0, 0).destGrant(GRANTER, 3, 0).length(8);
        assertEquals(GrantStatus.GENERAL_ERROR, mapper.copy(copy), "no copy into it either");
        assertEquals(77, granterMemory.getLong(5L * PAGE_SIZE), "nothing written");

        final GrantCopy read = new GrantCopy().sourceGrant(GRANTER, 3, 0).destLocal(1, 0).length(8);
        assertEquals(GrantStatus.OKAY, mapper.copy(read), "reading is allowed");
        assertEquals(77, mapperMemory.getLong(PAGE_SIZE));
        assertEquals(GTF_PERMIT_ACCESS | GTF_READONLY, flags(3), "the copy's pin is gone");
    }

    @Test
    void referencesOutsideTheTableAreBadGntref()
    {
        assertEquals(GrantStatus.BAD_GNTREF, mapper.map(GRANTER, granter.entryCount(), false));
        assertEquals(GrantStatus.BAD_GNTREF, mapper.map(GRANTER, -1, false));
        final GrantCopy copy = new GrantCopy().sourceGrant(GRANTER, 1 << 20, 0).destLocal(0, 0).length(8);
        assertEquals(GrantStatus.BAD_GNTREF, mapper.copy(copy));
    }

    @Test
    void anEntryThatWasNeverGrantedCannotBeMapped()
    {
        assertEquals(GrantStatus.GENERAL_ERROR, mapper.map(GRANTER, 9, true));
        assertEquals(0, flags(9));
    }

    @Test
    void anUnknownDomainIsBadDomain()
    {
        assertEquals(GrantStatus.BAD_DOMAIN, mapper.map(42, 0, true));
        assertEquals(GrantStatus.BAD_DOMAIN, mapper.map(DOMID_SELF, 0, true));
        final GrantCopy copy = new GrantCopy().sourceGrant(42, 0, 0).destLocal(0, 0).length(8);
        assertEquals(GrantStatus.BAD_DOMAIN, mapper.copy(copy));
    }

    @Test
    void aGrantOfAFrameTheGranterDoesNotOwnIsBadPage()
    {
        granter.grantAccess(4, MAPPER, granterMemory.frameCount(), false);
        assertEquals(GrantStatus.BAD_PAGE, mapper.map(GRANTER, 4, false));
        assertEquals(GTF_PERMIT_ACCESS, flags(4), "in-use flags rolled back");
        granter.grantAccess(5, MAPPER, 0xFFFF_FFFFL, false);
        assertEquals(GrantStatus.BAD_PAGE, mapper.map(GRANTER, 5, true));
    }

    @Test
    void aCopyThatWouldCrossAPageIsBadCopyArgAndTouchesNothing()
    {
        granter.grantAccess(6, MAPPER, 2, false);
        granterMemory.putLong(3L * PAGE_SIZE, 1234);
        mapperMemory.putBytes(0, new byte[PAGE_SIZE], 0, PAGE_SIZE);
        final GrantCopy copy = new GrantCopy().sourceLocal(0, 8).destGrant(GRANTER, 6, PAGE_SIZE - 8).length(16);
        assertEquals(GrantStatus.BAD_COPY_ARG, mapper.copy(copy));
        assertEquals(GrantStatus.BAD_COPY_ARG, mapper.copy(copy.destGrant(GRANTER, 6, 0).length(PAGE_SIZE + 1)));
        assertEquals(GrantStatus.BAD_COPY_ARG, mapper.copy(copy.length(-1)));
        assertEquals(GrantStatus.BAD_COPY_ARG, mapper.copy(copy.sourceLocal(0, -8).length(8)));
        assertEquals(1234, granterMemory.getLong(3L * PAGE_SIZE), "the next page is untouched");
        assertEquals(GTF_PERMIT_ACCESS, flags(6));
    }

    @Test
    void aLocalSideMustBeTheCallersOwnMemory()
    {
        final GrantCopy copy = new GrantCopy().sourceLocal(0, 0).destGrant(GRANTER, 0, 0).length(8);
        copy.sourceDomid = GRANTER; // a frame of another domain, named without a grant
        granter.grantAccess(0, MAPPER, 0, false);
        assertEquals(GrantStatus.PERMISSION_DENIED, mapper.copy(copy));
        final GrantCopy outside = new GrantCopy().sourceLocal(mapperMemory.frameCount(), 0).destGrant(GRANTER, 0, 0).length(8);
        assertEquals(GrantStatus.BAD_PAGE, mapper.copy(outside));
    }

    @Test
    void unmapOfAnUnknownHandleIsBadHandle()
    {
        granter.grantAccess(0, MAPPER, 0, true);
        final int handle = mapper.map(GRANTER, 0, true);
        assertEquals(GrantStatus.OKAY, mapper.unmap(handle));
        assertEquals(GrantStatus.BAD_HANDLE, mapper.unmap(handle), "double unmap");
        assertEquals(GrantStatus.BAD_HANDLE, mapper.unmap(12345));
        assertEquals(GrantStatus.BAD_HANDLE, mapper.unmap(-3));
        assertFalse(mapper.wrap(handle, view));
    }

    @Test
    void rewritingThePinnedEntryFrameDoesNotMoveTheMapping()
    {
        granter.grantAccess(8, MAPPER, 1, false);
        final int handle = mapper.map(GRANTER, 8, false);
        granter.entries().putInt(entryOffset(8) + FRAME_OFFSET, 9); // hostile granter
        final int second = mapper.map(GRANTER, 8, false);
        assertTrue(mapper.wrap(second, view));
        view.putInt(0, 5150);
        assertEquals(5150, granterMemory.getInt(PAGE_SIZE), "both mappings use the frame pinned first");
        assertEquals(0, granterMemory.getInt(9L * PAGE_SIZE));
        mapper.unmap(handle);
        mapper.unmap(second);
    }

    @Test
    void maptrackExhaustionIsNoDeviceSpace()
    {
        final GrantMapper small = new GrantMapper(mapperMemory, tables, 2);
        granter.grantAccess(0, MAPPER, 0, true);
        assertTrue(small.map(GRANTER, 0, true) >= 0);
        assertTrue(small.map(GRANTER, 0, true) >= 0);
        assertEquals(GrantStatus.NO_DEVICE_SPACE, small.map(GRANTER, 0, true));
        small.close();
        assertEquals(GTF_PERMIT_ACCESS | GTF_READONLY, flags(0), "close unmapped everything");
    }

    @Test
    void aRetiredTableRefusesNewPinsAndReportsQuiescenceAfterTheLastUnmap()
    {
        granter.grantAccess(0, MAPPER, 0, false);
        final int handle = mapper.map(GRANTER, 0, false);
        final AtomicBoolean quiescent = new AtomicBoolean();
        granter.retire(() -> quiescent.set(true));
        assertFalse(quiescent.get(), "a mapping still holds the frame");
        assertEquals(GrantStatus.BAD_DOMAIN, mapper.map(GRANTER, 0, false));
        mapper.unmap(handle);
        assertTrue(quiescent.get());
    }

    @Test
    void randomHostileEntriesAndOperationsOnlyEverYieldGntstCodes(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        final GrantCopy copy = new GrantCopy();
        for (int i = 0; i < 200_000; i++)
        {
            final int ref = random.nextInt(-4, granter.entryCount() + 4);
            if (granter.isValidRef(ref) && random.nextInt(4) == 0)
            {
                granter.entries().putLong(entryOffset(ref), random.nextLong());
            }
            final int status;
            switch (random.nextInt(3))
            {
                case 0 ->
                {
                    final int handle = mapper.map(GRANTER, ref, random.nextBoolean());
                    status = handle >= 0 ? mapper.unmap(handle) : handle;
                }
                case 1 -> status = mapper.copy(copy.sourceGrant(GRANTER, ref, random.nextInt(-8, PAGE_SIZE + 8))
                    .destLocal(random.nextInt(-1, 17), random.nextInt(-8, PAGE_SIZE + 8)).length(random.nextInt(-8, 64)));
                default -> status = mapper.unmap(random.nextInt(-2, 100));
            }
            assertTrue(status <= 0 && status >= GrantStatus.EAGAIN, "status " + status);
        }
        assertEquals(0, mapper.liveMappings());
        assertEquals(0, granter.activePins());
    }

    @Test
    void concurrentMapsAndUnmapsRaceTheGranterRevokeSafely() throws Exception
    {
        granter.grantAccess(10, MAPPER, 4, false);
        final int threads = 2;
        final CyclicBarrier start = new CyclicBarrier(threads + 1);
        final AtomicInteger failures = new AtomicInteger();
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() ->
            {
                try
                {
                    start.await();
                    final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
                    for (int i = 0; i < 100_000; i++)
                    {
                        final int handle = mapper.map(GRANTER, 10, (i & 1) == 0);
                        if (handle < 0)
                        {
                            continue; // revoked meanwhile
                        }
                        if (!mapper.wrap(handle, buffer) || mapper.unmap(handle) != GrantStatus.OKAY)
                        {
                            failures.incrementAndGet();
                        }
                    }
                }
                catch (final Exception ex)
                {
                    failures.incrementAndGet();
                }
            });
            workers[t].start();
        }
        start.await();
        int revokedWhileBusy = 0;
        while (!granter.endForeignAccess(10))
        {
            revokedWhileBusy++;
            Thread.onSpinWait();
        }
        for (final Thread worker : workers)
        {
            worker.join();
        }
        assertEquals(0, failures.get());
        assertEquals(0, granter.activePins());
        assertEquals(0, flags(10) & (GTF_READING | GTF_WRITING), "no stale in-use flag; refused " + revokedWhileBusy + " times");
    }
}
