/* cpubench (bare): a deterministic integer CPU benchmark. Eight kernels (multiply/
 * divide chain, 32x32 matrix multiply, bitwise CRC32, heapsort of xorshift data, and four
 * that a translator finds hard: indirect calls through a table of function pointers, a
 * bytecode VM whose switch compiles to a jump table, non-tail recursion, byte-wise string
 * work), one checksum each and a combined one. BENCH_SCALE sets the work: 200 (default,
 * about 1.5 s on QEMU TCG here) retires 3,302,470,772 instructions; cpubench-small builds
 * with 1. Built with CPUBENCH_HOST, the same kernels run natively on the host (host-shim.h). */
#ifdef CPUBENCH_HOST
#include "host-shim.h"
#else
#include "guest.h"
#endif

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
#define ICALL_ITERS  (32000UL * BENCH_SCALE)
#define VM_REPS      (1 * BENCH_SCALE)
#define VM_LOOPS     1500
#define REC_N        20
#define REC_REPS     (1 * BENCH_SCALE)
#define STR_BYTES    4096
#define STR_PASSES   (3 * BENCH_SCALE)

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

/* Indirect calls: the callee is picked by data, so no call site has a fixed target. */
typedef uint64_t (*icall_fn)(uint64_t, uint64_t);

static uint64_t icall_add(uint64_t a, uint64_t b) { return a + b; }
static uint64_t icall_xor(uint64_t a, uint64_t b) { return a ^ (b << 1); }
static uint64_t icall_rotl(uint64_t a, uint64_t b)
{
    unsigned s = (unsigned)b & 63;
    return (a << s) | (a >> ((64 - s) & 63));
}
static uint64_t icall_mul(uint64_t a, uint64_t b) { return a * (b | 1); }
static uint64_t icall_sub(uint64_t a, uint64_t b) { return a - (b >> 3); }
static uint64_t icall_fold(uint64_t a, uint64_t b) { return (a ^ (a >> 29)) + b; }
static uint64_t icall_mask(uint64_t a, uint64_t b) { return (a & ~b) | (b & 0xff) | (a << 7); }
static uint64_t icall_shr(uint64_t a, uint64_t b) { return a + (a >> (b & 31)) + 1; }

static icall_fn const icall_table[8] = {
    icall_add, icall_xor, icall_rotl, icall_mul, icall_sub, icall_fold, icall_mask, icall_shr,
};

static uint64_t bench_icall(void)
{
    uint64_t acc = 0x6a09e667f3bcc908UL;
    for (uint64_t i = 0; i < ICALL_ITERS; i++) {
        unsigned k = (unsigned)((acc >> 17) ^ (acc >> 41) ^ i) & 7;
        acc = icall_table[k](acc, i * 0x9e3779b97f4a7c15UL);
    }
    return acc;
}

/* A register bytecode VM: one switch over 16 dense opcodes (a jump table), 4 registers;
 * operand fields a = bits 5:4, b = bits 7:6; opcode 6 takes the next byte as a constant. */
enum {
    VM_ADD, VM_SUB, VM_XORSHL, VM_MUL, VM_SHR, VM_ROTL7, VM_ADDI, VM_SWAP,
    VM_NOT, VM_ANDOR, VM_LESS, VM_LOOP, VM_MAC, VM_HALT, VM_DIV, VM_MIXHI,
};

#define VM_I(op, a, b) ((uint8_t)((op) | (a) << 4 | (b) << 6))

static const uint8_t vm_program[] = {
    VM_I(VM_ADDI, 0, 0), 0x3b,
    VM_I(VM_MUL, 0, 1),
    VM_I(VM_XORSHL, 1, 0),
    VM_I(VM_ROTL7, 2, 0),
    VM_I(VM_ADD, 2, 1),
    VM_I(VM_SHR, 1, 3),
    VM_I(VM_MAC, 3, 2),
    VM_I(VM_SWAP, 0, 3),
    VM_I(VM_NOT, 2, 0),
    VM_I(VM_ANDOR, 1, 2),
    VM_I(VM_LESS, 3, 1),
    VM_I(VM_SUB, 0, 3),
    VM_I(VM_DIV, 2, 0),
    VM_I(VM_MIXHI, 0, 0),
    VM_I(VM_ADDI, 3, 0), 0xa7,
    VM_I(VM_XORSHL, 2, 3),
    VM_I(VM_MAC, 1, 0),
    VM_I(VM_LOOP, 0, 0),
    VM_I(VM_HALT, 0, 0),
};

