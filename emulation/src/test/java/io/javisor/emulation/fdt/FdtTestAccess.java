package io.javisor.emulation.fdt;

import java.util.List;

/** {@link FdtTestReader} for tests outside this package. */
public final class FdtTestAccess
{
    private FdtTestAccess()
    {
    }

    /** One node's properties. */
    public record Device(FdtTestReader.Node node)
    {
        public List<String> strings(final String property)
        {
            return node.strings(property);
        }

        public String string(final String property)
        {
            return node.string(property);
        }

        public int u32(final String property)
        {
            return node.u32(property);
        }

        public long[] u64s(final String property)
        {
            return node.u64s(property);
        }

        public byte[] raw(final String property)
        {
            return node.raw(property);
        }
    }

    public static Device node(final byte[] dtb, final String path)
    {
        return new Device(new FdtTestReader(dtb).root.at(path));
    }
}
