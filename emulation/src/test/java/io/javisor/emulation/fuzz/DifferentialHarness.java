package io.javisor.emulation.fuzz;

import io.javisor.emulation.cpu.StopReason;
import io.javisor.emulation.isa.Decoded;
import io.javisor.emulation.isa.Decoder;
import io.javisor.emulation.isa.Opcode;
import io.javisor.emulation.jit.Translator;

import java.util.Arrays;

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
 * Images are loaded once and their regions run back to back; after each region only the RAM bytes
 * that differ from the image are restored (in code pages too, after self-modifying code), so both
 * machines, and a translator's caches, live across regions.
 * <p>
 * {@link #run} leaves B's translator as it is (at threshold 0 it translates each entry it meets, one
 * class per region, as in production). {@link #runImage} makes B note the entries it meets instead, and
 * translates them many regions to a class between passes over the start states of the image's code,
 * which is what makes a million regions affordable.
 * Thread safety: not thread-safe; one harness per thread.
 */
final class DifferentialHarness implements AutoCloseable
{
    /**
     * B's code cache, in regions: a fuzz image's code from all its start states and privilege levels
     * (about 4,000 entries), with room to spare (the default, sized for a guest's hot code, would be
     * emptied several times per image, and all of it translated again).
     */
    private static final int B_CAPACITY = 16_384;
    /** {@code -Djavisor.fuzz.batches=false}: {@link #runImage} leaves B translating on demand, as {@link #run} does. */
    static final boolean BATCHES = Boolean.parseBoolean(System.getProperty("javisor.fuzz.batches", "true"));
    /** {@link #runImage} has B translate on demand in the last pass of one image in this many (the first included). */
    static final int ON_DEMAND_EVERY = 8;

    final FuzzMachine a;
    final FuzzMachine b;
    final FuzzCounts counts = new FuzzCounts();
    private FuzzImage image;
    /** Images loaded, the current one included. */
    private long images;
    /** Snapshots of each machine's RAM after a run. */
    private final byte[] ramA = new byte[FuzzLayout.RAM_SIZE];
    private final byte[] ramB = new byte[FuzzLayout.RAM_SIZE];

    DifferentialHarness()
    {
        this(Integer.getInteger("javisor.fuzz.threshold", 0));
    }

    DifferentialHarness(final int thresholdB)
    {
        a = new FuzzMachine("A(interpreter)", -1);
        b = new FuzzMachine("B(threshold " + thresholdB + ")", thresholdB);
        if (thresholdB >= 0)
        {
            b.interpreter.setTranslation(thresholdB, B_CAPACITY, Translator.DEFAULT_REGION_CAP);
        }
    }

    void load(final FuzzImage next)
    {
        image = next;
        images++;
        a.load(next.ram);
        b.load(next.ram);
    }

    /**
     * Run the first {@code count} regions of the loaded image, each as {@link #run} does, in passes: the
     * image holds {@code states} consecutive regions per piece of code (the same code from different
     * start states), and pass {@code k} runs the {@code k}th of each. B's translator notes the entries
     * it misses instead of translating them (their code runs on the interpreter in that run) and, but
     * after the last pass, translates them many regions to a class, so that the next passes find them
     * translated. In the last pass of one image in {@link #ON_DEMAND_EVERY}, and in the only pass when
     * {@code states} is 1, it translates what it misses on demand instead, one class per region, as
     * production does at threshold 0 (at about five times the cost of a batched translation).
     */
    void runImage(final int count, final int states)
    {
        final Translator translator = b.interpreter.translator();
        final int n = Math.min(count, image.regions.size());
        final boolean onDemandAtLast = states == 1 || (images - 1) % ON_DEMAND_EVERY == 0;
        for (int pass = 0; pass < states; pass++)
        {
            final boolean last = pass == states - 1;
            final boolean noting = translator != null && BATCHES && !(last && onDemandAtLast);
            if (noting)
            {
                translator.noteEntries(true);
            }
            for (int i = pass; i < n; i += states)
            {
                run(image.regions.get(i));
            }
            if (noting)
            {
                // After the last pass nothing would run what it noted: the next image's code is new.
                if (!last)
                {
                    final long t0 = System.nanoTime();
                    counts.translatedInBatches += translator.translateNoted();
                    counts.tTranslate += System.nanoTime() - t0;
                }
                translator.noteEntries(false);
            }
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
        final Translator translator = b.interpreter.translator();
        final long t0 = System.nanoTime();
        a.start(r, image.device);
        b.start(r, image.device);
        final long t1 = System.nanoTime();
        final long exceptionsBefore = a.interpreter.exceptions();
        final long translatedBefore = translator == null ? 0 : translations(translator);
        final long retiredTranslatedBefore = translator == null ? 0 : translator.statistics().instructionsRetired();
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
        final FuzzCounts c = counts;
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
            a.restore(ramA, pristine, from, to);
            b.restore(ramB, pristine, from, to);
            c.pagesRestored++;
        }
        final long t3 = System.nanoTime();
        c.tStart += t1 - t0;
        c.tRun += t2 - t1;
        c.tCompare += t3 - t2;
        if (!diff.isEmpty())
        {
            throw new AssertionError(report(r, diff, sa));
        }
        c.regions++;
        c.retired += a.cpu.instret - r.instret;
        c.exceptions += a.interpreter.exceptions() - exceptionsBefore;
        c.stops.merge(stopA, 1L, Long::sum);
        c.finalPriv[a.cpu.priv]++;
        if (translator != null)
        {
            c.translatedOnDemand += translations(translator) - translatedBefore;
            c.retiredTranslated += translator.statistics().instructionsRetired() - retiredTranslatedBefore;
        }
        return sa;
    }

    /** @return the translator's translations so far, untranslatable entries included */
    private static long translations(final Translator translator)
    {
        return translator.statistics().regionsTranslated() + translator.statistics().untranslatable();
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

    /** @return B's translations so far (untranslatable entries included), or 0 when B does not translate. */
    private long translations()
    {
        final Translator t = b.interpreter.translator();
        return t == null ? 0 : t.statistics().regionsTranslated() + t.statistics().untranslatable();
    }

    String summary(final double seconds)
    {
        return counts.summary(seconds);
    }

    @Override
    public void close()
    {
        final Translator translator = b.interpreter.translator();
        if (translator != null)
        {
            counts.revivals = translator.statistics().revivals();
            counts.evictions = translator.statistics().evictions();
        }
        a.close();
        b.close();
    }

}
