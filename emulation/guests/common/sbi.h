/* SBI calls for S-mode guests. */
#ifndef SBI_H
#define SBI_H
#include <stdint.h>

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_BASE  0x10
#define SBI_EXT_TIME  0x54494D45
#define SBI_EXT_IPI   0x735049
#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_HSM   0x48534D
#define SBI_EXT_SRST  0x53525354
#define SBI_EXT_DBCN  0x4442434E

struct sbiret { long error; long value; };

static inline struct sbiret sbi_call(long eid, long fid, long a0, long a1, long a2)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r6 __asm__("a6") = fid;
    register long r7 __asm__("a7") = eid;
    __asm__ volatile ("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
    return (struct sbiret){ r0, r1 };
}

static inline long sbi_legacy_putchar(int c)
{
    register long r0 __asm__("a0") = c;
    register long r7 __asm__("a7") = SBI_EXT_LEGACY_PUTCHAR;
    __asm__ volatile ("ecall" : "+r"(r0) : "r"(r7) : "memory", "a1");
    return r0;
}

/* 1 when the firmware implements the extension */
int sbi_has(long eid);
#endif
