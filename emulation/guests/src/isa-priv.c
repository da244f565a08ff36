/* isa-priv (bare, starts in M): privilege levels. MRET into S and U, ecall causes
 * 8/9, illegal CSR accesses from lower modes, medeleg/mideleg delegation to stvec,
 * SRET from S into U, mstatus.MPP/MPIE after MRET, mcounteren/scounteren. */
#include "guest.h"

const char test_name[] = "isa-priv";

#define MODE_U 0
#define MODE_S 1

struct trap { volatile uint64_t count, cause, epc, tval, status; };
static struct trap mt, st;

static void record(struct trap *t, uint64_t cause, uint64_t epc, uint64_t tval, uint64_t status)
{
    t->count++;
    t->cause = cause;
    t->epc = epc;
    t->tval = tval;
    t->status = status;
}

static uint64_t next_pc(uint64_t epc)
{
    return epc + ((*(volatile uint16_t *)epc & 3) == 3 ? 4 : 2);
}

void m_trap(struct frame *f)
{
    (void)f;
    uint64_t epc = csr_read(mepc);
    record(&mt, csr_read(mcause), epc, csr_read(mtval), csr_read(mstatus));
    csr_write(mepc, next_pc(epc));
}

void s_trap(struct frame *f)
{
    (void)f;
    uint64_t cause = csr_read(scause), epc = csr_read(sepc);
    record(&st, cause, epc, csr_read(stval), csr_read(sstatus));
    if ((int64_t)cause < 0)
        csr_clear(sip, 1UL << 1);                   /* supervisor software interrupt */
    else
        csr_write(sepc, next_pc(epc));
}

static void reset(void)
{
    memset(&mt, 0, sizeof mt);
    memset(&st, 0, sizeof st);
}

/* ---- code that runs in S or U ---- */
static uint64_t do_ecall(uint64_t ret)
{
    __asm__ volatile ("li a7, 0\n ecall" ::: "a0", "a7", "memory");
    return ret;
}

static uint64_t read_sstatus(uint64_t unused)
{
    (void)unused;
    return csr_read(sstatus);
}

static uint64_t read_mstatus(uint64_t unused)
{
    (void)unused;
    return csr_read(mstatus);
}

static uint64_t sscratch_roundtrip(uint64_t v)
{
    csr_write(sscratch, v);
    return csr_read(sscratch);
}

static uint64_t read_counters(uint64_t unused)
{
    (void)unused;
    uint64_t c = csr_read(cycle), i = csr_read(instret);
    return c + i;
}

static uint64_t read_time(uint64_t unused)
{
    (void)unused;
    return csr_read(time);
}

static uint64_t u_entry(uint64_t v) { return do_ecall(v + 1); }

/* S: SRET into U at u_entry(arg); u_entry returns to M through run_return */
static uint64_t s_sret_to_u(uint64_t arg)
{
    csr_write(sepc, (uint64_t)(uintptr_t)u_entry);
    csr_clear(sstatus, 1UL << 8);                   /* SPP = U */
    __asm__ volatile ("mv a0, %0\n la ra, run_return\n sret" :: "r"(arg) : "a0", "ra", "memory");
    __builtin_unreachable();
}

/* S: raise a supervisor software interrupt on itself and take it */
static uint64_t s_software_interrupt(uint64_t unused)
{
    (void)unused;
    csr_set(sie, 1UL << 1);
    csr_set(sip, 1UL << 1);
    csr_set(sstatus, 1UL << 1);                     /* SIE */
    for (int i = 0; i < 1000 && st.count == 0; i++)
        ;
    csr_clear(sstatus, 1UL << 1);
    return csr_read(sip) & 2;
}

