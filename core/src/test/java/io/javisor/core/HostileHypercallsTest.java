package io.javisor.core;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.Vbd;
import io.javisor.core.hypercall.DomainHypercalls;
import io.javisor.core.hypercall.GuestRam;
import io.javisor.core.hypercall.PvParams;
import io.javisor.emulation.hypercall.Hypercalls;
import io.javisor.emulation.machine.Console;
import io.javisor.memory.GrantEntryDescriptor;
import io.javisor.memory.PageDescriptor;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static io.javisor.emulation.hypercall.HypercallDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A hostile domain's guest code against the hypercall ABI, seeded: 250,000 random function ids and
 * arguments (mostly valid ids; arguments drawn from RAM, its edges, MMIO, below RAM, ports, domain
 * ids, counts and noise) while its own RAM, including its shared-info page and grant table, is
 * scribbled over between calls. Nothing throws; every answer is 0 or a Xen errno; it gains nothing
 * it was not granted (a read-only grant of a bystander stays unwritten); and afterwards the bystander
 * domain's PV disk works, no grant pin or mapping is left behind, and destroying the hostile domain
 * gives all its frames back.
 */
@Seeded
class HostileHypercallsTest
{
    private static final int CALLS = 250_000;
    private static final int[] FIDS = {
        FID_VERSION, FID_EVTCHN_ALLOC_UNBOUND, FID_EVTCHN_BIND_INTERDOMAIN, FID_EVTCHN_SEND, FID_EVTCHN_CLOSE,
        FID_EVTCHN_UNMASK, FID_EVTCHN_STATUS, FID_GNTTAB_SETUP, FID_GNTTAB_QUERY, FID_GNTTAB_COPY, FID_SCHED_YIELD,
        FID_SCHED_BLOCK, FID_SCHED_POLL, FID_SCHED_SHUTDOWN, FID_CONSOLE_WRITE, FID_CONSOLE_READ,
        FID_SHARED_INFO_REGISTER, FID_UPCALL_ACK, FID_PARAM_GET};
    private static final long[] MMIO = {0x0010_0000L, 0x0200_0000L, 0x0400_0000L, 0x0C00_0000L, 0x1000_0000L, 0x1000_1000L};

    private final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @Test
    void randomHypercallsLeaveTheHostAndOtherDomainsHealthy(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        final long freeBefore = hypervisor.freeFrames();
        final Domain bystander = hypervisor.createDomain(DomainConfig.pv("bystander", 16));
        final Vbd vbd = hypervisor.backends().attachDisk(bystander, "format=ram, vdev=xvda, target=1M");
        final Domain hostile = hypervisor.createDomain(DomainConfig.pv("hostile", 8));
        final int hostileId = hostile.id();

        // Something real to aim at: a read-only grant of a bystander page, and a port offered to it.
        final long grantedGpfn = bystander.resources().pages().allocate();
        bystander.memory().putLong(grantedGpfn * PageDescriptor.PAGE_SIZE, 0x5AFE_5AFEL);
        final int grantedRef = bystander.resources().grantReferences().claim();
        bystander.grantTable().grantAccess(grantedRef, hostileId, grantedGpfn, true);
        final int offeredPort = bystander.eventChannels().allocUnbound(hostileId);
        assertTrue(offeredPort > 0);

        final AtomicLong consoleBytes = new AtomicLong();
        final Console console = new Console()
        {
            @Override
            public void write(final int b)
            {
                consoleBytes.incrementAndGet();
            }

            @Override
            public int read()
            {
                return random.nextInt(4) == 0 ? -1 : 'x';
            }
        };
        final DomainHypercalls calls = new DomainHypercalls(hostileId, hostile.memory(), hostile.eventChannels(),
            hostile.grantTable(), hostile.grantMapper(), console, new PvParams(0x80FFE, 1, 0x80FFF, 2), null);
        final AtomicLong kicks = new AtomicLong();
        calls.attach(kicks::incrementAndGet);

        final long ramSize = hostile.memory().size();
        final long[] x = new long[33];
        int blocked = 0;
        for (int i = 0; i < CALLS; i++)
        {
            if (i % 500 == 0)
            {
                scribble(random, hostile, ramSize);
                plantCopyOps(random, hostile, bystander.id(), grantedRef);
            }
            final int fid = random.nextInt(10) < 8 ? FIDS[random.nextInt(FIDS.length)] :
                random.nextInt(3) == 0 ? -1 : random.nextInt();
            for (int r = 10; r <= 15; r++)
            {
                x[r] = argument(random, ramSize, hostileId, bystander.id(), offeredPort, grantedRef);
            }
            final int outcome;
            try
            {
                outcome = calls.call(fid, x);
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError("call " + i + " fid 0x" + Integer.toHexString(fid) + " threw", ex);
            }
            if (x[10] != 0 && (x[10] > 0 || x[10] < -110))
            {
                fail("call " + i + " fid 0x" + Integer.toHexString(fid) + " answered " + x[10] + ", not 0 or an errno");
            }
            if (outcome == Hypercalls.BLOCK)
            {
                blocked++;
                calls.wakeable();
                calls.wakeDeadline();
                calls.endBlock(x, random.nextBoolean());
            }
            calls.upcallLevel();
        }
        calls.attach(null);
        assertTrue(blocked > 0 && calls.statistics().total() == CALLS, "blocks happened; every call was counted");

        assertEquals(0x5AFE_5AFEL, bystander.memory().getLong(grantedGpfn * PageDescriptor.PAGE_SIZE),
            "a read-only grant was never written through");
        assertEquals(0, bystander.grantTable().activePins(), "no pin of the bystander's grants is left");
        assertEquals(GrantEntryDescriptor.GTF_PERMIT_ACCESS | GrantEntryDescriptor.GTF_READONLY,
            bystander.grantTable().entries().getShort(GrantEntryDescriptor.entryOffset(grantedRef)) & 0xFFFF,
            "the grant's flags are as the bystander left them");
        assertEquals(0, hostile.grantMapper().liveMappings());
        assertTrue(bystander.grantTable().endForeignAccess(grantedRef));

        try (BlkFront front = BlkFront.attach(bystander.resources(), 0, vbd.deviceId(), BlkFrontConfig.defaults()))
        {
            final UnsafeBuffer block = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
            block.setMemory(0, 4096, (byte)0x42);
            assertEquals(0, front.writeBlocking(8, 8, block, 0));
            block.setMemory(0, 4096, (byte)0);
            assertEquals(0, front.readBlocking(8, 8, block, 0));
            assertEquals(0x42, block.getByte(4095), "the bystander's disk works");
        }
        assertTrue(hypervisor.destroyDomain(hostileId));
        assertTrue(hypervisor.destroyDomain(bystander.id()));
        assertEquals(freeBefore, hypervisor.freeFrames(), "every frame came back");
        System.out.printf("hostile hypercalls: %d calls, %d errors, %d blocks, %d console bytes, %d kicks%n",
            CALLS, calls.statistics().errors(), blocked, consoleBytes.get(), kicks.get());
    }

