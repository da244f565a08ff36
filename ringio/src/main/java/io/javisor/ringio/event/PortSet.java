package io.javisor.ringio.event;

/**
 * A set of one domain's event channel ports, as a bitmap laid out like the domain's pending bits:
 * the ports one back-end agent serves, which {@link EventChannels#pollPorts} takes the pending ones
 * of (as Linux binds each event channel to one CPU with a per-CPU mask over the same bitmap).
 * <p>
 * Not thread-safe: the agent that serves the ports is its single writer and its only reader.
 */
public final class PortSet
{
    private final long[] words;
    private int size;
    /** No word outside [firstWord, endWord) has ever held a port; scans cover only that range. */
    private int firstWord;
    private int endWord;

    /**
     * @param maxPorts the domain's port count ({@link EventChannels#maxPorts()}).
     */
    public PortSet(final int maxPorts)
    {
        words = new long[(maxPorts + 63) / 64];
        firstWord = words.length;
    }

    public void add(final int port)
    {
        final int word = port >>> 6;
        final long bit = 1L << (port & 63);
        if ((words[word] & bit) == 0)
        {
            words[word] |= bit;
            size++;
            firstWord = Math.min(firstWord, word);
            endWord = Math.max(endWord, word + 1);
        }
    }

    public void remove(final int port)
    {
        final int word = port >>> 6;
        final long bit = 1L << (port & 63);
        if ((words[word] & bit) != 0)
        {
            words[word] &= ~bit;
            size--;
        }
    }

    public boolean contains(final int port)
    {
        return port >= 0 && port >>> 6 < words.length && (words[port >>> 6] & (1L << (port & 63))) != 0;
    }

    public int size()
    {
        return size;
    }

    int endWord()
    {
        return endWord;
    }

    int firstWord()
    {
        return firstWord;
    }

    long word(final int index)
    {
        return words[index];
    }
}