int main(void)
{
    pmp_open_all();
    csr_write(stvec, (uint64_t)(uintptr_t)trap_entry_s);
    csr_write(medeleg, 0);
    csr_write(mideleg, 0);

    /* 1..4: ecall from S and U reach M with causes 9 and 8; MPP names the mode */
    reset();
    uint64_t r = run_in_mode(MODE_S, do_ecall, 42);
    check(1, r == 42, "run_in_mode(S) returns the function's value");
    check(2, mt.count == 1 && mt.cause == 9 && ((mt.status >> 11) & 3) == 1, "ecall from S: cause 9, MPP = S");
    reset();
    r = run_in_mode(MODE_U, do_ecall, 7);
    check(3, r == 7, "run_in_mode(U) returns the function's value");
    check(4, mt.count == 1 && mt.cause == 8 && ((mt.status >> 11) & 3) == 0, "ecall from U: cause 8, MPP = U");

    /* 5..8: CSR privilege */
    reset();
    run_in_mode(MODE_U, read_sstatus, 0);
    check(5, mt.count == 1 && mt.cause == 2, "U reads sstatus: illegal instruction");
    reset();
    run_in_mode(MODE_S, read_mstatus, 0);
    check(6, mt.count == 1 && mt.cause == 2, "S reads mstatus: illegal instruction");
    reset();
    run_in_mode(MODE_S, read_sstatus, 0);
    check(7, mt.count == 0, "S reads sstatus");
    r = run_in_mode(MODE_S, sscratch_roundtrip, 0x5a5aa5a5deadbeefUL);
    check(8, mt.count == 0 && r == 0x5a5aa5a5deadbeefUL && csr_read(sscratch) == r, "S writes sscratch");

    /* 9..12: medeleg: U ecall and illegal instruction handled in S */
    csr_write(medeleg, (1UL << 8) | (1UL << 2));
    check(9, csr_read(medeleg) == ((1UL << 8) | (1UL << 2)), "medeleg bits 2 and 8 writable");
    reset();
    r = run_in_mode(MODE_U, do_ecall, 3);
    check(10, r == 3 && mt.count == 0 && st.count == 1 && st.cause == 8, "delegated U ecall: scause 8 in S");
    check(11, ((st.status >> 8) & 1) == 0, "delegated trap from U: sstatus.SPP = U");
    reset();
    run_in_mode(MODE_U, read_sstatus, 0);
    check(12, mt.count == 0 && st.count == 1 && st.cause == 2, "delegated illegal instruction: scause 2");
    csr_write(medeleg, 0);

    /* 13: SRET from S into U; U's ecall reaches M as cause 8 */
    reset();
    r = run_in_mode(MODE_S, s_sret_to_u, 9);
    check(13, r == 10 && mt.count == 1 && mt.cause == 8, "SRET to U: U ecall cause 8");

    /* 14..15: mideleg: S software interrupt taken in S */
    csr_write(mideleg, 1UL << 1);
    check(14, (csr_read(mideleg) & 2) == 2, "mideleg.SSIP writable");
    reset();
    r = run_in_mode(MODE_S, s_software_interrupt, 0);
    check(15, r == 0 && st.count == 1 && st.cause == 0x8000000000000001UL && mt.count == 0, "SSI taken in S: scause 0x8000000000000001");
    csr_write(mideleg, 0);
    csr_clear(sie, 2);

    /* 16..17: MRET to M: MPP becomes U (least-privileged mode), MIE = MPIE, MPIE = 1 */
    csr_clear(mstatus, 1UL << 3);
    csr_set(mstatus, 3UL << 11);
    csr_clear(mstatus, 1UL << 7);
    __asm__ volatile ("lla t0, 1f\n csrw mepc, t0\n mret\n 1:" ::: "t0", "memory");
    uint64_t ms = csr_read(mstatus);
    check(16, ((ms >> 11) & 3) == 0, "after MRET: MPP = U");
    check(17, ((ms >> 7) & 1) == 1 && ((ms >> 3) & 1) == 0, "after MRET: MPIE = 1, MIE = old MPIE");

    /* 18..23: counter enables */
    csr_write(mcounteren, 0);
    csr_write(scounteren, 0);
    reset();
    run_in_mode(MODE_S, read_counters, 0);
    check(18, mt.count == 2 && mt.cause == 2, "S reads cycle/instret with mcounteren = 0: illegal");
    csr_write(mcounteren, 5);
    reset();
    run_in_mode(MODE_S, read_counters, 0);
    check(19, mt.count == 0, "S reads cycle/instret with mcounteren.CY/IR");
    reset();
    run_in_mode(MODE_U, read_counters, 0);
    check(20, mt.count == 2 && mt.cause == 2, "U reads cycle/instret with scounteren = 0: illegal");
    csr_write(scounteren, 5);
    reset();
    run_in_mode(MODE_U, read_counters, 0);
    check(21, mt.count == 0, "U reads cycle/instret with both enables");
    reset();
    run_in_mode(MODE_U, read_time, 0);
    check(22, mt.count == 1 && mt.cause == 2, "U reads time with TM clear: illegal");
    csr_write(mcounteren, 7);
    csr_write(scounteren, 7);
    reset();
    run_in_mode(MODE_U, read_time, 0);
    check(23, mt.count == 0, "U reads time with TM set");
    csr_write(mcounteren, 0);
    csr_write(scounteren, 0);

    test_pass(test_name);
}
