package io.javisor.emulation.fuzz;

import io.javisor.emulation.cpu.RamBus;

/**
 * Where things live in the fuzzer's 64 KiB guest: every region, on both machines, sees this map.
 * <pre>
 *   page 0        M trap handler (+0x000), S trap handler (+0x200)
 *   page 1        subroutines ("pads") in its first 1 KiB, then region code
 *   pages 2..5    region code
 *   pages 6..8    Sv39 page tables: root, level 1, level 0
 *   pages 9..15   data (page 15 ends RAM)
 * </pre>
 * Under Sv39 RAM is identity-mapped, so a pointer means the same in M-mode and in S/U-mode; the
 * same data pages are also reachable through aliases: a 1 GiB page at {@link #GIGA_ALIAS}, a 2 MiB
 * page at {@link #MEGA_ALIAS} and 4 KiB pages at {@link #PAGE_ALIAS} (which is outside RAM
 * physically, so the same address faults in bare mode). A 1 GiB page maps the MMIO window 1:1.
 */
final class FuzzLayout
{
    static final long BASE = RamBus.RAM_BASE;
    static final int PAGE = 4096;
    static final int PAGES = 16;
    static final int RAM_SIZE = PAGES * PAGE;
    static final long RAM_END = BASE + RAM_SIZE;

    static final long M_HANDLER = BASE;
    static final long S_HANDLER = BASE + 0x200;
    static final long PADS = BASE + 0x1000;
    static final long PADS_END = BASE + 0x1400;
    static final long CODE = PADS_END;
    static final long CODE_END = BASE + 6 * PAGE;
    static final int FIRST_CODE_PAGE = 1;
    static final int LAST_CODE_PAGE = 5;

    static final int ROOT_PAGE = 6;
    static final int L1_PAGE = 7;
    static final int L0_PAGE = 8;
    static final long ROOT = BASE + ROOT_PAGE * PAGE;
    static final long L1 = BASE + L1_PAGE * PAGE;
    static final long L0 = BASE + L0_PAGE * PAGE;
    static final int FIRST_DATA_PAGE = 9;
    static final int LAST_DATA_PAGE = 15;

    /** The scratch device ({@link ScratchDevice}): a window outside RAM that the bus routes to a model. */
    static final long MMIO = 0x1000_0000L;

    /** root[1]: a gigapage onto RAM's base. */
    static final long GIGA_ALIAS = 0x4000_0000L;
    /** L1[1]: a megapage onto RAM's base. */
    static final long MEGA_ALIAS = BASE + 0x20_0000L;
    /** L0[16..31]: 4 KiB pages onto the data pages, just past RAM's identity map. */
    static final long PAGE_ALIAS = BASE + 0x1_0000L;
    static final int ALIAS_PAGES = 16;

    static final long V = 1, R = 2, W = 4, X = 8, U = 16, G = 32, A = 64, D = 128;
    static final long SATP_SV39 = 8L << 60 | ROOT >>> 12;

    static long pagePa(final int page)
    {
        return BASE + (long)page * PAGE;
    }

    static boolean isCodePage(final int page)
    {
        return page >= 0 && page <= LAST_CODE_PAGE;
    }

    /** A PTE pointing at the next level. */
    static long pointer(final long tablePa)
    {
        return tablePa >>> 12 << 10 | V;
    }

    /** A leaf PTE. */
    static long leaf(final long pa, final long flags)
    {
        return pa >>> 12 << 10 | flags;
    }

    private FuzzLayout()
    {
    }
}
