package io.javisor.memory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.javisor.memory.GrantEntryDescriptor.*;
import static io.javisor.memory.PageDescriptor.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A guest that runs its own code keeps its grant table in its own RAM: the hypervisor reads the
 * entries the guest wrote there, counts the guest's frame numbers from its first RAM frame, keeps
 * the read-once and compare-and-swap rules, and refuses a placement outside RAM, of too many frames,
 * or while a grant is pinned.
 */
class GuestPlacedGrantTableTest
{
    private static final int GRANTER = 1;
    private static final int MAPPER = 2;
    /** The guest-physical frame number of the granter's first RAM frame (RAM at 0x8000_0000). */
    private static final long RAM_BASE_FRAME = 0x8_0000;
    private static final int TABLE_GPFN = 10;

    private MachineMemory machine;
    private GuestMemory granterMemory;
    private GrantTable granter;
    private GrantMapper mapper;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    @BeforeEach
    void setUp()
    {
        machine = MachineMemory.anonymous(256);
        final FrameAllocator allocator = new FrameAllocator(machine);
        final GrantTables tables = new GrantTables();
        granterMemory = GuestMemory.allocate(allocator, GRANTER, 16);
        final GuestMemory mapperMemory = GuestMemory.allocate(allocator, MAPPER, 16);
        granter = new GrantTable(allocator, granterMemory, 2);
        tables.register(granter);
        tables.register(new GrantTable(allocator, mapperMemory, 1));
        mapper = new GrantMapper(mapperMemory, tables);
    }

    @AfterEach
    void tearDown()
    {
        machine.close();
    }

    /** What guest code does with its own stores: domid and frame, then the flags. */
    private void guestGrants(final int ref, final long guestFrame, final boolean readOnly)
    {
        final long entry = (long)TABLE_GPFN * PAGE_SIZE + entryOffset(ref);
        granterMemory.putShort(entry + DOMID_OFFSET, (short)MAPPER);
        granterMemory.putInt(entry + FRAME_OFFSET, (int)guestFrame);
        granterMemory.putShort(entry + FLAGS_OFFSET, (short)(GTF_PERMIT_ACCESS | (readOnly ? GTF_READONLY : 0)));
    }

    private int guestFlags(final int ref)
    {
        return granterMemory.getShort((long)TABLE_GPFN * PAGE_SIZE + entryOffset(ref)) & 0xFFFF;
    }

    @Test
    void entriesTheGuestWroteInItsOwnFramesAreMappedWithFramesCountedFromItsRam()
    {
        assertEquals(GrantStatus.OKAY, granter.placeInGuestFrames(TABLE_GPFN, 1, RAM_BASE_FRAME));
        assertEquals(TABLE_GPFN, granter.placedGpfn());
        assertEquals(1, granter.placedFrames());
        assertEquals(ENTRIES_PER_FRAME, granter.entryCount());

        guestGrants(9, RAM_BASE_FRAME + 3, false);
        final int handle = mapper.map(GRANTER, 9, false);
        assertTrue(handle >= 0, GrantStatus.describe(handle));
        assertEquals(GTF_PERMIT_ACCESS | GTF_READING | GTF_WRITING, guestFlags(9), "in-use flags set in the guest's page");
        assertTrue(mapper.wrap(handle, view));
        view.putLong(8, 0x1234_5678L);
        assertEquals(0x1234_5678L, granterMemory.getLong(3L * PAGE_SIZE + 8), "RAM frame 3 is guest frame 0x80003");

        assertEquals(GrantStatus.EAGAIN, granter.placeInGuestFrames(TABLE_GPFN + 1, 1, RAM_BASE_FRAME),
            "no move while a grant is mapped");
        assertEquals(GrantStatus.OKAY, mapper.unmap(handle));
        assertEquals(GTF_PERMIT_ACCESS, guestFlags(9), "in-use flags cleared in the guest's page");
    }

    @Test
    void aFrameBelowTheGuestsRamOrBeyondItIsABadPage()
    {
        assertEquals(GrantStatus.OKAY, granter.placeInGuestFrames(TABLE_GPFN, 1, RAM_BASE_FRAME));
        guestGrants(1, 3, false);
        guestGrants(2, RAM_BASE_FRAME + 16, false);
        assertEquals(GrantStatus.BAD_PAGE, mapper.map(GRANTER, 1, false));
        assertEquals(GrantStatus.BAD_PAGE, mapper.map(GRANTER, 2, false));
        assertEquals(GTF_PERMIT_ACCESS, guestFlags(1), "a refused pin leaves no flag behind");
        assertEquals(0, granter.activePins());
    }

    @Test
    void placementsOutsideRamOrOfTooManyFramesAreRefusedAndChangeNothing()
    {
        assertEquals(GrantStatus.BAD_PAGE, granter.placeInGuestFrames(16, 1, RAM_BASE_FRAME));
        assertEquals(GrantStatus.BAD_PAGE, granter.placeInGuestFrames(15, 2, RAM_BASE_FRAME));
        assertEquals(GrantStatus.BAD_PAGE, granter.placeInGuestFrames(-1, 1, RAM_BASE_FRAME));
        assertEquals(GrantStatus.GENERAL_ERROR, granter.placeInGuestFrames(0, 3, RAM_BASE_FRAME));
        assertEquals(GrantStatus.GENERAL_ERROR, granter.placeInGuestFrames(0, 0, RAM_BASE_FRAME));
        assertEquals(-1, granter.placedGpfn());
        assertEquals(2 * ENTRIES_PER_FRAME, granter.entryCount());
        granter.grantAccess(3, MAPPER, 1, true);
        assertTrue(mapper.map(GRANTER, 3, true) >= 0, "the hypervisor-frame table still works");
    }

    @Test
    void referencesBeyondThePlacedFramesAreBadAndTheGranterSideRefuses()
    {
        assertEquals(GrantStatus.OKAY, granter.placeInGuestFrames(TABLE_GPFN, 1, RAM_BASE_FRAME));
        assertEquals(GrantStatus.BAD_GNTREF, mapper.map(GRANTER, ENTRIES_PER_FRAME, true));
        assertThrows(IllegalStateException.class, () -> granter.grantAccess(1, MAPPER, 1, true));
        assertThrows(IllegalStateException.class, () -> granter.endForeignAccess(1));
    }

    @Test
    void aRetiredTableCannotBePlaced()
    {
        granter.retire(() -> { });
        assertEquals(GrantStatus.BAD_DOMAIN, granter.placeInGuestFrames(TABLE_GPFN, 1, RAM_BASE_FRAME));
    }
}
