package io.javisor.emulation.cpu;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;

import static io.javisor.emulation.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guest RAM is shared with host threads (PV back ends set event bits and grant flags with CAS while
 * the guest clears them with AMOs): a guest AMO, and an SC after its LR, must be atomic with respect
 * to the host's atomic updates of the same word. The hart adds to one counter many times while a host
 * thread adds to it for as long as the hart runs; no increment is lost.
 */
class SharedRamAtomicsTest
{
    private static final int GUEST_ADDS = 300_000;
    private static final long COUNTER = 0x1000;

    @Test
    void anAmoAddOfTheHartAndTheHostsAtomicAddsLoseNothing() throws Exception
    {
        assertNothingLost(
            amoadd_w(0, 6, 5),          // loop: amoadd.w x0, x6, (x5)
            addi(7, 7, -1),
            bne(7, 0, -8));
    }

    @Test
    void anLrScLoopOfTheHartAndTheHostsAtomicAddsLoseNothing() throws Exception
    {
        assertNothingLost(
            lr_w(8, 5),                 // loop: lr.w x8, (x5)
            addi(8, 8, 1),
            sc_w(9, 8, 5),              //       sc.w x9, x8, (x5)
            bne(9, 0, -12),             //       retry when the reservation was lost
            addi(7, 7, -1),
            bne(7, 0, -20));
    }

    private static void assertNothingLost(final int... loop) throws Exception
    {
        try (TestMachine m = new TestMachine())
        {
            m.at(0).emit(loop).emit(jal(0, 0));
            m.cpu.x[5] = TestMachine.BASE + COUNTER;
            m.cpu.x[6] = 1;
            m.cpu.x[7] = GUEST_ADDS;
            final UnsafeBuffer page = new UnsafeBuffer(0, 0);
            assertTrue(m.memory.wrapFrame(COUNTER >>> 12, page));
            final AtomicBoolean guestDone = new AtomicBoolean();
            final CountDownLatch hostStarted = new CountDownLatch(1);
            final CompletableFuture<Long> host = CompletableFuture.supplyAsync(() ->
            {
                long adds = 0;
                hostStarted.countDown();
                while (!guestDone.get())
                {
                    page.getAndAddInt(0, 1);
                    adds++;
                }
                return adds;
            });
            assertTrue(hostStarted.await(10, TimeUnit.SECONDS));
            final long end = TestMachine.BASE + 4L * loop.length;
            while (m.cpu.pc != end)
            {
                m.interpreter.run(100_000);
            }
            guestDone.set(true);
            final long hostAdds = host.get(30, TimeUnit.SECONDS);
            assertEquals(GUEST_ADDS + hostAdds, page.getIntVolatile(0) & 0xFFFF_FFFFL, "every add of both sides is in the counter");
        }
    }
}
