/* isa-sv39 (bare, starts in M, tests run in S): Sv39 page tables built here.
 * Identity gigapages for devices and DRAM, a 2 MiB megapage, 4 KiB pages; load,
 * store and fetch page faults (13/15/12) with stval, misaligned superpage, W
 * without R, U pages and sstatus.SUM, accessed/dirty bits set by the page walker,
 * and SFENCE.VMA after changing a mapping. */
#include "guest.h"

const char test_name[] = "isa-sv39";

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE(pa, flags) ((((uint64_t)(pa)) >> 12) << 10 | (flags))
#define RWXAD (PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

#define VA_BASE  0x40000000UL                       /* root[1] -> l1, l1[0] -> l0 */
#define VA(n)    (VA_BASE + (n) * 0x1000UL)
#define VA_MEGA  0x40200000UL                       /* l1[1]: 2 MiB megapage */
#define VA_BADMEGA 0x40400000UL                     /* l1[2]: misaligned megapage */
#define PA_MEGA  0x80600000UL                       /* 2 MiB aligned, beyond the image */

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[512] __attribute__((aligned(4096)));
static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));
static uint64_t page_c[512] __attribute__((aligned(4096)));

/* copied nowhere: executed through its alias at VA(5) */
__attribute__((section(".text.probe"), aligned(4096), noinline))
uint64_t exec_probe(uint64_t x) { return x * 3 + 1; }

static volatile uint64_t t_count, t_cause, t_epc, t_tval;

void s_trap(struct frame *f)
{
    uint64_t cause = csr_read(scause), epc = csr_read(sepc);
    t_count++;
    t_cause = cause;
    t_epc = epc;
    t_tval = csr_read(stval);
    if (cause == 12)                                /* fetch fault: back to the caller */
        csr_write(sepc, f->x[1]);
    else
        csr_write(sepc, epc + ((*(volatile uint16_t *)epc & 3) == 3 ? 4 : 2));
}

static void reset(void) { t_count = 0; t_cause = t_epc = t_tval = ~0UL; }

static uint64_t load(uint64_t va, uint64_t *pc)
{
    uint64_t v = 0, p;
    __asm__ volatile ("lla %1, 1f\n 1: ld %0, 0(%2)" : "+&r"(v), "=&r"(p) : "r"(va) : "memory");
    if (pc) *pc = p;
    return v;
}

static void store(uint64_t va, uint64_t v, uint64_t *pc)
{
    uint64_t p;
    __asm__ volatile ("lla %0, 1f\n 1: sd %1, 0(%2)" : "=&r"(p) : "r"(v), "r"(va) : "memory");
    if (pc) *pc = p;
}

static void fault(int num, const char *name, uint64_t cause, uint64_t epc, uint64_t va)
{
    check(num, t_count == 1 && t_cause == cause && t_epc == epc && t_tval == va, name);
}

