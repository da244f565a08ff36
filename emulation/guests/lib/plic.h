/* PLIC helpers for javisor's (and QEMU virt's) board: hart 0, context 0 = M-mode, 1 = S-mode. */
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

#endif
