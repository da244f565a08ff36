package io.javisor.emulation.fuzz;

import io.javisor.emulation.cpu.StopReason;
import io.javisor.emulation.isa.Decoded;
import io.javisor.emulation.isa.Decoder;
import io.javisor.emulation.isa.Opcode;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import static io.javisor.emulation.fuzz.FuzzLayout.BASE;
import static io.javisor.emulation.fuzz.FuzzLayout.PAGE;
import static io.javisor.emulation.fuzz.FuzzLayout.PAGES;

/**
 * Runs each region on machine A (the interpreter alone, threshold -1) and on machine B
 * (translation threshold 0 by default: tier 1 at once), from the same start state, for the same
 * step budget, A in one {@code run} call and B in the region's cuts, and requires the same
 * outcome: the {@link ArchitecturalState} (all registers, pc, instret, privilege, CSRs,
 * reservation, stop reason), every byte of RAM and the MMIO device's state.
 * <p>
 * Images are loaded once and their regions run back to back; after each region only the RAM pages
 * that differ from the image are restored (code pages too, after self-modifying code), so both
 * machines, and a translator's caches, live across regions.
 */
final class DifferentialHarness implements AutoCloseable
{
    final FuzzMachine a;
    final FuzzMachine b;
    private FuzzImage image;
    /** Snapshots of each machine's RAM after a run. */
    private final byte[] ramA = new byte[FuzzLayout.RAM_SIZE];
    private final byte[] ramB = new byte[FuzzLayout.RAM_SIZE];

    /** Nanoseconds spent starting regions, running them (both machines) and comparing/restoring. */
    long tStart, tRun, tCompare;
    long regions;
    long retired;
    long exceptions;
    long pagesRestored;
    final Map<StopReason, Long> stops = new EnumMap<>(StopReason.class);
    final long[] finalPriv = new long[4];

    DifferentialHarness()
    {
        this(Integer.getInteger("javisor.fuzz.threshold", 0));
    }

    DifferentialHarness(final int thresholdB)
    {
        a = new FuzzMachine("A(interpreter)", -1);
        b = new FuzzMachine("B(threshold " + thresholdB + ")", thresholdB);
    }

    void load(final FuzzImage next)
    {
        image = next;
        a.load(next.ram);
        b.load(next.ram);
    }

    /** Run every region of the loaded image. */
    void runAll()
    {
        for (final Region r : image.regions)
        {
            run(r);
        }
    }

    /**
     * Run one region on both machines and compare.
     *
     * @return machine A's state after the run (valid until the next region)
     * @throws AssertionError describing every difference
     */
    ArchitecturalState run(final Region r)
    {
        final long t0 = System.nanoTime();
        a.start(r, image.device);
        b.start(r, image.device);
        final long t1 = System.nanoTime();
        final long exceptionsBefore = a.interpreter.exceptions();
        final StopReason stopA = a.run(r, new long[0]);
        final StopReason stopB = b.run(r, r.cuts);
        final long t2 = System.nanoTime();
        final ArchitecturalState sa = a.capture(stopA);
        final ArchitecturalState sb = b.capture(stopB);

        final StringBuilder diff = new StringBuilder();
        if (!sa.sameAs(sb))
        {
            diff.append(sa.diff(sb, "A", "B"));
        }
        if (!a.device.sameAs(b.device))
        {
            diff.append("  device       A: ").append(a.device).append("\n               B: ").append(b.device).append('\n');
        }
        a.memory.getBytes(0, ramA, 0, ramA.length);
        b.memory.getBytes(0, ramB, 0, ramB.length);
        final byte[] pristine = image.ram;
        for (int page = 0; page < PAGES; page++)
        {
            final int from = page * PAGE;
            final int to = from + PAGE;
            final boolean cleanA = Arrays.equals(ramA, from, to, pristine, from, to);
            final boolean cleanB = Arrays.equals(ramB, from, to, pristine, from, to);
            if (cleanA && cleanB)
            {
                continue;
            }
            if (cleanA != cleanB || !Arrays.equals(ramA, from, to, ramB, from, to))
            {
                diff.append(ramDiff(page));
            }
            a.restorePage(pristine, page);
            b.restorePage(pristine, page);
            pagesRestored++;
        }
        final long t3 = System.nanoTime();
        tStart += t1 - t0; tRun += t2 - t1; tCompare += t3 - t2;
        if (!diff.isEmpty())
        {
            throw new AssertionError(report(r, diff, sa));
        }
        regions++;
        retired += a.cpu.instret - r.instret;
        exceptions += a.interpreter.exceptions() - exceptionsBefore;
        stops.merge(stopA, 1L, Long::sum);
        finalPriv[a.cpu.priv]++;
        return sa;
    }

    private String ramDiff(final int page)
    {
        final StringBuilder s = new StringBuilder();
        int shown = 0;
        for (int i = page * PAGE; i < (page + 1) * PAGE && shown < 8; i++)
        {
            final byte x = ramA[i];
            final byte y = ramB[i];
            if (x != y)
            {
                s.append(String.format("  ram 0x%08x  A=%02x  B=%02x  (image %02x)%n", BASE + i, x & 0xFF, y & 0xFF,
                    image.ram[i] & 0xFF));
                shown++;
            }
        }
        return s.toString();
    }

    private String report(final Region r, final CharSequence diff, final ArchitecturalState sa)
    {
        return "\nmachines differ after " + r + "\ndifferences:\n" + diff + "region code (as loaded):\n" +
            disassemble(image.ram, r.codeStart, r.codeEnd) + "machine A's full state:\n" + sa;
    }

    /** One line per instruction: address, encoding, decoding. */
    static String disassemble(final byte[] ram, final long from, final long to)
    {
        final StringBuilder s = new StringBuilder();
        long pc = from;
        while (pc < to)
        {
            final int o = (int)(pc - BASE);
            final int low = ram[o] & 0xFF | (ram[o + 1] & 0xFF) << 8;
            final boolean wide = (low & 3) == 3 && o + 3 < ram.length;
            final int bits = wide ? low | (ram[o + 2] & 0xFF) << 16 | (ram[o + 3] & 0xFF) << 24 : low;
            final long d = Decoder.decodeAny(bits);
            s.append(String.format("  0x%08x: %s  %s%n", pc, wide ? String.format("%08x", bits) : String.format("    %04x", bits),
                Decoded.opcode(d) == Opcode.ILLEGAL ? "(illegal)" : Decoded.toString(d)));
            pc += wide ? 4 : 2;
        }
        return s.toString();
    }

    String summary(final double seconds)
    {
        return String.format("%,d regions, %,d instructions retired (%,d per region), %,d exceptions, " +
                "start/run/compare %d/%d/%d ms, stops %s, ending in M/S/U %d/%d/%d, %,d pages restored; %.1f s, %,.0f regions/s",
            regions, retired, regions == 0 ? 0 : retired / regions, exceptions, tStart / 1000000, tRun / 1000000, tCompare / 1000000, stops, finalPriv[3], finalPriv[1],
            finalPriv[0], pagesRestored, seconds, regions / seconds);
    }

    @Override
    public void close()
    {
        a.close();
        b.close();
    }
}
