package io.javisor.emulation.fdt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.javisor.emulation.fdt.FdtDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/** A small DTB decoder for tests: checks the header and walks the structure block into a tree. */
final class FdtTestReader
{
    record Node(String name, Map<String, byte[]> properties, List<Node> children)
    {
        Node child(final String childName)
        {
            return children.stream().filter(c -> c.name().equals(childName)).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + childName + " under '" + name + "'"));
        }

        Node at(final String path)
        {
            Node node = this;
            for (final String part : path.split("/"))
            {
                if (!part.isEmpty())
                {
                    node = node.child(part);
                }
            }
            return node;
        }

        byte[] raw(final String property)
        {
            final byte[] value = properties.get(property);
            assertNotNull(value, "no property " + property + " in '" + name + "'");
            return value;
        }

        List<String> strings(final String property)
        {
            final byte[] value = raw(property);
            assertTrue(value.length > 0 && value[value.length - 1] == 0, property + " is NUL-terminated");
            return Arrays.asList(new String(value, 0, value.length - 1, StandardCharsets.UTF_8).split("\0", -1));
        }

        String string(final String property)
        {
            final List<String> values = strings(property);
            assertEquals(1, values.size(), property);
            return values.get(0);
        }

        int[] u32s(final String property)
        {
            final ByteBuffer value = ByteBuffer.wrap(raw(property));
            assertEquals(0, value.remaining() % 4, property + " length");
            final int[] cells = new int[value.remaining() / 4];
            for (int i = 0; i < cells.length; i++)
            {
                cells[i] = value.getInt();
            }
            return cells;
        }

        int u32(final String property)
        {
            final int[] cells = u32s(property);
            assertEquals(1, cells.length, property);
            return cells[0];
        }

        long[] u64s(final String property)
        {
            final ByteBuffer value = ByteBuffer.wrap(raw(property));
            assertEquals(0, value.remaining() % 8, property + " length");
            final long[] values = new long[value.remaining() / 8];
            for (int i = 0; i < values.length; i++)
            {
                values[i] = value.getLong();
            }
            return values;
        }
    }

    final ByteBuffer blob;
    final int structOffset;
    final int structSize;
    final int stringsOffset;
    final int stringsSize;
    final List<long[]> reservations = new ArrayList<>();
    final Node root;

    FdtTestReader(final byte[] bytes)
    {
        blob = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        assertEquals(FDT_MAGIC, blob.getInt(MAGIC_OFFSET), "magic");
        assertEquals(bytes.length, blob.getInt(TOTALSIZE_OFFSET), "totalsize");
        assertEquals(VERSION, blob.getInt(VERSION_OFFSET));
        assertEquals(LAST_COMPATIBLE_VERSION, blob.getInt(LAST_COMP_VERSION_OFFSET));
        structOffset = blob.getInt(OFF_DT_STRUCT_OFFSET);
        structSize = blob.getInt(SIZE_DT_STRUCT_OFFSET);
        stringsOffset = blob.getInt(OFF_DT_STRINGS_OFFSET);
        stringsSize = blob.getInt(SIZE_DT_STRINGS_OFFSET);
        assertEquals(0, structOffset % 4, "structure block alignment");
        assertTrue(structOffset + structSize <= bytes.length);
        assertTrue(stringsOffset + stringsSize <= bytes.length);

        final int reserveOffset = blob.getInt(OFF_MEM_RSVMAP_OFFSET);
        assertEquals(0, reserveOffset % 8, "reservation block alignment");
        for (int at = reserveOffset; ; at += RESERVE_ENTRY_LENGTH)
        {
            final long address = blob.getLong(at);
            final long size = blob.getLong(at + 8);
            if (address == 0 && size == 0)
            {
                break;
            }
            reservations.add(new long[]{address, size});
        }

        final int[] cursor = {structOffset};
        assertEquals(FDT_BEGIN_NODE, token(cursor));
        root = node(cursor);
        assertEquals(FDT_END, token(cursor));
        assertEquals(structOffset + structSize, cursor[0], "structure block ends at FDT_END");
    }

    private int token(final int[] cursor)
    {
        int token;
        do
        {
            token = blob.getInt(cursor[0]);
            cursor[0] += 4;
        }
        while (token == FDT_NOP);
        return token;
    }

    /** Decode a node whose FDT_BEGIN_NODE token was just consumed, through its FDT_END_NODE. */
    private Node node(final int[] cursor)
    {
        final String name = cString(cursor[0]);
        cursor[0] = align(cursor[0] + name.length() + 1, 4);
        final Map<String, byte[]> properties = new LinkedHashMap<>();
        final List<Node> children = new ArrayList<>();
        while (true)
        {
            final int token = token(cursor);
            if (token == FDT_PROP)
            {
                assertTrue(children.isEmpty(), "properties precede child nodes in " + name);
                final int length = blob.getInt(cursor[0]);
                final int nameOffset = blob.getInt(cursor[0] + 4);
                assertTrue(nameOffset < stringsSize);
                final byte[] value = new byte[length];
                blob.get(cursor[0] + 8, value);
                properties.put(cString(stringsOffset + nameOffset), value);
                cursor[0] = align(cursor[0] + 8 + length, 4);
            }
            else if (token == FDT_BEGIN_NODE)
            {
                children.add(node(cursor));
            }
            else
            {
                assertEquals(FDT_END_NODE, token, "token in " + name);
                return new Node(name, properties, children);
            }
        }
    }

    String cString(final int offset)
    {
        int end = offset;
        while (blob.get(end) != 0)
        {
            end++;
        }
        final byte[] bytes = new byte[end - offset];
        blob.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