static uint64_t s_tests(uint64_t unused)
{
    (void)unused;
    uint64_t pc, v;

    csr_write(satp, (8UL << 60) | ((uint64_t)(uintptr_t)root >> 12));
    __asm__ volatile ("sfence.vma" ::: "memory");
    check(1, csr_read(satp) >> 60 == 8, "satp mode Sv39");

    /* 2..4: identity gigapage keeps us running; 4 KiB pages alias their frames */
    page_a[0] = 0xaaaa0000aaaa0000UL;
    page_b[0] = 0xbbbb0000bbbb0000UL;
    check(2, load(VA(0), 0) == 0xaaaa0000aaaa0000UL, "4 KiB page read through VA");
    store(VA(0) + 8, 0x1122334455667788UL, 0);
    check(3, page_a[1] == 0x1122334455667788UL, "4 KiB page write through VA");
    check(4, load(VA(1), 0) == 0xbbbb0000bbbb0000UL, "read-only page readable");

    /* 5..6: megapage */
    *(volatile uint64_t *)(PA_MEGA + 0x123458) = 0x4d454741UL;
    check(5, load(VA_MEGA + 0x123458, 0) == 0x4d454741UL, "2 MiB megapage read");
    store(VA_MEGA + 0x1ffff8, 0x5a5a, 0);
    check(6, *(volatile uint64_t *)(PA_MEGA + 0x1ffff8) == 0x5a5a, "2 MiB megapage write");

    /* 7..11: page faults with stval = faulting address */
    reset();
    store(VA(1) + 16, 1, &pc);
    fault(7, "store to read-only page: cause 15", 15, pc, VA(1) + 16);
    reset();
    load(VA(4) + 24, &pc);
    fault(8, "load from invalid PTE: cause 13", 13, pc, VA(4) + 24);
    reset();
    store(VA(4) + 32, 1, &pc);
    fault(9, "store to invalid PTE: cause 15", 15, pc, VA(4) + 32);
    reset();
    load(VA(0x100), &pc);
    fault(10, "load from unmapped VA: cause 13", 13, pc, VA(0x100));
    reset();
    uint64_t (*nx)(uint64_t) = (uint64_t (*)(uint64_t))VA(3);
    nx(1);
    fault(11, "fetch from non-executable page: cause 12", 12, VA(3), VA(3));

    /* 12: execute through an alias mapping */
    uint64_t (*probe)(uint64_t) = (uint64_t (*)(uint64_t))VA(5);
    reset();
    v = probe(14);
    check(12, v == 43 && t_count == 0, "execute through VA alias");

    /* 13..14: malformed PTEs */
    reset();
    load(VA_BADMEGA, &pc);
    fault(13, "misaligned megapage: cause 13", 13, pc, VA_BADMEGA);
    reset();
    load(VA(7), &pc);
    fault(14, "PTE with W but not R: cause 13", 13, pc, VA(7));

    /* 15..16: U pages from S need sstatus.SUM */
    csr_clear(sstatus, 1UL << 18);
    reset();
    load(VA(6), &pc);
    fault(15, "S load from U page without SUM: cause 13", 13, pc, VA(6));
    csr_set(sstatus, 1UL << 18);
    reset();
    v = load(VA(6), 0);
    check(16, t_count == 0 && v == 0xaaaa0000aaaa0000UL, "S load from U page with SUM");
    csr_clear(sstatus, 1UL << 18);

    /* 17..19: accessed and dirty bits set by the walker */
    check(17, (l0[2] & (PTE_A | PTE_D)) == 0, "PTE starts with A = D = 0");
    reset();
    load(VA(2), 0);
    check(18, t_count == 0 && (l0[2] & (PTE_A | PTE_D)) == PTE_A, "load sets A");
    store(VA(2), 0xc0c0, 0);
    check(19, t_count == 0 && (l0[2] & (PTE_A | PTE_D)) == (PTE_A | PTE_D) && page_c[0] == 0xc0c0, "store sets D");

    /* 20..21: change a mapping, SFENCE.VMA, see the new frame */
    check(20, load(VA(0), 0) == 0xaaaa0000aaaa0000UL, "VA(0) -> page A");
    l0[0] = PTE(page_b, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    __asm__ volatile ("sfence.vma %0, zero" :: "r"(VA(0)) : "memory");
    check(21, load(VA(0), 0) == 0xbbbb0000bbbb0000UL, "after sfence.vma VA(0) -> page B");
    l0[0] = 0;
    __asm__ volatile ("sfence.vma" ::: "memory");
    reset();
    load(VA(0), &pc);
    fault(22, "unmapped after sfence.vma: cause 13", 13, pc, VA(0));

    csr_write(satp, 0);
    __asm__ volatile ("sfence.vma" ::: "memory");
    return 0;
}

int main(void)
{
    pmp_open_all();
    root[0] = PTE(0x00000000UL, PTE_V | RWXAD);     /* devices, identity gigapage */
    root[1] = PTE(l1, PTE_V);
    root[2] = PTE(0x80000000UL, PTE_V | RWXAD);     /* DRAM, identity gigapage */
    l1[0] = PTE(l0, PTE_V);
    l1[1] = PTE(PA_MEGA, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    l1[2] = PTE(PA_MEGA + 0x1000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    l0[0] = PTE(page_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    l0[1] = PTE(page_b, PTE_V | PTE_R | PTE_A);
    l0[2] = PTE(page_c, PTE_V | PTE_R | PTE_W);
    l0[3] = PTE(page_a, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    l0[4] = PTE(page_a, PTE_R | PTE_W | PTE_A | PTE_D);              /* V = 0 */
    l0[5] = PTE((uintptr_t)exec_probe, PTE_V | PTE_R | PTE_X | PTE_A);
    l0[6] = PTE(page_a, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
    l0[7] = PTE(page_a, PTE_V | PTE_W | PTE_A | PTE_D);              /* W without R */

    csr_write(stvec, (uint64_t)(uintptr_t)trap_entry_s);
    csr_write(medeleg, (1UL << 12) | (1UL << 13) | (1UL << 15));
    run_in_mode(1, s_tests, 0);
    csr_write(medeleg, 0);
    test_pass(test_name);
}
