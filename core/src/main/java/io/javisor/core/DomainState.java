package io.javisor.core;

/**
 * A domain's life: created → running ⇄ paused → shutdown(reason) | crashed → dying → gone.
 * The letter is the one {@code xl list} shows.
 */
public enum DomainState
{
    CREATED('-'), RUNNING('r'), PAUSED('p'), SHUTDOWN('s'), CRASHED('c'), DYING('d'), GONE('-');

    private final char letter;

    DomainState(final char letter)
    {
        this.letter = letter;
    }

    public char letter()
    {
        return letter;
    }
}
