package io.javisor.emulation.jit;

import io.javisor.emulation.isa.Decoded;
import io.javisor.emulation.isa.Decoder;
import io.javisor.emulation.isa.Opcode;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Finds the code reachable from an entry point on one page through the instructions translated code
 * handles: integer ALU and M operations, LUI/AUIPC, branches, JAL, JALR (which ends its path),
 * loads, stores and FENCE. Anything else, an instruction that crosses the page end, a target off
 * the page and the size cap end a path: translated code exits to the interpreter there.
 * Thread safety: not thread-safe (scratch arrays); one instance per job. It reads only the page copy it is given.
 */
final class RegionDiscovery
{
    private final boolean[] seen = new boolean[2048];
    private final long[] decodedAt = new long[2048];
    private final boolean[] target = new boolean[2048];
    private final boolean[] backTarget = new boolean[2048];
    private final ArrayDeque<Integer> work = new ArrayDeque<>();

    static boolean translatable(final int op)
    {
        return op >= Opcode.LUI && op <= Opcode.FENCE || op >= Opcode.MUL && op <= Opcode.REMUW;
    }

    static boolean isBranch(final int op)
    {
        return op >= Opcode.BEQ && op <= Opcode.BGEU;
    }

    /** @return whether control never falls through to the next instruction. */
    static boolean endsFlow(final int op)
    {
        return op == Opcode.JAL || op == Opcode.JALR;
    }

    /**
     * @param page     a copy of the physical page holding the code
     * @param entryVa  virtual address of the entry
     * @param entryPa  physical address of the entry
     * @param cap      the most instructions to take
     * @return the region, or null when the entry instruction itself cannot be translated
     */
    Region discover(final byte[] page, final long entryVa, final long entryPa, final int cap)
    {
        return discover(page, entryVa, entryPa, new int[0], cap);
    }

    /**
     * As {@link #discover(long, long, long, int)}, also taking in the code reachable from {@code moreRoots}
     * (page offsets of earlier entries on the page), so that one region serves every entry of its page.
     */
    Region discover(final byte[] page, final long entryVa, final long entryPa, final int[] moreRoots,
        final int cap)
    {
        Arrays.fill(seen, false);
        Arrays.fill(target, false);
        Arrays.fill(backTarget, false);
        final long vaPage = entryVa & ~0xFFFL;
        final int entry = (int)(entryVa & 0xFFF);
        int count = 0;
        work.clear();
        work.add(entry);
        // The new entry's code first, then the earlier roots': under the cap, the entry's own loop
        // must not be cut off for code that other entries already reach.
        int nextRoot = 0;
        while (count < cap)
        {
            if (work.isEmpty())
            {
                if (nextRoot == moreRoots.length)
                {
                    break;
                }
                work.add(moreRoots[nextRoot++]);
            }
            final int off = work.poll();
            final int slot = off >>> 1;
            if (seen[slot])
            {
                continue;
            }
            final long d = decode(page, off);
            if (d == 0 || !translatable(Decoded.opcode(d)))
            {
                continue;
            }
            seen[slot] = true;
            decodedAt[slot] = d;
            count++;
            final int op = Decoded.opcode(d);
            final int next = off + Decoded.length(d);
            // After a call (JAL with a link register) the return point is the likely next entry: take it
            // in, so that the return re-enters this region rather than translating a new one.
            if ((!endsFlow(op) || op == Opcode.JAL && Decoded.rd(d) != 0) && next < 4096)
            {
                work.add(next);
            }
            if (isBranch(op) || op == Opcode.JAL)
            {
                final long t = vaPage + off + Decoded.imm(d);
                if ((t & ~0xFFFL) == vaPage)
                {
                    final int toff = (int)(t & 0xFFF);
                    target[toff >>> 1] = true;
                    if (toff <= off)
                    {
                        backTarget[toff >>> 1] = true;
                    }
                    work.add(toff);
                }
            }
        }
        if (count == 0)
        {
            return null;
        }
        final int[] offsets = new int[count];
        final long[] decoded = new long[count];
        final boolean[] leader = new boolean[count];
        final boolean[] loopHeader = new boolean[count];
        int n = 0;
        int expected = -1;
        boolean afterTransfer = true;
        for (int slot = 0; slot < 2048; slot++)
        {
            if (!seen[slot])
            {
                continue;
            }
            final int off = slot << 1;
            final long d = decodedAt[slot];
            offsets[n] = off;
            decoded[n] = d;
            leader[n] = afterTransfer || off != expected || target[slot] || off == entry ||
                isRoot(moreRoots, nextRoot, off);
            loopHeader[n] = backTarget[slot];
            final int op = Decoded.opcode(d);
            afterTransfer = isBranch(op) || endsFlow(op);
            expected = off + Decoded.length(d);
            n++;
        }
        // Overlapping instructions (a jump into the middle of a 4-byte one): when an instruction's
        // fall-through successor is in the region but is not the next one in address order, that
        // successor starts a block too, or a run arriving there would not count its block.
        for (int i = 0; i < count; i++)
        {
            final long d = decoded[i];
            if (endsFlow(Decoded.opcode(d)))
            {
                continue;
            }
            final int next = offsets[i] + Decoded.length(d);
            if (i + 1 < count && offsets[i + 1] != next)
            {
                final int j = Arrays.binarySearch(offsets, next);
                if (j >= 0)
                {
                    leader[j] = true;
                }
            }
        }
        return new Region(entryVa, entryPa, offsets, decoded, leader, loopHeader);
    }

    private static boolean isRoot(final int[] roots, final int taken, final int off)
    {
        for (int i = 0; i < taken; i++)
        {
            if (roots[i] == off)
            {
                return true;
            }
        }
        return false;
    }

    private static int halfword(final byte[] page, final int off)
    {
        return (page[off] & 0xFF) | (page[off + 1] & 0xFF) << 8;
    }

    /** @return the decoded instruction at a page offset, or 0 when it crosses the page end or is illegal. */
    private static long decode(final byte[] page, final int off)
    {
        final int low = halfword(page, off);
        final int insn;
        if ((low & 3) == 3)
        {
            if (off >= 4094)
            {
                return 0;
            }
            insn = low | halfword(page, off + 2) << 16;
        }
        else
        {
            insn = low;
        }
        final long d = Decoder.decodeAny(insn);
        return Decoded.opcode(d) == Opcode.ILLEGAL ? 0 : d;
    }
}
