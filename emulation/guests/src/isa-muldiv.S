/* isa-muldiv (bare, M-mode): the M extension, incl. high halves, W forms,
 * division by zero and signed overflow. */
    .file "isa-muldiv.S"
#include "asmtest.h"

BEGIN_TESTS isa-muldiv
    TEST_RR  1, mul,    21, 3, 7
    TEST_RR  2, mul,    1, -1, -1
    TEST_RR  3, mul,    0x8000000000000000, 0x8000000000000000, -1
    TEST_RR  4, mul,    0xfffffffffffffffe, 0x7fffffffffffffff, 2
    TEST_RR  5, mul,    0x2236d88fe5618cf0, 0x123456789abcdef0, 0x0fedcba987654321
    TEST_RR  6, mulh,   0, -1, -1
    TEST_RR  7, mulh,   0x4000000000000000, 0x8000000000000000, 0x8000000000000000
    TEST_RR  8, mulh,   0xffffffffffffffff, 0x8000000000000000, 1
    TEST_RR  9, mulh,   0x3fffffffffffffff, 0x7fffffffffffffff, 0x7fffffffffffffff
    TEST_RR 10, mulhu,  0xfffffffffffffffe, -1, -1
    TEST_RR 11, mulhu,  1, 0x8000000000000000, 2
    TEST_RR 12, mulhu,  0, 0xffffffff, 0xffffffff
    TEST_RR 13, mulhsu, 0xffffffffffffffff, -1, -1
    TEST_RR 14, mulhsu, 0xffffffffffffffff, 0x8000000000000000, 2
    TEST_RR 15, mulhsu, 0, 1, -1
    TEST_RR 16, mulhsu, 1, 2, 0x8000000000000000
    TEST_RR 17, mulhsu, 0xffffffffffffffff, -2, 0x8000000000000000
    TEST_RR 18, mulw,   0xfffffffffffffffe, 0x7fffffff, 2
    TEST_RR 19, mulw,   1, 0x100000001, 0x100000001
    TEST_RR 20, mulw,   0, 0x10000, 0x10000
    TEST_RR 21, mulw,   0xffffffff80000000, 0x8000, 0x10000
    /* division truncates towards zero; remainder has the dividend's sign */
    TEST_RR 22, div,    3, 20, 6
    TEST_RR 23, div,    -3, -20, 6
    TEST_RR 24, div,    -3, 20, -6
    TEST_RR 25, div,    3, -20, -6
    TEST_RR 26, rem,    -2, -20, 6
    TEST_RR 27, rem,    2, 20, -6
    TEST_RR 28, divu,   0x7fffffffffffffff, -1, 2
    TEST_RR 29, remu,   1, -1, 2
    TEST_RR 30, divu,   0, 5, -1
    TEST_RR 31, remu,   5, 5, -1
    /* divide by zero: quotient all ones, remainder the dividend */
    TEST_RR 32, div,    -1, 1234, 0
    TEST_RR 33, div,    -1, -1234, 0
    TEST_RR 34, divu,   0xffffffffffffffff, 1234, 0
    TEST_RR 35, rem,    -1234, -1234, 0
    TEST_RR 36, remu,   0x8000000000000000, 0x8000000000000000, 0
    /* signed overflow: quotient the dividend, remainder 0 */
    TEST_RR 37, div,    0x8000000000000000, 0x8000000000000000, -1
    TEST_RR 38, rem,    0, 0x8000000000000000, -1
    /* W forms use the low 32 bits and sign-extend the 32-bit result */
    TEST_RR 39, divw,   3, 0x100000014, 6
    TEST_RR 40, divw,   -3, -20, 6
    TEST_RR 41, divw,   0xffffffff80000000, 0x80000000, -1
    TEST_RR 42, remw,   0, 0x80000000, -1
    TEST_RR 43, divw,   -1, 0x123456789, 0
    TEST_RR 44, divuw,  0xffffffffffffffff, 0x123456789, 0
    TEST_RR 45, remw,   0x23456789, 0x123456789, 0
    TEST_RR 46, remuw,  0xfffffffff0000000, 0x00000000f0000000, 0
    TEST_RR 47, remw,   0xfffffffff0000000, 0x12345678f0000000, 0
    TEST_RR 48, divuw,  0x7fffffff, 0xffffffff, 2
    TEST_RR 49, divuw,  0xfffffffffffffffe, 0xfffffffe, 1
    TEST_RR 50, remuw,  7, 0x80000007, 0x10
    TEST_RR 51, remw,   -1, -7, 2
    TEST_RR 52, divw,   -2, 7, 0xfffffffd
    TEST_RR 53, divuw,  0, 7, 0xfffffffd
    TEST_RR_SAME 54, mul, 0x0000000000000090, 12
    TEST_RR_SAME 55, div, 1, -9
END_TESTS
