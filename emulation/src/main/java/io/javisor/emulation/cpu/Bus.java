package io.javisor.emulation.cpu;

import io.javisor.memory.GuestMemory;

/**
 * Physical memory as the CPU sees it.
 * <p>
 * Fault signalling without exceptions: a load returns its value (zero-extended to a long; the
 * CPU does sign extension) and a store returns nothing; an access that hits no memory sets a
 * sticky {@code fault} flag instead of throwing. The CPU calls {@link #takeFault()} right after
 * each access, which reads and clears the flag. On the hot path that is one field load and a
 * well-predicted branch, with no allocation and no exception-table unwinding; as long as one Bus
 * implementation is loaded the calls are monomorphic and inline. A sentinel return value was not
 * used because every 64-bit value is a legal load result.
 * <p>
 * Addresses are physical; alignment is the caller's business (the CPU traps on misaligned
 * accesses before it gets here), but implementations must handle any alignment safely.
 */
public interface Bus
{
    long load8(long pa);

    long load16(long pa);

    long load32(long pa);

    long load64(long pa);

    void store8(long pa, long value);

    void store16(long pa, long value);

    void store32(long pa, long value);

    void store64(long pa, long value);

    /**
     * @return whether an access since the last call faulted; clears the flag.
     */
    boolean takeFault();

    /**
     * @return the RAM mapped at {@link RamBus#RAM_BASE} when the CPU may load, store and fetch
     * there directly, bypassing this bus (RAM has no side effects to model), or null
     */
    default GuestMemory directRam()
    {
        return null;
    }
}
