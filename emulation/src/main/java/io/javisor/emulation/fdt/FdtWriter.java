package io.javisor.emulation.fdt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.javisor.emulation.fdt.FdtDescriptor.*;

/**
 * Writes a flattened devicetree blob, version 17, node by node.
 * <p>
 * Usage: {@code beginNode("")} for the root, then properties and child nodes, each child closed with
 * {@link #endNode()}, and finally {@link #finish()}. The writer enforces what the specification requires
 * of the tree: one root, balanced nodes, properties before a node's children, unique property and child
 * names within a node, and the allowed name characters. A violation is an {@link IllegalStateException}
 * (wrong call order) or {@link IllegalArgumentException} (bad name or value).
 * Not thread-safe; one writer produces one blob.
 */
public final class FdtWriter
{
    private final ByteSink structure = new ByteSink(1024);
    private final ByteSink strings = new ByteSink(256);
    /** Each property name is stored once in the strings block; properties refer to it by offset. */
    private final Map<String, Integer> stringOffsets = new HashMap<>();
    private final List<long[]> reservations = new ArrayList<>();
    private final ArrayDeque<OpenNode> open = new ArrayDeque<>();
    private int bootCpuId;
    private boolean rootBegun;
    private boolean finished;

    private static final class OpenNode
    {
        final String name;
        final Set<String> properties = new HashSet<>();
        final Set<String> children = new HashSet<>();

        OpenNode(final String name)
        {
            this.name = name;
        }
    }

    /** Physical id of the CPU that boots (header field boot_cpuid_phys); 0 by default. */
    public FdtWriter bootCpuId(final int bootCpuId)
    {
        checkNotFinished();
        this.bootCpuId = bootCpuId;
        return this;
    }

    /** Add a memory reservation entry: a physical range the guest OS must not use. */
    public FdtWriter reserveMemory(final long address, final long size)
    {
        checkNotFinished();
        // A zero-size entry would read as the block's terminator.
        if (size == 0)
        {
            throw new IllegalArgumentException("memory reservation at 0x" + Long.toHexString(address) + " has size 0");
        }
        reservations.add(new long[]{address, size});
        return this;
    }

    /** Open a node: {@code ""} for the root (first call only), else {@code name} or {@code name@unit}. */
    public FdtWriter beginNode(final String name)
    {
        checkNotFinished();
        if (open.isEmpty())
        {
            if (rootBegun)
            {
                throw new IllegalStateException("node '" + name + "' after the root node was closed");
            }
            if (!name.isEmpty())
            {
                throw new IllegalStateException("the first node must be the root \"\", not '" + name + "'");
            }
            rootBegun = true;
        }
        else
        {
            checkNodeName(name);
            if (!open.peek().children.add(name))
            {
                throw new IllegalArgumentException("duplicate node '" + name + "' in " + path());
            }
        }
        final byte[] encoded = name.getBytes(StandardCharsets.US_ASCII);
        putToken(FDT_BEGIN_NODE);
        // The name is NUL-terminated, then padded with zeros to the next token boundary.
        structure.put(encoded);
        structure.putByte((byte)0);
        structure.padTo(TOKEN_ALIGNMENT);
        open.push(new OpenNode(name));
        return this;
    }

    /** Close the innermost open node. */
    public FdtWriter endNode()
    {
        checkNotFinished();
        if (open.isEmpty())
        {
            throw new IllegalStateException("endNode() without an open node");
        }
        open.pop();
        putToken(FDT_END_NODE);
        return this;
    }

    /** A property with a raw value, possibly empty (a boolean property such as "interrupt-controller"). */
    public FdtWriter property(final String name, final byte[] value)
    {
        checkNotFinished();
        final OpenNode node = open.peek();
        if (null == node)
        {
            throw new IllegalStateException("property '" + name + "' outside any node");
        }
        checkPropertyName(name);
        if (!node.children.isEmpty())
        {
            throw new IllegalStateException("property '" + name + "' after a child node in " + path());
        }
        if (!node.properties.add(name))
        {
            throw new IllegalArgumentException("duplicate property '" + name + "' in " + path());
        }
        putToken(FDT_PROP);
        putToken(value.length);
        putToken(stringOffset(name));
        structure.put(value);
        structure.padTo(TOKEN_ALIGNMENT);
        return this;
    }

    /** An empty (boolean) property. */
    public FdtWriter propertyEmpty(final String name)
    {
        return property(name, new byte[0]);
    }

    /** A property of 32-bit cells. */
    public FdtWriter propertyU32(final String name, final int... cells)
    {
        final byte[] value = new byte[cells.length * Integer.BYTES];
        for (int i = 0; i < cells.length; i++)
        {
            putBigEndian(value, i * Integer.BYTES, cells[i], Integer.BYTES);
        }
        return property(name, value);
    }

    /** A property of 64-bit values, each as two cells, high cell first. */
    public FdtWriter propertyU64(final String name, final long... values)
    {
        final byte[] value = new byte[values.length * Long.BYTES];
        for (int i = 0; i < values.length; i++)
        {
            putBigEndian(value, i * Long.BYTES, values[i], Long.BYTES);
        }
        return property(name, value);
    }

    /** A NUL-terminated string property. */
    public FdtWriter propertyString(final String name, final String value)
    {
        return propertyStrings(name, value);
    }

