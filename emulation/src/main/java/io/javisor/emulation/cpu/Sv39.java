package io.javisor.emulation.cpu;

/**
 * Sv39 address translation for one hart: the three-level page walk, hardware A/D updates and a
 * small direct-mapped software TLB.
 * <p>
 * The TLB has one entry per 4 KiB virtual page (a superpage fills an entry per 4 KiB piece it is
 * used through), keyed by the VPN, and caches the leaf PTE's flags, not a permission verdict:
 * every hit re-checks the flags against the current mode, SUM and MXR, so mode changes need no
 * flush. A store through an entry whose D bit is clear walks again so D gets set in memory.
 * ASIDs are not tracked: a satp write flushes everything.
 */
final class Sv39
{
    static final int FETCH = 0;
    static final int LOAD = 1;
    static final int STORE = 2;

    static final long PTE_V = 1;
    static final long PTE_R = 1 << 1;
    static final long PTE_W = 1 << 2;
    static final long PTE_X = 1 << 3;
    static final long PTE_U = 1 << 4;
    static final long PTE_G = 1 << 5;
    static final long PTE_A = 1 << 6;
    static final long PTE_D = 1 << 7;

    static final long SATP_MODE_SV39 = 8;

    /** Returned by {@link #translate} on a fault; {@link #faultCause} says which. */
    static final long FAULT = -1;

    private static final int TLB_BITS = 8;
    private static final int TLB_SIZE = 1 << TLB_BITS;
    private static final long PPN_MASK = (1L << 44) - 1;

    private final CpuState cpu;
    private final Bus bus;
    /** VPN + 1 of the cached page (0 = empty). */
    private final long[] tag = new long[TLB_SIZE];
    /** Physical page number of the cached 4 KiB page. */
    private final long[] ppn = new long[TLB_SIZE];
    /** The leaf PTE's low 8 flag bits. */
    private final long[] flags = new long[TLB_SIZE];
    private boolean cachedSuperpage;
    /** Translated code's inline subset of this TLB, or null; kept a subset by clearing its slots. */
    private io.javisor.emulation.jit.InlineTlb inline;

    /** The exception cause of the last failed {@link #translate}. */
    int faultCause;

    Sv39(final CpuState cpu, final Bus bus)
    {
        this.cpu = cpu;
        this.bus = bus;
    }

    /**
     * The privilege loads and stores are checked with: MPP when MPRV is set (only M can have it
     * set, as MRET and SRET to a lower mode clear it), otherwise the current mode.
     */
    private int effectivePriv(final int access)
    {
        if (access != FETCH && (cpu.mstatus & CpuState.MSTATUS_MPRV) != 0)
        {
            return (int)((cpu.mstatus & CpuState.MSTATUS_MPP) >>> CpuState.MSTATUS_MPP_SHIFT);
        }
        return cpu.priv;
    }

    /** Keep {@code tlb} a subset of this TLB from now on (its slots cleared as these change). */
    void setInlineTlb(final io.javisor.emulation.jit.InlineTlb tlb)
    {
        assert io.javisor.emulation.jit.InlineTlb.SLOTS == TLB_SIZE;
        this.inline = tlb;
        tlb.clearAll();
    }

    /**
     * The key of the state the inline TLB's verdicts depend on: the privilege of data accesses (MPRV
     * and MPP included) and SUM and MXR.
     */
    long inlineStateKey()
    {
        return effectivePriv(LOAD) | (cpu.mstatus & (CpuState.MSTATUS_SUM | CpuState.MSTATUS_MXR));
    }

    /**
     * After a successful data translation of {@code va} to the RAM page at host address {@code host}:
     * copy this TLB's entry for it into the inline TLB with its load and store verdicts.
     */
    void fillInline(final long va, final long pa, final long host)
    {
        final long vpn = (va >>> 12) & ((1L << 27) - 1);
        final int slot = (int)(vpn & (TLB_SIZE - 1));
        if (inline == null || tag[slot] != vpn + 1 || (va << 25 >> 25) != va)
        {
            return;
        }
        final int priv = effectivePriv(LOAD);
        final long f = flags[slot];
        inline.fill(va, pa, host, allowed(f, LOAD, priv), (f & PTE_D) != 0 && allowed(f, STORE, priv));
    }

    /** @return whether accesses of this kind are untranslated now (M-mode, or satp bare). */
    boolean isBare(final int access)
    {
        return effectivePriv(access) == CpuState.PRIV_M || cpu.satp >>> 60 != SATP_MODE_SV39;
    }

    void flushAll()
    {
        java.util.Arrays.fill(tag, 0);
        cachedSuperpage = false;
        if (inline != null)
        {
            inline.clearAll();
        }
    }