static uint64_t vm_run(const uint8_t *code, uint64_t seed, uint64_t loops)
{
    uint64_t r[4] = { seed, seed ^ 0x5851f42d4c957f2dUL, seed >> 7, 0x14057b7ef767814fUL };
    uint64_t pc = 0;
    for (;;) {
        uint8_t insn = code[pc++];
        unsigned a = (insn >> 4) & 3, b = insn >> 6;
        switch (insn & 15) {
        case VM_ADD: r[a] += r[b]; break;
        case VM_SUB: r[a] -= r[b]; break;
        case VM_XORSHL: r[a] ^= r[b] << 1; break;
        case VM_MUL: r[a] *= r[b] | 1; break;
        case VM_SHR: r[a] = (r[a] >> (r[b] & 31)) | 1; break;
        case VM_ROTL7: r[a] = (r[a] << 7) | (r[a] >> 57); break;
        case VM_ADDI: r[a] += code[pc++]; break;
        case VM_SWAP: { uint64_t t = r[a]; r[a] = r[b]; r[b] = t; break; }
        case VM_NOT: r[a] = ~r[a]; break;
        case VM_ANDOR: r[a] = (r[a] & r[b]) | 0x55; break;
        case VM_LESS: r[a] += r[a] < r[b]; break;
        case VM_LOOP: if (--loops) pc = 0; break;
        case VM_MAC: r[a] = r[a] * 5 + r[b]; break;
        case VM_HALT: return r[0] ^ r[1] ^ r[2] ^ r[3];
        case VM_DIV: r[a] = r[a] / ((r[b] & 255) | 1); break;
        case VM_MIXHI: r[a] ^= r[a] >> 17; break;
        }
    }
}

static uint64_t bench_vm(void)
{
    uint64_t sum = 0;
    for (uint64_t rep = 0; rep < VM_REPS; rep++)
        sum = sum * 0x100000001b3UL ^ vm_run(vm_program, sum + rep, VM_LOOPS);
    return sum;
}

/* Recursion: both calls are real calls (the second depends on the first's result, and the
 * combination is not one a compiler turns into a loop). */
static uint64_t rec_walk(uint32_t n, uint64_t h)
{
    if (n < 2)
        return h * 0x9e3779b97f4a7c15UL + n;
    uint64_t left = rec_walk(n - 1, h * 3 + n);
    uint64_t right = rec_walk(n - 2, h ^ left);
    return left - (right >> 1) + (left >> 13);
}

static uint64_t bench_recursion(void)
{
    uint64_t sum = 0;
    for (uint64_t rep = 0; rep < REC_REPS; rep++)
        sum = sum * 31 + rec_walk(REC_N, sum ^ rep);
    return sum;
}

/* Byte-wise string work on a text of lower-case words: length of each word, naive search
 * for a few patterns, reversing words in place, upper-casing by comparison, an FNV-1a hash. */
static char str_text[STR_BYTES + 1];

static uint64_t str_len(const char *s)
{
    const char *p = s;
    while (*p != '\0' && *p != ' ')
        p++;
    return (uint64_t)(p - s);
}

static uint64_t str_count(const char *text, const char *pattern)
{
    uint64_t count = 0;
    for (const char *t = text; *t != '\0'; t++) {
        const char *a = t, *b = pattern;
        while (*b != '\0' && *a == *b) {
            a++;
            b++;
        }
        count += *b == '\0';
    }
    return count;
}

static void str_reverse(char *s, uint64_t n)
{
    for (uint64_t i = 0, j = n; i + 1 < j; i++, j--) {
        char t = s[i];
        s[i] = s[j - 1];
        s[j - 1] = t;
    }
}

static uint64_t bench_string(void)
{
    xs_state = 0x3c6ef372fe94f82bUL;
    for (int i = 0; i < STR_BYTES; i++) {
        uint64_t x = xorshift64();
        str_text[i] = (x & 7) == 0 ? ' ' : (char)('a' + (x >> 8) % 6);
    }
    str_text[STR_BYTES] = '\0';
    uint64_t sum = 0;
    for (int p = 0; p < STR_PASSES; p++) {
        uint64_t words = 0, letters = 0;
        for (char *s = str_text; *s != '\0';) {
            uint64_t n = str_len(s);
            if (n > 0) {
                words++;
                letters += n;
                if ((n ^ (uint64_t)p) & 1)
                    str_reverse(s, n);
            }
            s += n;
            if (*s == ' ')
                s++;
        }
        uint64_t found = str_count(str_text, "abc") + str_count(str_text, "fade") * 3
            + str_count(str_text, "e e") * 5;
        uint32_t hash = 2166136261U;
        for (const char *s = str_text; *s != '\0'; s++) {
            char c = *s;
            if (c >= 'a' && c <= 'c')
                c = (char)(c - 'a' + 'A');
            hash = (hash ^ (uint8_t)c) * 16777619U;
        }
        sum = sum * 1099511628211UL + (words << 40 ^ letters << 20 ^ found) + hash;
        int at = (int)(hash % STR_BYTES);
        if (str_text[at] != ' ')
            str_text[at] = (char)('a' + (hash >> 16) % 6);
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
    uint64_t ic = bench_icall();
    report("icall ", ic);
    uint64_t vm = bench_vm();
    report("switch", vm);
    uint64_t rec = bench_recursion();
    report("recurs", rec);
    uint64_t str = bench_string();
    report("string", str);
    uint64_t all = md;
    all = all * 0x100000001b3UL ^ mm;
    all = all * 0x100000001b3UL ^ crc;
    all = all * 0x100000001b3UL ^ srt;
    all = all * 0x100000001b3UL ^ ic;
    all = all * 0x100000001b3UL ^ vm;
    all = all * 0x100000001b3UL ^ rec;
    all = all * 0x100000001b3UL ^ str;
    report("total ", all);
#ifdef BENCH_INSTRET
    report("instret", csr_read(minstret));
#endif
    return srt == 0 ? 1 : 0;
}
