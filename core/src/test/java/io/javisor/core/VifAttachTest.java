package io.javisor.core;

import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.Vif;
import io.javisor.netback.spec.MacAddress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A vif is one call on the embedding API with the same spec string as xl.cfg.
 */
class VifAttachTest
{
    private final Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256));

    @AfterEach
    void close()
    {
        hypervisor.close();
    }

    @Test
    void twoJavaGuestsOnXenbr0TalkThroughVifsAttachedBySpec()
    {
        final Domain a = hypervisor.createDomain(DomainConfig.pv("a", 16));
        final Domain b = hypervisor.createDomain(DomainConfig.pv("b", 16));
        final Vif vifA = hypervisor.backends().attachVif(a, "mac=00:16:3e:aa:00:01,bridge=xenbr0");
        final Vif vifB = hypervisor.backends().attachVif(b, "bridge=xenbr0");
        assertEquals(MacAddress.parse("00:16:3e:aa:00:01"), vifA.macAddress());
        assertTrue(MacAddress.isXen(vifB.macAddress()), "a random 00:16:3e MAC when none is given");
        assertEquals(0, vifA.handle());
        try (NetFront fa = NetFront.attach(a.resources(), 0, vifA.handle(), NetFrontConfig.defaults());
            NetFront fb = NetFront.attach(b.resources(), 0, vifB.handle(), NetFrontConfig.defaults()))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[64]);
            MacAddress.write(vifB.macAddress(), frame, 0);
            MacAddress.write(vifA.macAddress(), frame, 6);
            assertTrue(fa.send(frame, 0, 64));
            fa.flush();
            final int[] received = { 0 };
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (received[0] == 0 && System.nanoTime() < deadline)
            {
                fb.poll((buffer, offset, length) -> received[0] = length);
                fb.awaitActivity(TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertEquals(64, received[0]);
        }
        assertEquals(1, hypervisor.backends().attachVif(a, "bridge=xenbr1").handle(), "a second vif of the same guest");
        assertEquals(java.util.Set.of("xenbr0", "xenbr1"), hypervisor.backends().bridges().names());
    }

    @Test
    void badVifSpecsAreOneLineErrors()
    {
        final Domain a = hypervisor.createDomain(DomainConfig.pv("a", 16));
        final IllegalArgumentException badMac =
            assertThrows(IllegalArgumentException.class, () -> hypervisor.backends().attachVif(a, "mac=00:16:3e:zz:00:01"));
        assertFalse(badMac.getMessage().contains("\n"));
        assertThrows(IllegalArgumentException.class, () -> hypervisor.backends().attachVif(a, "colour=blue"));
        assertThrows(IllegalArgumentException.class, () -> hypervisor.backends().attachVif(a, "rate=fast"));
    }
}