    /** SFENCE.VMA with an address: drop whatever may translate it. */
    void flush(final long va)
    {
        if (cachedSuperpage)
        {
            flushAll();
            return;
        }
        final long vpn = (va >>> 12) & ((1L << 27) - 1);
        final int slot = (int)(vpn & (TLB_SIZE - 1));
        if (tag[slot] == vpn + 1)
        {
            tag[slot] = 0;
            if (inline != null)
            {
                inline.clear(slot);
            }
        }
    }

    /**
     * Translate a virtual address for one access kind.
     *
     * @return the physical address, or {@link #FAULT} with {@link #faultCause} set
     */
    long translate(final long va, final int access)
    {
        final int priv = effectivePriv(access);
        if (priv == CpuState.PRIV_M || cpu.satp >>> 60 != SATP_MODE_SV39)
        {
            return va;
        }
        // Bits 63:39 must all equal bit 38.
        if ((va << 25 >> 25) != va)
        {
            return fault(access, true);
        }
        final long vpn = (va >>> 12) & ((1L << 27) - 1);
        final int slot = (int)(vpn & (TLB_SIZE - 1));
        if (tag[slot] == vpn + 1 && (access != STORE || (flags[slot] & PTE_D) != 0))
        {
            if (!allowed(flags[slot], access, priv))
            {
                return fault(access, true);
            }
            return ppn[slot] << 12 | (va & 0xFFF);
        }
        return walk(va, vpn, slot, access, priv);
    }

    private long walk(final long va, final long vpn, final int slot, final int access, final int priv)
    {
        long table = (cpu.satp & PPN_MASK) << 12;
        for (int level = 2; level >= 0; level--)
        {
            final long pteAddr = table + ((vpn >>> (9 * level)) & 0x1FF) * 8;
            long pte = bus.load64(pteAddr);
            if (bus.takeFault())
            {
                return fault(access, false);
            }
            if ((pte & PTE_V) == 0 || (pte & (PTE_R | PTE_W)) == PTE_W || pte >>> 54 != 0)
            {
                return fault(access, true);
            }
            final long pteppn = (pte >>> 10) & PPN_MASK;
            if ((pte & (PTE_R | PTE_X)) == 0)
            {
                // Pointer to the next level. (Its A, D and U bits are reserved; they are ignored.)
                table = pteppn << 12;
                continue;
            }
            // Leaf. A superpage's PPN must be aligned to its size.
            final long lowMask = (1L << (9 * level)) - 1;
            if ((pteppn & lowMask) != 0)
            {
                return fault(access, true);
            }
            if (!allowed(pte, access, priv))
            {
                return fault(access, true);
            }
            final long need = PTE_A | (access == STORE ? PTE_D : 0);
            if ((pte & need) != need)
            {
                pte |= need;
                bus.store64(pteAddr, pte);
                if (bus.takeFault())
                {
                    return fault(access, false);
                }
            }
            final long page = pteppn | (vpn & lowMask);
            if (inline != null)
            {
                inline.clear(slot);
            }
            tag[slot] = vpn + 1;
            ppn[slot] = page;
            flags[slot] = pte & 0xFF;
            if (level > 0)
            {
                cachedSuperpage = true;
            }
            return page << 12 | (va & 0xFFF);
        }
        return fault(access, true);
    }

    private boolean allowed(final long pte, final int access, final int priv)
    {
        final long s = cpu.mstatus;
        if ((pte & PTE_U) != 0)
        {
            // S may touch user pages only for loads/stores, and only with SUM.
            if (priv == CpuState.PRIV_S && (access == FETCH || (s & CpuState.MSTATUS_SUM) == 0))
            {
                return false;
            }
        }
        else if (priv == CpuState.PRIV_U)
        {
            return false;
        }
        switch (access)
        {
            case FETCH: return (pte & PTE_X) != 0;
            case LOAD:
                return (pte & PTE_R) != 0 || (s & CpuState.MSTATUS_MXR) != 0 && (pte & PTE_X) != 0;
            default: return (pte & PTE_W) != 0;
        }
    }

    private long fault(final int access, final boolean page)
    {
        if (page)
        {
            faultCause = access == FETCH ? Interpreter.CAUSE_FETCH_PAGE_FAULT :
                access == LOAD ? Interpreter.CAUSE_LOAD_PAGE_FAULT : Interpreter.CAUSE_STORE_PAGE_FAULT;
        }
        else
        {
            faultCause = access == FETCH ? Interpreter.CAUSE_FETCH_ACCESS :
                access == LOAD ? Interpreter.CAUSE_LOAD_ACCESS : Interpreter.CAUSE_STORE_ACCESS;
        }
        return FAULT;
    }
}
