/* Printing, checks and the C library bits the compiler may call. */
#include "guest.h"

void print(const char *s) { while (*s) console_putc(*s++); }
void println(const char *s) { print(s); console_putc('\n'); }

void print_hex(uint64_t v)
{
    print("0x");
    for (int i = 60; i >= 0; i -= 4)
        console_putc("0123456789abcdef"[(v >> i) & 0xf]);
}

void print_dec(uint64_t v)
{
    char buf[24];
    int n = 0;
    do { buf[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) console_putc(buf[--n]);
}

void test_fail(int num, const char *name)
{
    print(test_name); print(": FAIL check "); print_dec((uint64_t)num);
    print(" ("); print(name); println(")");
    guest_exit(num);
}

void check(int num, int ok, const char *name)
{
    if (!ok) test_fail(num, name);
}

void test_pass(const char *test)
{
    print(test); println(": PASS");
    guest_exit(0);
}

void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--) *p++ = *q++;
    return d;
}
