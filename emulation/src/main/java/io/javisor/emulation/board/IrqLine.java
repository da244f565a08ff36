package io.javisor.emulation.board;

/** A device's interrupt output wire, e.g. {@code level -> plic.setSource(10, level)}. */
@FunctionalInterface
public interface IrqLine
{
    void set(boolean level);

    IrqLine NONE = level -> { };
}
