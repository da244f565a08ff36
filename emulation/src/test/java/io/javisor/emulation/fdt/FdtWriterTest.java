package io.javisor.emulation.fdt;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static io.javisor.emulation.fdt.FdtDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

class FdtWriterTest
{
    @Test
    void writesHeaderReservationsStructureAndStrings()
    {
        final byte[] blob = new FdtWriter()
            .bootCpuId(3)
            .reserveMemory(0x8000_0000L, 0x20_0000L)
            .beginNode("")
            .propertyU32("#address-cells", 2)
            .propertyString("model", "abc")
            .beginNode("node@1")
            .propertyEmpty("flag")
            .propertyU64("reg", 0x1_0000_0002L)
            .propertyStrings("compatible", "a,b", "c")
            .endNode()
            .beginNode("other")
            .propertyU32("#address-cells", 1)
            .property("blob", new byte[]{1, 2, 3, 4, 5})
            .endNode()
            .endNode()
            .finish();

        final FdtTestReader reader = new FdtTestReader(blob);
        assertEquals(3, reader.blob.getInt(BOOT_CPUID_PHYS_OFFSET));
        assertEquals(1, reader.reservations.size());
        assertArrayEquals(new long[]{0x8000_0000L, 0x20_0000L}, reader.reservations.get(0));

        final FdtTestReader.Node root = reader.root;
        assertEquals("", root.name());
        assertEquals(2, root.u32("#address-cells"));
        assertEquals("abc", root.string("model"));
        final FdtTestReader.Node node = root.child("node@1");
        assertEquals(0, node.raw("flag").length);
        assertArrayEquals(new long[]{0x1_0000_0002L}, node.u64s("reg"));
        assertArrayEquals(new int[]{1, 2}, node.u32s("reg"), "a 64-bit value is two cells, high first");
        assertEquals(List.of("a,b", "c"), node.strings("compatible"));
        final FdtTestReader.Node other = root.child("other");
        assertEquals(1, other.u32("#address-cells"));
        assertArrayEquals(new byte[]{1, 2, 3, 4, 5}, other.raw("blob"));

        final String strings = new String(blob, reader.stringsOffset, reader.stringsSize, StandardCharsets.US_ASCII);
        assertEquals(strings.indexOf("#address-cells"), strings.lastIndexOf("#address-cells"), "names deduplicated");
        assertEquals("#address-cells\0model\0flag\0reg\0compatible\0blob\0", strings);
    }

    @Test
    void emptyTreeHasOnlyTerminatorReservation()
    {
        final FdtTestReader reader = new FdtTestReader(new FdtWriter().beginNode("").endNode().finish());
        assertTrue(reader.reservations.isEmpty());
        assertTrue(reader.root.children().isEmpty());
        // FDT_BEGIN_NODE, empty name padded to a word, FDT_END_NODE, FDT_END.
        assertEquals(16, reader.structSize);
        assertEquals(0, reader.stringsSize);
    }

    @Test
    void rejectsUnbalancedOrMisorderedCalls()
    {
        assertThrows(IllegalStateException.class, () -> new FdtWriter().finish());
        assertThrows(IllegalStateException.class, () -> new FdtWriter().beginNode("").finish());
        assertThrows(IllegalStateException.class, () -> new FdtWriter().beginNode("").beginNode("a").endNode().finish());
        assertThrows(IllegalStateException.class, () -> new FdtWriter().endNode());
        assertThrows(IllegalStateException.class, () -> new FdtWriter().beginNode("").endNode().endNode());
        assertThrows(IllegalStateException.class, () -> new FdtWriter().beginNode("a"));
        assertThrows(IllegalStateException.class, () -> new FdtWriter().beginNode("").endNode().beginNode(""));
        assertThrows(IllegalStateException.class, () -> new FdtWriter().propertyU32("a", 1));
        assertThrows(IllegalStateException.class,
            () -> new FdtWriter().beginNode("").beginNode("a").endNode().propertyU32("late", 1));

        final FdtWriter finished = new FdtWriter().beginNode("").endNode();
        finished.finish();
        final IllegalStateException e = assertThrows(IllegalStateException.class, finished::finish);
        assertEquals("device tree already finished", e.getMessage());

        final IllegalStateException open = assertThrows(IllegalStateException.class,
            () -> new FdtWriter().beginNode("").beginNode("soc").beginNode("uart@1").finish());
        assertEquals("3 node(s) still open, innermost /soc/uart@1", open.getMessage());
    }

    @Test
    void rejectsBadNamesAndValues()
    {
        final FdtWriter writer = new FdtWriter().beginNode("").propertyU32("x", 1);
        assertThrows(IllegalArgumentException.class, () -> writer.propertyU32("x", 2));
        assertThrows(IllegalArgumentException.class, () -> writer.propertyU32("", 2));
        assertThrows(IllegalArgumentException.class, () -> writer.propertyU32("bad name", 2));
        assertThrows(IllegalArgumentException.class, () -> writer.propertyU32("a".repeat(32), 2));
        assertThrows(IllegalArgumentException.class, () -> writer.propertyString("s", "nul\0inside"));
        assertThrows(IllegalArgumentException.class, () -> writer.beginNode("a/b"));
        assertThrows(IllegalArgumentException.class, () -> writer.beginNode("@10"));
        assertThrows(IllegalArgumentException.class, () -> writer.beginNode("uart@"));
        assertThrows(IllegalArgumentException.class, () -> writer.beginNode("has#hash"));
        assertThrows(IllegalArgumentException.class, () -> new FdtWriter().reserveMemory(0x1000, 0));

        writer.beginNode("dup").endNode();
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> writer.beginNode("dup"));
        assertEquals("duplicate node 'dup' in /", e.getMessage());
        // The writer is still usable after a rejected call.
        new FdtTestReader(writer.endNode().finish());
    }
}
