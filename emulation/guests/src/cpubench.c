/* cpubench (bare): a deterministic integer CPU benchmark. Four kernels (multiply/
 * divide chain, 32x32 matrix multiply, bitwise CRC32, heapsort of xorshift data),
 * one checksum each and a combined one. BENCH_SCALE sets the work: 200 (default, about a second on QEMU TCG here)
 * retires 2,770,550,048 instructions; cpubench-small builds with 1. */
#include "guest.h"

#ifndef BENCH_SCALE
#define BENCH_SCALE 200
#endif

#define MD_ITERS     (30000UL * BENCH_SCALE)
#define MM_N         32
#define MM_REPS      (20 * BENCH_SCALE)
#define CRC_BYTES    16384
#define CRC_PASSES   (4 * BENCH_SCALE)
#define SORT_N       4096
#define SORT_REPS    (4 * BENCH_SCALE)

static uint64_t xs_state;

static uint64_t xorshift64(void)
{
    uint64_t x = xs_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return xs_state = x;
}

static uint64_t bench_muldiv(void)
{
    uint64_t a = 0x9e3779b97f4a7c15UL, acc = 1;
    for (uint64_t i = 1; i <= MD_ITERS; i++) {
        a = a * 6364136223846793005UL + 1442695040888963407UL;
        uint64_t d = (a >> 40) | 1;
        acc += a / d;
        acc ^= (uint64_t)((int64_t)acc % (int64_t)(i | 3));
        acc = acc * 31 + (uint32_t)(a >> 32) / (uint32_t)(i + 7);
    }
    return acc;
}

static int32_t mat_a[MM_N][MM_N], mat_b[MM_N][MM_N], mat_c[MM_N][MM_N];

static uint64_t bench_matmul(void)
{
    xs_state = 0x2545f4914f6cdd1dUL;
    for (int i = 0; i < MM_N; i++)
        for (int j = 0; j < MM_N; j++) {
            mat_a[i][j] = (int32_t)(xorshift64() % 2001) - 1000;
            mat_b[i][j] = (int32_t)(xorshift64() % 2001) - 1000;
        }
    uint64_t sum = 0;
    for (int r = 0; r < MM_REPS; r++) {
        for (int i = 0; i < MM_N; i++)
            for (int j = 0; j < MM_N; j++) {
                int32_t s = 0;
                for (int k = 0; k < MM_N; k++)
                    s += mat_a[i][k] * mat_b[k][j];
                mat_c[i][j] = s;
            }
        for (int i = 0; i < MM_N; i++) {          /* feed back so reps differ */
            sum = sum * 1099511628211UL + (uint32_t)mat_c[i][(i + r) % MM_N];
            mat_a[i][r % MM_N] ^= mat_c[i][i] & 0x3ff;
        }
    }
    return sum;
}

static uint8_t crc_buf[CRC_BYTES];

static uint32_t crc32(uint32_t crc, const uint8_t *p, uint64_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
    }
    return ~crc;
}

static uint64_t bench_crc(void)
{
    xs_state = 0x853c49e6748fea9bUL;
    for (int i = 0; i < CRC_BYTES; i++)
        crc_buf[i] = (uint8_t)xorshift64();
    uint32_t crc = 0;
    for (int p = 0; p < CRC_PASSES; p++) {
        crc = crc32(crc, crc_buf, CRC_BYTES);
        crc_buf[p % CRC_BYTES] ^= (uint8_t)crc;
    }
    return crc;
}

static uint32_t sort_buf[SORT_N];

static void sift_down(uint32_t *a, uint64_t root, uint64_t n)
{
    for (;;) {
        uint64_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && a[child + 1] > a[child])
            child++;
        if (a[root] >= a[child])
            return;
        uint32_t t = a[root]; a[root] = a[child]; a[child] = t;
        root = child;
    }
}

static void heapsort(uint32_t *a, uint64_t n)
{
    for (uint64_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (uint64_t end = n - 1; end > 0; end--) {
        uint32_t t = a[0]; a[0] = a[end]; a[end] = t;
        sift_down(a, 0, end);
    }
}

static uint64_t bench_sort(void)
{
    uint64_t sum = 0;
    xs_state = 0xda3e39cb94b95bdbUL;
    for (int r = 0; r < SORT_REPS; r++) {
        for (int i = 0; i < SORT_N; i++)
            sort_buf[i] = (uint32_t)(xorshift64() >> 16);
        heapsort(sort_buf, SORT_N);
        for (int i = 1; i < SORT_N; i++)
            if (sort_buf[i - 1] > sort_buf[i])
                return 0;                        /* not sorted: checksum 0 */
        sum = sum * 31 + sort_buf[0] + sort_buf[SORT_N / 2] + sort_buf[SORT_N - 1];
    }
    return sum;
}

static void report(const char *name, uint64_t v)
{
    print(name);
    print(": ");
    print_hex(v);
    console_putc('\n');
}

int main(void)
{
    print("cpubench scale ");
    print_dec(BENCH_SCALE);
    console_putc('\n');
    uint64_t md = bench_muldiv();
    report("muldiv", md);
    uint64_t mm = bench_matmul();
    report("matmul", mm);
    uint64_t crc = bench_crc();
    report("crc32 ", crc);
    uint64_t srt = bench_sort();
    report("sort  ", srt);
    uint64_t all = md;
    all = all * 0x100000001b3UL ^ mm;
    all = all * 0x100000001b3UL ^ crc;
    all = all * 0x100000001b3UL ^ srt;
    report("total ", all);
#ifdef BENCH_INSTRET
    report("instret", csr_read(minstret));
#endif
    return srt == 0 ? 1 : 0;
}