    /** RAM offset of copy operations that name the bystander's real grant, some of them writes. */
    private static final long PLANTED_OPS = 16 * PageDescriptor.PAGE_SIZE;
    private static final int PLANTED_COUNT = 8;

    private static void plantCopyOps(final SplittableRandom random, final Domain hostile, final int bystander, final int ref)
    {
        for (int i = 0; i < PLANTED_COUNT; i++)
        {
            final long op = PLANTED_OPS + (long)i * COPY_LENGTH;
            final boolean write = random.nextBoolean();
            final long grant = random.nextInt(4) == 0 ? random.nextInt(1024) : ref;
            final long local = GuestRam.RAM_BASE_FRAME + random.nextInt(4096);
            hostile.memory().putLong(op + COPY_SOURCE_OFFSET + COPY_PTR_OFFSET, write ? local : grant);
            hostile.memory().putShort(op + COPY_SOURCE_OFFSET + COPY_DOMID_OFFSET, (short)(write ? DOMID_SELF : bystander));
            hostile.memory().putShort(op + COPY_SOURCE_OFFSET + COPY_PAGE_OFFSET_OFFSET, (short)random.nextInt(4200));
            hostile.memory().putLong(op + COPY_DEST_OFFSET + COPY_PTR_OFFSET, write ? grant : local);
            hostile.memory().putShort(op + COPY_DEST_OFFSET + COPY_DOMID_OFFSET, (short)(write ? bystander : DOMID_SELF));
            hostile.memory().putShort(op + COPY_DEST_OFFSET + COPY_PAGE_OFFSET_OFFSET, (short)random.nextInt(4200));
            hostile.memory().putShort(op + COPY_LEN_OFFSET, (short)random.nextInt(4200));
            hostile.memory().putShort(op + COPY_FLAGS_OFFSET, (short)(write ? COPY_DEST_GREF : COPY_SOURCE_GREF));
        }
    }

    /** Random bytes over a few random pages of the hostile domain's RAM, its structures included. */
    private static void scribble(final SplittableRandom random, final Domain hostile, final long ramSize)
    {
        for (int n = 0; n < 8; n++)
        {
            final long at = random.nextLong(ramSize / 8) * 8;
            hostile.memory().putLong(at, random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(64));
        }
    }

    private static long argument(
        final SplittableRandom random, final long ramSize, final int self, final int bystander, final int port, final int ref)
    {
        return switch (random.nextInt(12))
        {
            case 0 -> random.nextInt(70_000);
            case 1 -> random.nextLong();
            case 2 -> GuestRam.RAM_BASE + random.nextLong(ramSize);
            case 3 -> GuestRam.RAM_BASE + random.nextLong(ramSize / PageDescriptor.PAGE_SIZE) * PageDescriptor.PAGE_SIZE;
            case 4 -> GuestRam.RAM_BASE + ramSize - random.nextInt(3 * PageDescriptor.PAGE_SIZE);
            case 5 -> MMIO[random.nextInt(MMIO.length)] + random.nextInt(64);
            case 6 -> switch (random.nextInt(4))
            {
                case 0 -> 0;
                case 1 -> -1;
                case 2 -> Long.MIN_VALUE;
                default -> Long.MAX_VALUE;
            };
            case 7 -> switch (random.nextInt(5))
            {
                case 0 -> DOMID_SELF;
                case 1 -> bystander;
                case 2 -> 0;
                case 3 -> self;
                default -> 0x7FEF;
            };
            case 8 -> GuestRam.RAM_BASE - 1 - random.nextInt(PageDescriptor.PAGE_SIZE);
            case 9 -> random.nextInt(300);
            case 10 -> switch (random.nextInt(3))
            {
                case 0 -> port;
                case 1 -> ref;
                default -> GuestRam.RAM_BASE + PLANTED_OPS + COPY_LENGTH * (long)random.nextInt(PLANTED_COUNT);
            };
            default -> random.nextInt(8);
        };
    }
}
