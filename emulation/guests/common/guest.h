/* Tiny freestanding runtime shared by all javisor guests. */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>
#include <stddef.h>

#define UART0       0x10000000UL
#define FINISHER    0x00100000UL
#define CLINT       0x02000000UL
#define CLINT_MSIP  (CLINT + 0x0)
#define CLINT_MTIMECMP (CLINT + 0x4000)
#define CLINT_MTIME (CLINT + 0xBFF8)

#define csr_read(csr) ({ uint64_t v_; __asm__ volatile ("csrr %0, " #csr : "=r"(v_) :: "memory"); v_; })
#define csr_write(csr, v) __asm__ volatile ("csrw " #csr ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile ("csrs " #csr ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile ("csrc " #csr ", %0" :: "rK"((uint64_t)(v)) : "memory")

static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline uint64_t mmio_read64(uintptr_t a) { return *(volatile uint64_t *)a; }

/* console (UART for bare guests, SBI for sbi guests) */
void console_putc(char c);
void print(const char *s);
void print_hex(uint64_t v);     /* 0x + 16 digits */
void print_dec(uint64_t v);
void println(const char *s);

/* leave the machine: 0 = pass, otherwise failure with that exit code */
__attribute__((noreturn)) void guest_exit(int code);

/* ISA tests: each check has a number; the first failing one ends the run */
void check(int num, int ok, const char *name);
__attribute__((noreturn)) void test_fail(int num, const char *name);
__attribute__((noreturn)) void test_pass(const char *test);
extern const char test_name[];

/* traps (bare guests): x1..x31 as saved on entry; the handler may change them */
struct frame { uint64_t x[32]; };
void m_trap(struct frame *f);                 /* weak default: unexpected trap -> fail 99 */
void s_trap(struct frame *f);                 /* weak default: unexpected trap -> fail 98 */
extern char trap_entry_m[], trap_entry_s[], trap_vector_m[];
extern volatile uint64_t trap_vector_slot;    /* set by vectored-mode interrupt slots */
/* run fn(arg) in mode 0 (U) or 1 (S); it returns to M through an ecall with a7 = RUN_MAGIC */
#define RUN_MAGIC 0x4a565254
uint64_t run_in_mode(int mode, uint64_t (*fn)(uint64_t), uint64_t arg);
void pmp_open_all(void);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#endif
