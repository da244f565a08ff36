package io.javisor.ringio.xenstore;

import java.util.List;

/**
 * One node of the tree. Nodes are immutable: an edit builds new nodes along the path from the root
 * and shares every untouched subtree with the old tree, so any root is a consistent snapshot that
 * a transaction can read without a lock.
 * <p>
 * The generation changes whenever this node's own state changes (value, permissions, or the set of
 * its children's names), and only then: a change deeper down leaves it alone. Transactions detect
 * conflicts by comparing generations; 0 stands for "no node here".
 */
final class Node
{
    static final long ABSENT_GENERATION = 0;
    static final byte[] EMPTY_VALUE = new byte[0];
    /** One shared array per one-byte value ("0", "1", a state...), which most nodes hold. */
    private static final byte[][] ONE_BYTE_VALUES = new byte[256][];

    static
    {
        for (int i = 0; i < ONE_BYTE_VALUES.length; i++)
        {
            ONE_BYTE_VALUES[i] = new byte[]{ (byte)i };
        }
    }

    private final byte[] value;
    private final NodePermissions permissions;
    private final ChildMap children;
    private final long generation;

    private Node(final byte[] value, final NodePermissions permissions, final ChildMap children, final long generation)
    {
        this.value = value;
        this.permissions = permissions;
        this.children = children;
        this.generation = generation;
    }

    /**
     * @param value       the value, which the node takes over and nobody may modify afterwards.
     * @param permissions the access control list.
     * @param generation  a generation no other node state had.
     * @return a node without children.
     */
    static Node leaf(final byte[] value, final NodePermissions permissions, final long generation)
    {
        return new Node(value, permissions, ChildMap.EMPTY, generation);
    }

    /**
     * @param value       the value, which the node takes over and nobody may modify afterwards.
     * @param permissions the access control list.
     * @param children    the children in listing order.
     * @param generation  the generation of the node state this one carries.
     * @return a node assembled from parts, as a transaction's commit merges them.
     */
    static Node of(final byte[] value, final NodePermissions permissions, final ChildMap children, final long generation)
    {
        return new Node(value, permissions, children, generation);
    }

    /**
     * @return {@code value}, or an equal array shared by every node that holds it (values are never
     * modified once a node holds them, so sharing is safe).
     */
    static byte[] canonicalValue(final byte[] value)
    {
        if (value.length == 0)
        {
            return EMPTY_VALUE;
        }
        return value.length == 1 ? ONE_BYTE_VALUES[value[0] & 0xFF] : value;
    }

    /**
     * @return the value; callers must not modify it.
     */
    byte[] value()
    {
        return value;
    }

    NodePermissions permissions()
    {
        return permissions;
    }

    long generation()
    {
        return generation;
    }

    Node child(final String name)
    {
        return children.get(name);
    }

    /**
     * @return the child named by the characters {@code start..end-1} of {@code path}, or null.
     */
    Node child(final String path, final int start, final int end)
    {
        return children.get(path, start, end);
    }

    ChildMap childMap()
    {
        return children;
    }

    List<String> childNames()
    {
        return children.names();
    }

    List<Node> children()
    {
        return children.nodes();
    }

    Node withValue(final byte[] newValue, final long newGeneration)
    {
        return new Node(newValue, permissions, children, newGeneration);
    }

    Node withPermissions(final NodePermissions newPermissions, final long newGeneration)
    {
        return new Node(value, newPermissions, children, newGeneration);
    }

    Node withChildAdded(final String name, final Node child, final long newGeneration)
    {
        return new Node(value, permissions, children.with(name, child), newGeneration);
    }

    Node withChildRemoved(final String name, final long newGeneration)
    {
        return new Node(value, permissions, children.without(name), newGeneration);
    }

    /**
     * Replace an existing child by a new version of itself: the set of names is unchanged, so this
     * node keeps its generation.
     */
    Node withChildReplaced(final String name, final Node child)
    {
        return new Node(value, permissions, children.with(name, child), generation);
    }
}
