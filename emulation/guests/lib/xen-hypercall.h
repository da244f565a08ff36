/* Hypercall wrappers (xen-abi.h): one ecall each, counted in xen_hypercalls. */
#ifndef XEN_HYPERCALL_H
#define XEN_HYPERCALL_H

#include "xen-abi.h"

struct xen_ret { long error; long value; long value2; long value3; };

/* Hypercalls made so far: the exits a PV driver costs. */
extern uint64_t xen_hypercalls;

static inline struct xen_ret xen_call(long fid, long a0, long a1, long a2)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r3 __asm__("a3") = 0;
    register long r6 __asm__("a6") = fid;
    register long r7 __asm__("a7") = XEN_EID;
    xen_hypercalls++;
    __asm__ volatile ("ecall" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : "r"(r6), "r"(r7) : "memory");
    return (struct xen_ret){ r0, r1, r2, r3 };
}

/* A full barrier as an AMO with aq and rl (sequentially consistent, a full fence on RISC-V): on
 * javisor an AMO is one atomic host operation, which also orders the host's view of the stores
 * before it and the loads after it, whatever the translator makes of a FENCE. */
extern uint32_t xen_barrier_word;
#define xen_mb()  ((void)__atomic_fetch_or(&xen_barrier_word, 0, __ATOMIC_SEQ_CST))
#define xen_wmb() __asm__ volatile ("fence w,w" ::: "memory")
#define xen_rmb() __asm__ volatile ("fence r,r" ::: "memory")

/* The time CSR: 10 MHz ticks, the unit of XEN_SCHED_POLL deadlines. */
static inline uint64_t xen_time(void)
{
    uint64_t t;
    __asm__ volatile ("rdtime %0" : "=r"(t));
    return t;
}
#ifndef XEN_TICKS_PER_MS
#define XEN_TICKS_PER_MS 10000UL
#endif

static inline long xen_param(long param) { struct xen_ret r = xen_call(XEN_PARAM_GET, param, 0, 0); return r.error ? r.error : r.value; }
static inline long xen_shutdown(long reason) { return xen_call(XEN_SCHED_SHUTDOWN, reason, 0, 0).error; }

#endif