    /** A string-list property: each string NUL-terminated, back to back. */
    public FdtWriter propertyStrings(final String name, final String... values)
    {
        int length = 0;
        final byte[][] encoded = new byte[values.length][];
        for (int i = 0; i < values.length; i++)
        {
            encoded[i] = values[i].getBytes(StandardCharsets.UTF_8);
            // A NUL inside a string would split it into two list entries.
            for (final byte b : encoded[i])
            {
                if (b == 0)
                {
                    throw new IllegalArgumentException("property '" + name + "' string " + i + " contains NUL");
                }
            }
            length += encoded[i].length + 1;
        }
        final byte[] value = new byte[length];
        int at = 0;
        for (final byte[] string : encoded)
        {
            System.arraycopy(string, 0, value, at, string.length);
            at += string.length + 1;
        }
        return property(name, value);
    }

    /**
     * Close the structure block and assemble the blob: header, reservations, structure, strings.
     */
    public byte[] finish()
    {
        checkNotFinished();
        if (!rootBegun)
        {
            throw new IllegalStateException("no root node written");
        }
        if (!open.isEmpty())
        {
            throw new IllegalStateException(open.size() + " node(s) still open, innermost " + path());
        }
        putToken(FDT_END);
        finished = true;

        final int reserveOffset = align(HEADER_LENGTH, RESERVE_ALIGNMENT);
        // The reservation list always ends with an all-zero entry.
        final int reserveLength = (reservations.size() + 1) * RESERVE_ENTRY_LENGTH;
        final int structOffset = align(reserveOffset + reserveLength, TOKEN_ALIGNMENT);
        final int stringsOffset = structOffset + structure.length();
        final long total = (long)stringsOffset + strings.length();
        if (total > Integer.MAX_VALUE - 8)
        {
            throw new IllegalStateException("device tree of " + total + " bytes is too large");
        }

        final byte[] blob = new byte[(int)total];
        putBigEndian(blob, MAGIC_OFFSET, FDT_MAGIC, Integer.BYTES);
        putBigEndian(blob, TOTALSIZE_OFFSET, blob.length, Integer.BYTES);
        putBigEndian(blob, OFF_DT_STRUCT_OFFSET, structOffset, Integer.BYTES);
        putBigEndian(blob, OFF_DT_STRINGS_OFFSET, stringsOffset, Integer.BYTES);
        putBigEndian(blob, OFF_MEM_RSVMAP_OFFSET, reserveOffset, Integer.BYTES);
        putBigEndian(blob, VERSION_OFFSET, VERSION, Integer.BYTES);
        putBigEndian(blob, LAST_COMP_VERSION_OFFSET, LAST_COMPATIBLE_VERSION, Integer.BYTES);
        putBigEndian(blob, BOOT_CPUID_PHYS_OFFSET, bootCpuId, Integer.BYTES);
        putBigEndian(blob, SIZE_DT_STRINGS_OFFSET, strings.length(), Integer.BYTES);
        putBigEndian(blob, SIZE_DT_STRUCT_OFFSET, structure.length(), Integer.BYTES);
        int at = reserveOffset;
        for (final long[] entry : reservations)
        {
            putBigEndian(blob, at, entry[0], Long.BYTES);
            putBigEndian(blob, at + Long.BYTES, entry[1], Long.BYTES);
            at += RESERVE_ENTRY_LENGTH;
        }
        structure.copyTo(blob, structOffset);
        strings.copyTo(blob, stringsOffset);
        return blob;
    }

    private int stringOffset(final String name)
    {
        final Integer existing = stringOffsets.get(name);
        if (null != existing)
        {
            return existing;
        }
        final byte[] encoded = name.getBytes(StandardCharsets.US_ASCII);
        final int offset = strings.length();
        strings.put(encoded);
        strings.putByte((byte)0);
        stringOffsets.put(name, offset);
        return offset;
    }

    private void putToken(final int word)
    {
        structure.putIntBigEndian(word);
    }

    private static void putBigEndian(final byte[] dst, final int offset, final long value, final int width)
    {
        for (int i = 0; i < width; i++)
        {
            dst[offset + i] = (byte)(value >>> (8 * (width - 1 - i)));
        }
    }

    private String path()
    {
        final StringBuilder path = new StringBuilder();
        final var names = open.descendingIterator();
        while (names.hasNext())
        {
            final String name = names.next().name;
            if (!name.isEmpty())
            {
                path.append('/').append(name);
            }
        }
        return path.isEmpty() ? "/" : path.toString();
    }

    private void checkNotFinished()
    {
        if (finished)
        {
            throw new IllegalStateException("device tree already finished");
        }
    }

    private static void checkNodeName(final String name)
    {
        final int at = name.indexOf('@');
        final String base = at < 0 ? name : name.substring(0, at);
        if (base.isEmpty() || base.length() > MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("node name '" + name + "' must be 1 to " + MAX_NAME_LENGTH
                + " characters before any '@'");
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            final boolean unitSeparator = i == at;
            if (!unitSeparator && !(isNameChar(c) && c != '?' && c != '#'))
            {
                throw new IllegalArgumentException("node name '" + name + "' has an invalid character at " + i);
            }
        }
        if (at >= 0 && at == name.length() - 1)
        {
            throw new IllegalArgumentException("node name '" + name + "' has an empty unit address");
        }
    }

    private static void checkPropertyName(final String name)
    {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("property name '" + name + "' must be 1 to " + MAX_NAME_LENGTH
                + " characters");
        }
        for (int i = 0; i < name.length(); i++)
        {
            if (!isNameChar(name.charAt(i)))
            {
                throw new IllegalArgumentException("property name '" + name + "' has an invalid character at " + i);
            }
        }
    }

    /** The property-name character set; node names allow the same minus '?' and '#'. */
    private static boolean isNameChar(final char c)
    {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || c == ',' || c == '.' || c == '_' || c == '+' || c == '-' || c == '?' || c == '#';
    }
}
