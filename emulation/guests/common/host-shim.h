/* Host shim for cpubench: with CPUBENCH_HOST the benchmark's kernels are built by the host's
 * C compiler and print through stdio; main's return value is the process exit code, as it is
 * the finisher's code on a bare guest. */
#ifndef HOST_SHIM_H
#define HOST_SHIM_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

static inline void console_putc(char c) { putchar(c); }
static inline void print(const char *s) { fputs(s, stdout); }
static inline void print_hex(uint64_t v) { printf("0x%016llx", (unsigned long long)v); }
static inline void print_dec(uint64_t v) { printf("%llu", (unsigned long long)v); }

#endif
