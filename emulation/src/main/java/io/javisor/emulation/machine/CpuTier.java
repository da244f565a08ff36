package io.javisor.emulation.machine;

/**
 * Which execution tier runs a machine's guest code: the interpreter alone, or the translator of hot
 * regions to JVM bytecode above it (the interpreter still runs cold code and whatever the translator
 * leaves to it). QEMU's {@code -accel tcg} has one tier; this choice exists for measurement and for
 * differential testing of the two.
 */
public enum CpuTier
{
    /** Tier 0 only: every instruction is interpreted. */
    INTERPRETER,
    /** Tier 1 above tier 0: hot regions are translated to JVM bytecode. */
    JIT
}
