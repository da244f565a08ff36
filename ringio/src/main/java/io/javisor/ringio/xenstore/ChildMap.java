package io.javisor.ringio.xenstore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * A node's children by name: immutable, listed in the order they were added, edited in time and
 * space proportional to the depth of a hash trie (a few levels of 32-way branching), not to the
 * number of children. An edit returns a new map sharing everything it did not touch with the old
 * one, so that a directory of ten thousand domains costs a write below it three small array copies,
 * not a copy of ten thousand entries.
 * <p>
 * Each child carries the sequence number it was added with; a replacement keeps it, so the listing
 * order is insertion order, as a {@link java.util.LinkedHashMap}'s. Listing sorts by it.
 * <p>
 * Immutable, so safe to share between threads once published.
 */
final class ChildMap
{
    static final ChildMap EMPTY = new ChildMap(null, 0, 0);

    private static final int BITS = 5;
    private static final int MASK = (1 << BITS) - 1;
    /** Below 32 bits of hash nothing is left to branch on: equal hashes share a collision bucket. */
    private static final int MAX_SHIFT = 30;
    private static final Comparator<Entry> BY_SEQUENCE = Comparator.comparingLong(e -> e.sequence);

    private final Trie root;
    private final int size;
    private final long nextSequence;

    private ChildMap(final Trie root, final int size, final long nextSequence)
    {
        this.root = root;
        this.size = size;
        this.nextSequence = nextSequence;
    }

    int size()
    {
        return size;
    }

    Node get(final String name)
    {
        final Entry entry = root == null ? null : root.find(name, name.hashCode(), 0);
        return entry == null ? null : entry.node;
    }

    /**
     * The child named by the characters {@code start..end-1} of {@code path}: a lookup along a path
     * that makes no string per component.
     */
    Node get(final String path, final int start, final int end)
    {
        if (root == null)
        {
            return null;
        }
        int hash = 0;
        for (int i = start; i < end; i++)
        {
            hash = 31 * hash + path.charAt(i); // String.hashCode of the component
        }
        final Entry entry = root.find(path, start, end, hash, 0);
        return entry == null ? null : entry.node;
    }

    /**
     * @return this map with {@code name} mapped to {@code node}: replaced where it is, or added last.
     */
    ChildMap with(final String name, final Node node)
    {
        final int hash = name.hashCode();
        final Entry old = root == null ? null : root.find(name, hash, 0);
        if (old != null && old.node == node)
        {
            return this;
        }
        final Entry entry = new Entry(name, node, old == null ? nextSequence : old.sequence);
        final Trie trie = root == null ? Trie.EMPTY : root;
        return new ChildMap(trie.put(entry, hash, 0), old == null ? size + 1 : size,
            old == null ? nextSequence + 1 : nextSequence);
    }

    /**
     * @return this map without {@code name} (this map when it has no such child).
     */
    ChildMap without(final String name)
    {
        final int hash = name.hashCode();
        if (root == null || root.find(name, hash, 0) == null)
        {
            return this;
        }
        final Trie trie = root.remove(name, hash, 0);
        return size == 1 ? EMPTY : new ChildMap(trie, size - 1, nextSequence);
    }

    /**
     * @return the names in the order they were added.
     */
    List<String> names()
    {
        final List<Entry> entries = entries();
        final List<String> names = new ArrayList<>(entries.size());
        for (final Entry entry : entries)
        {
            names.add(entry.name);
        }
        return names;
    }

    /**
     * @return the children in the order they were added.
     */
    List<Node> nodes()
    {
        final List<Entry> entries = entries();
        final List<Node> nodes = new ArrayList<>(entries.size());
        for (final Entry entry : entries)
        {
            nodes.add(entry.node);
        }
        return nodes;
    }

    /**
     * Calls {@code action} with the name of every child that is not the same node in {@code a} and
     * {@code b} (in one only, or a different node in each), in no particular order. Parts of the two
     * maps that are shared (one made from the other by edits) are skipped without being walked, so
     * the cost follows the differences.
     */
    static void forEachDifference(final ChildMap a, final ChildMap b, final Consumer<String> action)
    {
        if (a.root != b.root)
        {
            differences(a.root, b.root, 0, action);
        }
    }

