/* isa-interrupt (bare, M-mode): CLINT software (msip) and timer (mtimecmp)
 * interrupts: mip/mie bits, masking by mstatus.MIE, WFI waking on a pending timer
 * interrupt, interrupts taken with the right mcause, MSI before MTI. */
#include "guest.h"

const char test_name[] = "isa-interrupt";

#define MSIP_BIT (1UL << 3)
#define MTIP_BIT (1UL << 7)
#define MEIP_BIT (1UL << 11)
#define INTR     0x8000000000000000UL

static volatile uint64_t t_count, t_first, t_last;

static uint64_t mtime(void) { return mmio_read64(CLINT_MTIME); }
static void set_mtimecmp(uint64_t v) { mmio_write64(CLINT_MTIMECMP, v); }

void m_trap(struct frame *f)
{
    (void)f;
    uint64_t cause = csr_read(mcause);
    if (t_count++ == 0)
        t_first = cause;
    t_last = cause;
    if (cause == (INTR | 3))
        mmio_write32(CLINT_MSIP, 0);
    else if (cause == (INTR | 7))
        set_mtimecmp(~0UL);
    else
        test_fail(90, "unexpected trap");
}

static void spin(int n)
{
    for (volatile int i = 0; i < n; i++)
        ;
}

int main(void)
{
    csr_clear(mstatus, 1UL << 3);
    set_mtimecmp(~0UL);
    mmio_write32(CLINT_MSIP, 0);

    /* 1..3: mie bits and mip.MSIP following the CLINT msip register */
    csr_write(mie, MSIP_BIT | MTIP_BIT | MEIP_BIT);
    check(1, (csr_read(mie) & (MSIP_BIT | MTIP_BIT | MEIP_BIT)) == (MSIP_BIT | MTIP_BIT | MEIP_BIT), "mie MSIE/MTIE/MEIE writable");
    csr_write(mie, 0);
    check(2, (csr_read(mip) & MSIP_BIT) == 0, "mip.MSIP clear");
    mmio_write32(CLINT_MSIP, 1);
    check(3, (csr_read(mip) & MSIP_BIT) != 0 && mmio_read32(CLINT_MSIP) == 1, "msip = 1 sets mip.MSIP");

    /* 4..6: pending but masked (mie.MSIE = 0, then mstatus.MIE = 0): not taken */
    csr_set(mstatus, 1UL << 3);
    spin(1000);
    csr_clear(mstatus, 1UL << 3);
    check(4, t_count == 0, "MSI masked by mie.MSIE");
    csr_set(mie, MSIP_BIT);
    spin(1000);
    check(5, t_count == 0, "MSI masked by mstatus.MIE");
    csr_set(mstatus, 1UL << 3);
    for (int i = 0; i < 100000 && t_count == 0; i++)
        ;
    csr_clear(mstatus, 1UL << 3);
    check(6, t_count == 1 && t_last == (INTR | 3), "MSI taken: mcause 0x8000000000000003");
    check(7, (csr_read(mip) & MSIP_BIT) == 0, "msip = 0 clears mip.MSIP");
    csr_write(mie, 0);

    /* 8..10: mip.MTIP follows mtime >= mtimecmp */
    check(8, (csr_read(mip) & MTIP_BIT) == 0, "mtimecmp = -1: MTIP clear");
    uint64_t t0 = mtime();
    spin(10000);
    check(9, mtime() > t0, "mtime advances");
    set_mtimecmp(0);
    check(10, (csr_read(mip) & MTIP_BIT) != 0, "mtimecmp = 0: MTIP set");
    set_mtimecmp(~0UL);
    check(11, (csr_read(mip) & MTIP_BIT) == 0, "mtimecmp = -1 again: MTIP clear");

    /* 12..13: WFI wakes on an enabled pending timer interrupt even with mstatus.MIE = 0 */
    csr_write(mie, MTIP_BIT);
    uint64_t deadline = mtime() + 20000;               /* 2 ms at 10 MHz */
    set_mtimecmp(deadline);
    int wakes = 0;
    while (!(csr_read(mip) & MTIP_BIT) && wakes < 1000000) {
        __asm__ volatile ("wfi");
        wakes++;
    }
    check(12, (csr_read(mip) & MTIP_BIT) != 0 && mtime() >= deadline, "WFI wakes on MTIP");
    check(13, t_count == 1, "no trap with mstatus.MIE = 0");

    /* 14..15: timer interrupt taken from WFI */
    set_mtimecmp(mtime() + 20000);
    t_count = 0;
    csr_set(mstatus, 1UL << 3);
    while (t_count == 0)
        __asm__ volatile ("wfi");
    csr_clear(mstatus, 1UL << 3);
    check(14, t_count == 1 && t_last == (INTR | 7), "MTI taken: mcause 0x8000000000000007");
    check(15, (csr_read(mip) & MTIP_BIT) == 0, "handler's mtimecmp write clears MTIP");

    /* 16..17: MSI and MTI both pending: MSI is taken first */
    t_count = 0;
    mmio_write32(CLINT_MSIP, 1);
    set_mtimecmp(0);
    csr_write(mie, MSIP_BIT | MTIP_BIT);
    check(16, (csr_read(mip) & (MSIP_BIT | MTIP_BIT)) == (MSIP_BIT | MTIP_BIT), "MSIP and MTIP pending");
    csr_set(mstatus, 1UL << 3);
    for (int i = 0; i < 100000 && t_count < 2; i++)
        ;
    csr_clear(mstatus, 1UL << 3);
    check(17, t_count == 2 && t_first == (INTR | 3) && t_last == (INTR | 7), "MSI before MTI");
    csr_write(mie, 0);

    test_pass(test_name);
}
