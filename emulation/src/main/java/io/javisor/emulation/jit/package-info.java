/**
 * Tier 1 of the RISC-V CPU: a translator of hot guest code to JVM bytecode, above the interpreter
 * ({@code io.javisor.emulation.cpu.Interpreter}, tier 0), sharing its {@code CpuState}.
 * <p>
 * <b>Flow.</b> {@code Interpreter.run} asks the {@link io.javisor.emulation.jit.Translator} to run the code
 * at pc before each fast run. The translator counts the instructions the interpreter runs on each RAM
 * page; once a page is hot ({@link io.javisor.emulation.jit.Translator#DEFAULT_THRESHOLD}) the
 * {@link io.javisor.emulation.jit.RegionDiscovery} finds the code reachable from the entry on that page
 * through the instructions tier 1 handles (ALU, M, LUI/AUIPC, branches, JAL, JALR as an exit, loads,
 * stores, FENCE), at most {@link io.javisor.emulation.jit.Translator#DEFAULT_REGION_CAP} of them, and the
 * {@link io.javisor.emulation.jit.RegionCompiler} emits one JVM method for it with
 * {@code java.lang.classfile}, loaded as a hidden class (unloadable once dropped). This runs on the
 * {@link io.javisor.emulation.jit.BackgroundCompiler} thread while the interpreter goes on (synchronously
 * at threshold 0); the hart installs a result only if RAM still holds the bytes it was built from.
 * <p>
 * <b>Generated code.</b> Guest branches inside a region are JVM jumps, so guest loops are JVM loops that
 * C2 compiles (OSR included). Registers the region uses are JVM locals, loaded at entry and written back
 * at the one exit; x0 reads as the constant 0 and writes to it are dropped. Loads and stores to RAM are
 * inline: untranslated, an alignment test, one unsigned range compare and one Unsafe access at
 * {@code ramAddress + (pa - RAM_BASE)}; under Sv39, one compare against the {@link
 * io.javisor.emulation.jit.InlineTlb} slot of the page (alignment included) and an add, with a call to the
 * MMU (which fills the slot) only on a miss. A naturally aligned access outside RAM is a direct call into
 * the bus and the device model ({@link io.javisor.emulation.jit.RegionContext#deviceLoad}); the region
 * goes on after it unless the device raised an enabled interrupt, asked for a stop or overwrote code.
 * Misaligned accesses and faults leave the region with the exact state before that instruction, for the
 * interpreter. A store onto a page flagged in {@link io.javisor.emulation.jit.RegionContext#codePages}
 * (decoded or translated code, or the LR/SC reservation) calls back to drop what it overwrote and leaves
 * right after the store when a region was dropped. The budget is checked at region entry and at every
 * loop header, for the longest run to the next check, so a run stops exactly on its budget and an endless
 * translated loop still ends its slice. Interrupts are taken between slices and between regions, where
 * mip and mie are checked (nothing inside a region can change them); the stop flag is checked between
 * regions, and a region is never given more than {@code Translator.MAX_RUN} (about a millisecond) at a
 * time ({@code -Djavisor.jit.stopAtHeaders=true} also tests it at every loop header: measured about 10%
 * slower on cpubench).
 * <p>
 * <b>Entries.</b> A region is entered at the pc it was translated for, so its guest loops are reducible
 * JVM loops (with {@code -Djavisor.jit.singleEntry=false} also at each block leader and after each
 * access, through a switch on pc: fewer classes, but irreducible loops that C2 optimises less, measured
 * slower). Regions are keyed by entry address and checked against the physical address and translation
 * state on every lookup ({@link io.javisor.emulation.jit.CodeCache}), which is bounded: when full it is
 * emptied. Stores and writes behind the CPU's back invalidate exactly the regions whose bytes they touch,
 * and FENCE.I drops those whose bytes RAM no longer holds, reported or not; satp writes and SFENCE.VMA need
 * no flush because every dispatch translates the entry pc again and a region never leaves its page (the
 * inline TLB is another matter: it stays a subset of the MMU's TLB, which clears its slots on SFENCE.VMA,
 * satp writes and refills, and is dropped at a dispatch whose privilege, MPRV, SUM or MXR differ from those
 * it was filled under). A
 * region dropped while its bytes may come back (another state of its entry took its key, a write was undone)
 * is kept aside and held again, untranslated, if they do.
 * <p>
 * <b>Batches.</b> Defining a hidden class costs more than generating a region's code; a caller that knows
 * what will run (the differential fuzzer, which runs each piece of code from many start states) can have
 * the translator note the entries it meets ({@code Translator.noteEntries}) and translate them later many
 * to a class ({@code Translator.translateNoted}), each region's method the code a class of its own would hold.
 * <p>
 * <b>Knobs</b> (system properties read by {@code VirtMachine}): {@code javisor.cpu=interp} (the default
 * tier), {@code javisor.jit.threshold} (0: translate at once, synchronously), {@code javisor.jit.cap},
 * {@code javisor.jit.capacity}, {@code javisor.jit.trace=true} (a line per translation),
 * {@code javisor.jit.singleEntry=false} (regions with many entries).
 */
package io.javisor.emulation.jit;