    private List<Entry> entries()
    {
        final List<Entry> entries = new ArrayList<>(size);
        if (root != null)
        {
            root.collect(entries);
        }
        entries.sort(BY_SEQUENCE);
        return entries;
    }

    private static void differences(final Object a, final Object b, final int shift, final Consumer<String> action)
    {
        if (a == b)
        {
            return;
        }
        if (a instanceof Trie ta && b instanceof Trie tb && shift <= MAX_SHIFT)
        {
            final int bits = ta.bitmap | tb.bitmap;
            for (int rest = bits; rest != 0; rest &= rest - 1)
            {
                final int bit = rest & -rest;
                differences(ta.slot(bit), tb.slot(bit), shift + BITS, action);
            }
            return;
        }
        // Different shapes (an entry against a subtree, a bucket): compare their entries by name.
        final List<Entry> left = new ArrayList<>();
        final List<Entry> right = new ArrayList<>();
        collect(a, left);
        collect(b, right);
        for (final Entry l : left)
        {
            final Entry r = findIn(right, l.name);
            if (r == null || r.node != l.node)
            {
                action.accept(l.name);
            }
        }
        for (final Entry r : right)
        {
            if (findIn(left, r.name) == null)
            {
                action.accept(r.name);
            }
        }
    }

    private static Entry findIn(final List<Entry> entries, final String name)
    {
        for (final Entry entry : entries)
        {
            if (entry.name.equals(name))
            {
                return entry;
            }
        }
        return null;
    }

    private static void collect(final Object slot, final List<Entry> into)
    {
        if (slot instanceof Entry entry)
        {
            into.add(entry);
        }
        else if (slot instanceof Trie trie)
        {
            trie.collect(into);
        }
        else if (slot instanceof Bucket bucket)
        {
            into.addAll(Arrays.asList(bucket.entries));
        }
    }

    private record Entry(String name, Node node, long sequence)
    {
        boolean named(final String path, final int start, final int end)
        {
            return name.length() == end - start && path.regionMatches(start, name, 0, end - start);
        }
    }

    /** Entries whose names have the same 32-bit hash. */
    private record Bucket(int hash, Entry[] entries)
    {
        Entry find(final String name)
        {
            for (final Entry entry : entries)
            {
                if (entry.name.equals(name))
                {
                    return entry;
                }
            }
            return null;
        }

        Entry find(final String path, final int start, final int end)
        {
            for (final Entry entry : entries)
            {
                if (entry.named(path, start, end))
                {
                    return entry;
                }
            }
            return null;
        }
    }

    /**
     * One level of the trie: a bitmap of the occupied slots among 32 and the occupied slots in
     * order; a slot is an {@link Entry}, a deeper {@link Trie} or, at the bottom, a {@link Bucket}.
     */
    private static final class Trie
    {
        static final Trie EMPTY = new Trie(0, new Object[0]);

        final int bitmap;
        final Object[] slots;

        Trie(final int bitmap, final Object[] slots)
        {
            this.bitmap = bitmap;
            this.slots = slots;
        }

        Object slot(final int bit)
        {
            return (bitmap & bit) == 0 ? null : slots[Integer.bitCount(bitmap & (bit - 1))];
        }

        Entry find(final String name, final int hash, final int shift)
        {
            final Object slot = slot(1 << ((hash >>> shift) & MASK));
            if (slot instanceof Entry entry)
            {
                return entry.name.equals(name) ? entry : null;
            }
            if (slot instanceof Trie trie)
            {
                return trie.find(name, hash, shift + BITS);
            }
            if (slot instanceof Bucket bucket)
            {
                return bucket.hash == hash ? bucket.find(name) : null;
            }
            return null;
        }

        Entry find(final String path, final int start, final int end, final int hash, final int shift)
        {
            final Object slot = slot(1 << ((hash >>> shift) & MASK));
            if (slot instanceof Entry entry)
            {
                return entry.named(path, start, end) ? entry : null;
            }
            if (slot instanceof Trie trie)
            {
                return trie.find(path, start, end, hash, shift + BITS);
            }
            if (slot instanceof Bucket bucket)
            {
                return bucket.hash == hash ? bucket.find(path, start, end) : null;
            }
            return null;
        }

