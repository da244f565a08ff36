package io.javisor.netback.spec;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

@Seeded
class MacAddressTest
{
    @Test
    void parsesColonAndDashFormsInEitherCase()
    {
        assertEquals(0x00_16_3E_12_34_56L, MacAddress.parse("00:16:3e:12:34:56"));
        assertEquals(0x00_16_3E_74_3D_76L, MacAddress.parse("00:16:3E:74:3d:76"));
        assertEquals(0xAA_BB_CC_DD_EE_FFL, MacAddress.parse("AA-BB-CC-DD-EE-FF"));
        assertEquals(MacAddress.BROADCAST, MacAddress.parse("ff:ff:ff:ff:ff:ff"));
    }

    @Test
    void formatsLowerCaseWithColons()
    {
        assertEquals("00:16:3e:12:34:56", MacAddress.toString(0x00_16_3E_12_34_56L));
        assertEquals("aa:bb:cc:dd:ee:ff", MacAddress.toString(MacAddress.parse("AA-BB-CC-DD-EE-FF")));
        assertEquals("00:00:00:00:00:01", MacAddress.toString(1));
    }

    @Test
    void rejectsGarbageNamingTheText()
    {
        for (final String text : new String[]{
            "", "00:16:3e:12:34", "00:16:3e:12:34:56:78", "00:16:3e:12:34:5g", "00-16:3e:12:34:56",
            "0016.3e12.3456", " 00:16:3e:12:34:56", "0:16:3e:12:34:567", "00:16:3e:12:34:\uff15\uff16", "+0:16:3e:12:34:56"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text), text);
            assertTrue(ex.getMessage().contains("'" + text + "'"), ex.getMessage());
            assertFalse(ex.getMessage().contains("\n"));
        }
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(null));
    }

    @Test
    void readsAndWritesNetworkOrderInPlace()
    {
        final byte[] bytes = new byte[16];
        Arrays.fill(bytes, (byte)0x77);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        MacAddress.write(0x00_16_3E_A1_B2_C3L, buffer, 5);
        assertArrayEquals(new byte[]{0x00, 0x16, 0x3E, (byte)0xA1, (byte)0xB2, (byte)0xC3}, Arrays.copyOfRange(bytes, 5, 11));
        assertEquals(0x77, bytes[4]);
        assertEquals(0x77, bytes[11]);
        assertEquals(0x00_16_3E_A1_B2_C3L, MacAddress.read(buffer, 5));
        MacAddress.write(MacAddress.BROADCAST, buffer, 0);
        assertEquals(MacAddress.BROADCAST, MacAddress.read(buffer, 0), "no sign extension");
    }

    @Test
    void classifiesAddresses()
    {
        assertTrue(MacAddress.isBroadcast(MacAddress.BROADCAST));
        assertTrue(MacAddress.isMulticast(MacAddress.BROADCAST));
        assertTrue(MacAddress.isMulticast(0x01_00_5E_00_00_01L));
        assertTrue(MacAddress.isMulticast(0x33_33_00_00_00_01L));
        assertFalse(MacAddress.isBroadcast(0x01_00_5E_00_00_01L));
        assertFalse(MacAddress.isMulticast(0x00_16_3E_00_00_01L));
        assertTrue(MacAddress.isLocallyAdministered(0x02_00_00_00_00_01L));
        assertFalse(MacAddress.isLocallyAdministered(0x00_16_3E_00_00_01L));
        assertTrue(MacAddress.isValidUnicast(0x02_00_00_00_00_01L));
        assertFalse(MacAddress.isValidUnicast(0));
        assertFalse(MacAddress.isValidUnicast(0x01_00_00_00_00_01L));
        assertFalse(MacAddress.isValidUnicast(1L << 48 | 2));
    }

    @Test
    void randomXenAddressesAreXenUnicastWithTheFourthByteTopBitClear(final Seed seed)
    {
        final Set<Long> seen = new HashSet<>();
        final Random random = seed.random();
        int topBitOfFifthSeen = 0;
        for (int i = 0; i < 10_000; i++)
        {
            final long mac = i % 2 == 0 ? MacAddress.randomXen() : MacAddress.randomXen(random);
            assertEquals(0x00_16_3EL, mac >>> 24, MacAddress.toString(mac));
            assertEquals(0, mac & 0x80_0000L, "byte 3 below 0x80: " + MacAddress.toString(mac));
            assertTrue(MacAddress.isValidUnicast(mac));
            assertFalse(MacAddress.isLocallyAdministered(mac), "Xen's OUI is globally administered");
            assertTrue(MacAddress.isXen(mac));
            topBitOfFifthSeen |= (int)(mac >>> 15) & 1;
            seen.add(mac);
        }
        assertEquals(1, topBitOfFifthSeen, "the other random bits do vary");
        assertTrue(seen.size() > 9_900, "23 random bits rarely collide in 10,000 draws: " + seen.size());
        assertEquals(MacAddress.randomXen(new Random(7)), MacAddress.randomXen(new Random(7)));
    }
}
