/* PLIC, timer and interrupt-wait helpers for javisor's (and QEMU virt's) board: hart 0, PLIC
 * context 0 = M-mode, 1 = S-mode.
 *
 * Drivers wait for their device's interrupt without taking a trap: mstatus.MIE stays 0, mie.MEIE
 * (and mie.MTIE for a deadline) is set, and WFI resumes the hart once mip & mie is non-zero whatever
 * MIE says. The driver then claims the source from the PLIC, acknowledges its device and completes. */
#ifndef JAVISOR_PLIC_H
#define JAVISOR_PLIC_H

#include "guest.h"

#define PLIC_BASE        0x0C000000UL
#define PLIC_PRIORITY(i) (PLIC_BASE + 4UL * (i))
#define PLIC_PENDING     (PLIC_BASE + 0x1000UL)
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000UL + 0x80UL * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000UL + 0x1000UL * (ctx))
#define PLIC_CLAIM(ctx)  (PLIC_THRESHOLD(ctx) + 4)
#define PLIC_CTX_M 0
#define PLIC_CTX_S 1

#define MIP_MTIP (1UL << 7)
#define MIP_MEIP (1UL << 11)
/* mtime and the time CSR: 10 MHz on both boards by default. A program built for javisor's finer
 * time base defines it (the disk-io guests: 1 GHz, so that their waits are a second there and
 * longer, never shorter, on a 10 MHz board). Only timeouts use it. */
#ifndef TICKS_PER_SECOND
#define TICKS_PER_SECOND 10000000UL
#endif

static inline void plic_enable(int ctx, int irq, int priority)
{
    mmio_write32(PLIC_PRIORITY(irq), (uint32_t)priority);
    uintptr_t word = PLIC_ENABLE(ctx) + 4UL * (uint32_t)(irq / 32);
    mmio_write32(word, mmio_read32(word) | 1u << (irq % 32));
    mmio_write32(PLIC_THRESHOLD(ctx), 0);
}

static inline int plic_pending(int irq)
{
    return (mmio_read32(PLIC_PENDING + 4UL * (uint32_t)(irq / 32)) >> (irq % 32)) & 1;
}

static inline int plic_claim(int ctx)
{
    return (int)mmio_read32(PLIC_CLAIM(ctx));
}

static inline void plic_complete(int ctx, int irq)
{
    mmio_write32(PLIC_CLAIM(ctx), (uint32_t)irq);
}

/* The time CSR (rdtime): mtime without a device access. */
static inline uint64_t time_now(void)
{
    uint64_t t;
    __asm__ volatile ("rdtime %0" : "=r"(t));
    return t;
}

/* Retired instructions (rdinstret, M-mode minstret). */
static inline uint64_t instret_now(void)
{
    uint64_t n;
    __asm__ volatile ("rdinstret %0" : "=r"(n));
    return n;
}

/* The deadline of the next irq_wait, in time CSR ticks (one CLINT write). mtimecmp resets to 0 on
 * QEMU, a deadline already passed, so every irq_wait needs one armed first. */
static inline void timer_arm(uint64_t deadline)
{
    mmio_write64(CLINT_MTIMECMP, deadline);
}

/* Sleep in WFI until an external interrupt is pending for M-mode (1) or the armed deadline has
 * passed (0). No trap is taken; the caller claims the source. mie.MTIE is left clear. */
static inline int irq_wait(void)
{
    csr_set(mie, MIP_MEIP | MIP_MTIP);
    int external;
    for (;;)
    {
        const uint64_t pending = csr_read(mip);
        if (pending & (MIP_MEIP | MIP_MTIP))
        {
            external = (pending & MIP_MEIP) != 0;
            break;
        }
        __asm__ volatile ("wfi" ::: "memory");
    }
    csr_clear(mie, MIP_MTIP);
    return external;
}

#endif