        Trie put(final Entry entry, final int hash, final int shift)
        {
            final int bit = 1 << ((hash >>> shift) & MASK);
            final int index = Integer.bitCount(bitmap & (bit - 1));
            if ((bitmap & bit) == 0)
            {
                final Object[] grown = new Object[slots.length + 1];
                System.arraycopy(slots, 0, grown, 0, index);
                grown[index] = entry;
                System.arraycopy(slots, index, grown, index + 1, slots.length - index);
                return new Trie(bitmap | bit, grown);
            }
            final Object slot = slots[index];
            final Object replacement;
            if (slot instanceof Entry existing)
            {
                if (existing.name.equals(entry.name))
                {
                    replacement = entry;
                }
                else
                {
                    replacement = split(existing, existing.name.hashCode(), entry, hash, shift + BITS);
                }
            }
            else if (slot instanceof Trie trie)
            {
                replacement = trie.put(entry, hash, shift + BITS);
            }
            else
            {
                replacement = withEntry((Bucket)slot, entry);
            }
            final Object[] copy = slots.clone();
            copy[index] = replacement;
            return new Trie(bitmap, copy);
        }

        Trie remove(final String name, final int hash, final int shift)
        {
            final int bit = 1 << ((hash >>> shift) & MASK);
            final int index = Integer.bitCount(bitmap & (bit - 1));
            final Object slot = slots[index];
            Object replacement = null;
            if (slot instanceof Trie trie)
            {
                replacement = trie.remove(name, hash, shift + BITS).collapsed();
            }
            else if (slot instanceof Bucket bucket)
            {
                replacement = withoutEntry(bucket, name);
            }
            if (replacement == null)
            {
                final Object[] shrunk = new Object[slots.length - 1];
                System.arraycopy(slots, 0, shrunk, 0, index);
                System.arraycopy(slots, index + 1, shrunk, index, slots.length - index - 1);
                return new Trie(bitmap & ~bit, shrunk);
            }
            final Object[] copy = slots.clone();
            copy[index] = replacement;
            return new Trie(bitmap, copy);
        }

        /**
         * What a parent keeps in this trie's slot: null when it is empty, its one entry when that is
         * all it holds (so that a trie never holds a lone entry below the top), else itself.
         */
        Object collapsed()
        {
            if (slots.length == 0)
            {
                return null;
            }
            if (slots.length == 1 && slots[0] instanceof Entry entry)
            {
                return entry;
            }
            return this;
        }

        void collect(final List<Entry> into)
        {
            for (final Object slot : slots)
            {
                ChildMap.collect(slot, into);
            }
        }

        private static Object split(final Entry a, final int hashA, final Entry b, final int hashB, final int shift)
        {
            if (shift > MAX_SHIFT)
            {
                return new Bucket(hashA, new Entry[]{ a, b });
            }
            final int bitA = 1 << ((hashA >>> shift) & MASK);
            final int bitB = 1 << ((hashB >>> shift) & MASK);
            if (bitA == bitB)
            {
                return new Trie(bitA, new Object[]{ split(a, hashA, b, hashB, shift + BITS) });
            }
            // Slots are in bit order; bit 31 is the sign bit, so compare unsigned.
            return Integer.compareUnsigned(bitA, bitB) < 0 ?
                new Trie(bitA | bitB, new Object[]{ a, b }) : new Trie(bitA | bitB, new Object[]{ b, a });
        }

        private static Bucket withEntry(final Bucket bucket, final Entry entry)
        {
            final Entry[] entries = bucket.entries;
            for (int i = 0; i < entries.length; i++)
            {
                if (entries[i].name.equals(entry.name))
                {
                    final Entry[] copy = entries.clone();
                    copy[i] = entry;
                    return new Bucket(bucket.hash, copy);
                }
            }
            final Entry[] grown = Arrays.copyOf(entries, entries.length + 1);
            grown[entries.length] = entry;
            return new Bucket(bucket.hash, grown);
        }

        private static Object withoutEntry(final Bucket bucket, final String name)
        {
            final Entry[] entries = bucket.entries;
            if (entries.length == 2)
            {
                return entries[0].name.equals(name) ? entries[1] : entries[0];
            }
            final Entry[] shrunk = new Entry[entries.length - 1];
            int j = 0;
            for (final Entry entry : entries)
            {
                if (!entry.name.equals(name))
                {
                    shrunk[j++] = entry;
                }
            }
            return new Bucket(bucket.hash, shrunk);
        }
    }
}
