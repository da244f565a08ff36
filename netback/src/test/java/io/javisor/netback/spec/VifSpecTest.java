package io.javisor.netback.spec;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class VifSpecTest
{
    @Test
    void backendNamesTheDriverDomainThatServesTheVifAndRoundTrips()
    {
        final VifSpec spec = VifSpec.parse("backend=net, bridge=ddbr0, mac=00:16:3e:00:00:07");
        assertEquals("net", spec.backend());
        assertEquals(spec, VifSpec.parse(spec.toString()));
        assertTrue(spec.toString().endsWith(", backend=net"), spec.toString());
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
            () -> VifSpec.parse("backend=, bridge=x, backend=y"));
        assertTrue(bad.getMessage().contains("backend given twice"), bad.getMessage());
    }

    @Test
    void parsesEveryKey()
    {
        final VifSpec spec = VifSpec.parse(
            "mac=00:16:3E:74:3d:76, bridge=xenbr1, rate=10MB/s@20ms, ip=10.0.0.2 10.0.0.3, vifname=vif-web," +
            " model=e1000, type=ioemu, pps=20000, burst=1MB");
        assertEquals(0x00_16_3E_74_3D_76L, spec.mac());
        assertEquals("00:16:3e:74:3d:76", spec.macText());
        assertEquals("xenbr1", spec.bridge());
        assertEquals(10_000_000, spec.rateBytesPerSecond());
        assertEquals(20_000, spec.rateIntervalMicros());
        assertEquals(200_000, spec.rateBytesPerInterval());
        assertEquals("200000,20000", spec.xenstoreRate());
        assertEquals("10.0.0.2 10.0.0.3", spec.ip());
        assertEquals("vif-web", spec.vifname());
        assertEquals("e1000", spec.model());
        assertEquals("ioemu", spec.type());
        assertEquals(20_000, spec.pps());
        assertEquals(1_000_000, spec.burst());
    }

    @Test
    void theEmptySpecTakesTheDefaultsAndDrawsOneXenMac()
    {
        final VifSpec spec = VifSpec.parse("", new Random(1));
        assertEquals(VifSpec.DEFAULT_BRIDGE, spec.bridge());
        assertTrue(MacAddress.isXen(spec.mac()));
        assertEquals(spec.mac(), spec.mac(), "drawn once, stored");
        assertFalse(spec.hasRate());
        assertNull(spec.xenstoreRate());
        assertNull(spec.rate());
        assertEquals(0, spec.pps());
        assertEquals(0, spec.burst());
        assertNull(spec.ip());
        assertEquals(spec, VifSpec.parse(spec.toString()), "the drawn MAC survives a round trip");
        assertEquals("mac=" + spec.macText() + ", bridge=xenbr0", spec.toString());
    }

    @Test
    void rateFormsFollowXl()
    {
        assertRate("10MB/s", 10_000_000, 50_000);
        assertRate("100Mb/s", 12_500_000, 50_000);
        assertRate("1GB/s@20ms", 1_000_000_000, 20_000);
        assertRate("5MB/s@50ms", 5_000_000, 50_000);
        assertRate("250KB/s", 250_000, 50_000);
        assertRate("10Mb/s", 1_250_000, 50_000);
        assertRate("1Gb/s@1s", 125_000_000, 1_000_000);
        assertRate("12345B/s@250us", 12_345, 250);
        assertRate("100b/s@1s", 12, 1_000_000);
        assertRate("1MB/s@2", 1_000_000, 2_000_000);
        assertRate("1MB/s@3m", 1_000_000, 3_000);
        assertRate("1MB/s@700u", 1_000_000, 700);
        assertEquals(20_000, VifSpec.parse("rate=1MB/s@20ms").rateBytesPerInterval(), "xl's own example");
        assertEquals("1250000,1000000", VifSpec.parse("rate=10Mb/s@1s").xenstoreRate());
    }

    private static void assertRate(final String rate, final long bytesPerSecond, final long intervalMicros)
    {
        final VifSpec spec = VifSpec.parse("rate=" + rate);
        assertEquals(bytesPerSecond, spec.rateBytesPerSecond(), rate);
        assertEquals(intervalMicros, spec.rateIntervalMicros(), rate);
        assertEquals(spec, VifSpec.parse(spec.toString()), rate);
    }

    @Test
    void toStringIsCanonicalAndRoundTrips()
    {
        final VifSpec spec = VifSpec.parse(
            " type=vif , rate = 100Mb/s@1500us ,mac=00-16-3E-00-00-01,bridge=br-lan,pps=5,burst=64K,,");
        assertEquals("mac=00:16:3e:00:00:01, bridge=br-lan, rate=12500KB/s@1500us, type=vif, pps=5, burst=64000",
            spec.toString());
        assertEquals(spec, VifSpec.parse(spec.toString()));
        assertEquals("rate=1MB/s@2s", "rate=" + VifSpec.parse("rate=1MB/s@2").rate());
        assertEquals("10MB/s", VifSpec.parse("rate=10MB/s@50ms").rate(), "the default interval is left out");
        assertEquals("123B/s@10ms", VifSpec.parse("rate=123B/s@10000us").rate());
        assertEquals("1GB/s", VifSpec.parse("rate=8Gb/s").rate());
        for (final String text : new String[]{"rate=4294967295GB/s@1us", "rate=34359739Gb/s@1us", "rate=9b/s@1s", "ip=::1"})
        {
            final VifSpec parsed = VifSpec.parse(text);
            assertEquals(parsed, VifSpec.parse(parsed.toString()), text);
        }
    }

    @Test
    void badKeysAndValuesGiveOneLineMessagesNamingThem()
    {
        assertBad("mac=00:16:3e:00:00:01, colour=blue", "unknown key 'colour'");
        assertBad("script=vif-bridge", "unknown key 'script'");
        assertBad("bridge", "expected key=value, got 'bridge'");
        assertBad("bridge=a, bridge=b", "bridge given twice");
        assertBad("mac=00:16:3e:00:00", "bad MAC address '00:16:3e:00:00'");
        assertBad("mac=01:00:5e:00:00:01", "not a unicast address");
        assertBad("mac=00:00:00:00:00:00", "not a unicast address");
        assertBad("rate=10MB", "rate '10MB' is not RATE/s");
        assertBad("rate=10mb/s", "rate '10mb/s' is not RATE/s");
        assertBad("rate=10TB/s", "rate '10TB/s' is not RATE/s");
        assertBad("rate=MB/s", "rate 'MB/s' is not RATE/s");
        assertBad("rate=-1MB/s", "rate '-1MB/s' is not RATE/s");
        assertBad("rate=0MB/s", "rate '0MB/s' is zero");
        assertBad("rate=7b/s", "less than one byte per second");
        assertBad("rate=99999999999999999999B/s", "is not RATE/s");
        assertBad("rate=9999999999GB/s", "overflows");
        assertBad("rate=10MB/s@", "rate interval '' is not");
        assertBad("rate=10MB/s@20ns", "rate interval '20ns' is not");
        assertBad("rate=10MB/s@0ms", "rate interval '0ms' is not between");
        assertBad("rate=10MB/s@4294968s", "is not between");
        assertBad("rate=1B/s@50ms", "no whole byte every 50000us");
        assertBad("pps=0", "pps '0' is not a positive number");
        assertBad("pps=1K", "pps '1K' is not a positive number");
        assertBad("burst=1MB", "burst= needs rate=");
        assertBad("rate=1MB/s, burst=lots", "burst 'lots' is not a positive number of bytes");
        assertBad("type=tap", "type 'tap' is not ioemu or vif");
        assertBad("vifname=a\nb", "vifname 'a?b'");
        assertThrows(IllegalArgumentException.class, () -> VifSpec.parse(null));
    }

    private static void assertBad(final String text, final String fragment)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> VifSpec.parse(text), text);
        final String message = ex.getMessage();
        assertTrue(message.contains(fragment), message);
        assertTrue(message.startsWith("bad vif spec '"), message);
        assertFalse(message.contains("\n"), message);
    }

    @Test
    void theConstructorValidatesToo()
    {
        final VifSpec spec = new VifSpec(0x00_16_3E_00_00_01L, "xenbr0", 1_000_000, 50_000, null, null, null, null, 0, 0, null);
        assertEquals(spec, VifSpec.parse(spec.toString()));
        assertThrows(IllegalArgumentException.class,
            () -> new VifSpec(0x00_16_3E_00_00_01L, "xenbr0", 1_000_000, 0, null, null, null, null, 0, 0, null));
        assertThrows(IllegalArgumentException.class,
            () -> new VifSpec(0x00_16_3E_00_00_01L, null, 0, 0, null, null, null, null, 0, 0, null));
        assertThrows(IllegalArgumentException.class,
            () -> new VifSpec(0x00_16_3E_00_00_01L, "a,b", 0, 0, null, null, null, null, 0, 0, null));
    }
}
