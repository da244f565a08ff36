/*
 * javisor's Linux guest init: the whole userspace of the initramfs build.sh builds into the kernel.
 * Freestanding (no libc), raw RISC-V Linux system calls. It checks each device through the kernel's
 * own drivers and prints one result line per device, then powers the machine off:
 *
 *   disks sda (ATA, pata_of_platform) and vda (virtio-blk): the block device node is made from
 *   /sys/block/NAME/dev; bytes [0, 64 KiB) must hold the pattern the host wrote before boot, then
 *   [64 KiB, 128 KiB) is written with the guest's pattern, fsync'd, and read back (O_DIRECT, so
 *   both reads reach the device). "result disk NAME: ok ..." or "result disk NAME: FAIL ...".
 *
 *   every NIC in /sys/class/net but lo: brought up (SIOCSIFFLAGS), then ECHOES frames of EtherType
 *   0x88B5 of lengths 60..1514 go over a raw AF_PACKET socket to the peer MAC, each of which must
 *   come back whole with the kind byte turned from request into reply.
 *   "result net IFNAME DRIVER MAC: ok ..." or "... FAIL ...".
 *
 * The kernel command line gives seed=N (both patterns derive from it) and peer=MAC (the echoing
 * guest). Patterns: 64-bit little-endian words from splitmix64 seeded with seed ^ tag * golden, tag
 * 16 * disk + region (sda 1, vda 2; region 0 the host's, 1 the guest's): the Java test computes the
 * same words.
 */

typedef unsigned long u64;
typedef long s64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

/* asm-generic system call numbers (RISC-V uses them). */
#define SYS_ioctl 29
#define SYS_mknodat 33
#define SYS_mount 40
#define SYS_openat 56
#define SYS_close 57
#define SYS_getdents64 61
#define SYS_read 63
#define SYS_write 64
#define SYS_pread64 67
#define SYS_pwrite64 68
#define SYS_ppoll 73
#define SYS_readlinkat 78
#define SYS_sync 81
#define SYS_fsync 82
#define SYS_nanosleep 101
#define SYS_clock_gettime 113
#define SYS_reboot 142
#define SYS_socket 198
#define SYS_bind 200
#define SYS_sendto 206
#define SYS_recvfrom 207

#define AT_FDCWD (-100)
#define O_RDONLY 0
#define O_RDWR 2
#define O_DIRECT 040000
#define O_DIRECTORY 0200000
#define S_IFBLK 0060000
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7
#define AF_PACKET 17
#define SOCK_RAW 3
#define SIOCGIFFLAGS 0x8913
#define SIOCSIFFLAGS 0x8914
#define SIOCGIFINDEX 0x8933
#define IFF_UP 1
#define POLLIN 1
#define LINUX_REBOOT_MAGIC1 0xfee1deadL
#define LINUX_REBOOT_MAGIC2 672274793L
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedcL

#define KIB 1024
#define REGION (64 * KIB)
#define ETHERTYPE 0x88B5
#define ECHOES 16
#define KIND_REQUEST 1
#define KIND_REPLY 2
#define TRIES 10
#define WAIT_MS 300

struct timespec { s64 sec; s64 nsec; };
struct pollfd { int fd; short events; short revents; };
struct sockaddr_ll
{
    u16 family;
    u16 protocol; /* network order */
    int ifindex;
    u16 hatype;
    u8 pkttype;
    u8 halen;
    u8 addr[8];
};
struct ifreq
{
    char name[16];
    union { int ifindex; short flags; u8 pad[24]; } u;
};

static long syscall6(long n, long a, long b, long c, long d, long e, long f)
{
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a3 __asm__("a3") = d;
    register long a4 __asm__("a4") = e;
    register long a5 __asm__("a5") = f;
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7) : "memory");
    return a0;
}

#define SC(n, a, b, c, d, e, f) syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* The compiler may call these for struct copies and clears. */
void *memset(void *d, int c, unsigned long n)
{
    u8 *p = d;
    while (n--) *p++ = (u8)c;
    return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
    u8 *p = d;
    const u8 *q = s;
    while (n--) *p++ = *q++;
    return d;
}

static unsigned long len(const char *s)
{
    unsigned long n = 0;
    while (s[n]) n++;
    return n;
}

static int equal(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

static int starts(const char *s, const char *prefix)
{
    while (*prefix) if (*s++ != *prefix++) return 0;
    return 1;
}

/* ---- output: one buffer, flushed per line so lines never interleave with the kernel's ---- */

static char line[512];
static unsigned long used;

static void put(const char *s)
{
    while (*s && used < sizeof line - 1) line[used++] = *s++;
}

static void put_u(u64 v)
{
    char digits[24];
    int n = 0;
    do digits[n++] = (char)('0' + v % 10); while ((v /= 10) != 0);
    while (n) { char c[2] = {digits[--n], 0}; put(c); }
}

static void put_s(s64 v)
{
    if (v < 0) { put("-"); v = -v; }
    put_u((u64)v);
}

static void put_hex2(u8 v)
{
    static const char hex[] = "0123456789abcdef";
    char c[3] = {hex[v >> 4], hex[v & 15], 0};
    put(c);
}

static void put_mac(const u8 *mac)
{
    for (int i = 0; i < 6; i++) { if (i) put(":"); put_hex2(mac[i]); }
}

static void end_line(void)
{
    line[used++] = '\n';
    SC(SYS_write, 1, line, used, 0, 0, 0);
    used = 0;
}

static void say(const char *s)
{
    put(s);
    end_line();
}

/* ---- time ---- */

static u64 nanos(int clock)
{
    struct timespec t;
    SC(SYS_clock_gettime, clock, &t, 0, 0, 0, 0);
    return (u64)t.sec * 1000000000UL + (u64)t.nsec;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    SC(SYS_nanosleep, &t, 0, 0, 0, 0, 0);
}

/* ---- files ---- */

/* Reads a small file into buf (NUL-terminated, trailing newline dropped); bytes read or < 0. */
static long read_text(const char *path, char *buf, long size)
{
    long fd = SC(SYS_openat, AT_FDCWD, path, O_RDONLY, 0, 0, 0);
    if (fd < 0) return fd;
    long n = SC(SYS_read, fd, buf, size - 1, 0, 0, 0);
    SC(SYS_close, fd, 0, 0, 0, 0, 0);
    if (n < 0) return n;
    while (n > 0 && buf[n - 1] == '\n') n--;
    buf[n] = 0;
    return n;
}

static void join(char *out, const char *a, const char *b, const char *c)
{
    unsigned long n = 0;
    for (const char *parts[3] = {a, b, c}, **p = parts; p < parts + 3; p++)
        for (const char *s = *p; *s; s++) out[n++] = *s;
    out[n] = 0;
}

/* Parses decimal digits at *s into *v, advancing *s; 0 when there are none or they overflow 64 bits. */
static int parse_u(const char **s, u64 *v)
{
    int digits = 0;
    for (*v = 0; **s >= '0' && **s <= '9'; (*s)++, digits++)
    {
        u64 d = (u64)(**s - '0');
        if (*v > (~0UL - d) / 10) return 0;
        *v = *v * 10 + d;
    }
    return digits > 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "aa:bb:cc:dd:ee:ff" into mac[6]; 0 when well formed. */
static int parse_mac(const char *s, u8 *mac)
{
    for (int i = 0; i < 6; i++)
    {
        int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);
        if (lo < 0 || (i < 5 ? s[2] != ':' : s[2] != 0)) return -1;
        mac[i] = (u8)(hi << 4 | lo);
        s += 3;
    }
    return 0;
}

/* ---- patterns ---- */

static u64 seed;

static void fill_pattern(u8 *buf, unsigned long bytes, u64 tag)
{
    u64 state = seed ^ tag * 0x9E3779B97F4A7C15UL;
    for (unsigned long i = 0; i < bytes; i += 8)
    {
        u64 z = (state += 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        for (int b = 0; b < 8; b++) buf[i + b] = (u8)(z >> 8 * b);
    }
}

/* The first byte where a and b differ, or -1. */
static long mismatch(const u8 *a, const u8 *b, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) if (a[i] != b[i]) return (long)i;
    return -1;
}

/* ---- disks ---- */

static u8 io[REGION] __attribute__((aligned(4096)));
static u8 expect[REGION];

static void disk_fail(const char *name, const char *what, long value)
{
    put("result disk ");
    put(name);
    put(": FAIL ");
    put(what);
    put(" ");
    put_s(value);
    end_line();
}

static void test_disk(const char *name, u64 number)
{
    char path[96], text[64];
    join(path, "/sys/block/", name, "/dev");
    long found = -1;
    for (int i = 0; i < 50 && (found = read_text(path, text, sizeof text)) < 0; i++) sleep_ms(100);
    if (found < 0) { disk_fail(name, "no /sys/block entry, errno", -found); return; }
    const char *p = text;
    u64 major, minor, sectors;
    if (!parse_u(&p, &major) || *p++ != ':' || !parse_u(&p, &minor) || *p || major > 0xfff || minor > 0xfffff)
    {
        disk_fail(name, "unreadable dev numbers, length", found);
        return;
    }
    join(path, "/sys/block/", name, "/size");
    char size_text[32];
    const char *sp = size_text;
    if (read_text(path, size_text, sizeof size_text) <= 0 || !parse_u(&sp, &sectors) || *sp)
    {
        disk_fail(name, "unreadable size in sysfs, length", (long)len(size_text));
        return;
    }

    /* The kernel's dev_t encoding (new_encode_dev). */
    u64 dev = (minor & 0xff) | major << 8 | (minor & ~0xffUL) << 12;
    join(path, "/dev/", name, "");
    long rc = SC(SYS_mknodat, AT_FDCWD, path, S_IFBLK | 0600, dev, 0, 0);
    if (rc < 0) { disk_fail(name, "mknod errno", -rc); return; }
    long fd = SC(SYS_openat, AT_FDCWD, path, O_RDWR | O_DIRECT, 0, 0, 0);
    if (fd < 0) { disk_fail(name, "open O_DIRECT errno", -fd); return; }

    /* What the host wrote before boot. */
    long n = SC(SYS_pread64, fd, io, REGION, 0, 0, 0);
    if (n != REGION) { disk_fail(name, "read of the host's region returned", n); SC(SYS_close, fd, 0, 0, 0, 0, 0); return; }
    fill_pattern(expect, REGION, 16 * number);
    long bad = mismatch(io, expect, REGION);
    if (bad >= 0) { disk_fail(name, "host pattern differs at byte", bad); SC(SYS_close, fd, 0, 0, 0, 0, 0); return; }

    /* The guest's own pattern: written, flushed, read back from the device. */
    fill_pattern(expect, REGION, 16 * number + 1);
    memcpy(io, expect, REGION);
    u64 t0 = nanos(CLOCK_MONOTONIC);
    n = SC(SYS_pwrite64, fd, io, REGION, REGION, 0, 0);
    if (n != REGION) { disk_fail(name, "write returned", n); SC(SYS_close, fd, 0, 0, 0, 0, 0); return; }
    rc = SC(SYS_fsync, fd, 0, 0, 0, 0, 0);
    if (rc < 0) { disk_fail(name, "fsync errno", -rc); SC(SYS_close, fd, 0, 0, 0, 0, 0); return; }
    u64 t1 = nanos(CLOCK_MONOTONIC);
    memset(io, 0, REGION);
    n = SC(SYS_pread64, fd, io, REGION, REGION, 0, 0);
    u64 t2 = nanos(CLOCK_MONOTONIC);
    SC(SYS_close, fd, 0, 0, 0, 0, 0);
    if (n != REGION) { disk_fail(name, "read back returned", n); return; }
    bad = mismatch(io, expect, REGION);
    if (bad >= 0) { disk_fail(name, "read back differs at byte", bad); return; }

    put("result disk ");
    put(name);
    put(": ok dev ");
    put_u(major);
    put(":");
    put_u(minor);
    put(" sectors ");
    put_u(sectors);
    put(", host pattern read, 64 KiB written+fsync in ");
    put_u((t1 - t0) / 1000);
    put(" us, read back in ");
    put_u((t2 - t1) / 1000);
    put(" us");
    end_line();
}

/* ---- NICs ---- */

static u8 peer[6];
static u8 frame[1514];
static u8 reply[2048];

static void net_fail(const char *ifname, const char *driver, const char *what, long value)
{
    put("result net ");
    put(ifname);
    put(" ");
    put(driver);
    put(": FAIL ");
    put(what);
    put(" ");
    put_s(value);
    end_line();
}

static u16 be16(u16 v)
{
    return (u16)(v << 8 | v >> 8);
}

static unsigned long frame_length(int seq)
{
    /* 60 (the minimum), then spread over 61..1514 with odd and even lengths. */
    return seq == 0 ? 60 : 61 + (unsigned long)(seq * 389) % 1454;
}

static void test_nic(const char *ifname)
{
    char path[96], driver[64] = "?", link[128], mac_text[32];
    u8 mac[6];
    join(path, "/sys/class/net/", ifname, "/device/driver");
    long n = SC(SYS_readlinkat, AT_FDCWD, path, link, sizeof link - 1, 0, 0);
    if (n > 0)
    {
        link[n] = 0;
        const char *base = link;
        for (const char *s = link; *s; s++) if (*s == '/') base = s + 1;
        join(driver, base, "", "");
    }
    join(path, "/sys/class/net/", ifname, "/address");
    if (read_text(path, mac_text, sizeof mac_text) < 0 || parse_mac(mac_text, mac))
    {
        net_fail(ifname, driver, "no MAC in sysfs, length", (long)len(mac_text));
        return;
    }

    long fd = SC(SYS_socket, AF_PACKET, SOCK_RAW, be16(ETHERTYPE), 0, 0, 0);
    if (fd < 0) { net_fail(ifname, driver, "socket errno", -fd); return; }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    join(ifr.name, ifname, "", "");
    long rc = SC(SYS_ioctl, fd, SIOCGIFINDEX, &ifr, 0, 0, 0);
    if (rc < 0) { net_fail(ifname, driver, "SIOCGIFINDEX errno", -rc); return; }
    int ifindex = ifr.u.ifindex;
    rc = SC(SYS_ioctl, fd, SIOCGIFFLAGS, &ifr, 0, 0, 0);
    ifr.u.flags |= IFF_UP;
    if (rc >= 0) rc = SC(SYS_ioctl, fd, SIOCSIFFLAGS, &ifr, 0, 0, 0);
    if (rc < 0) { net_fail(ifname, driver, "bringing the link up: errno", -rc); return; }
    /* Until the carrier is on the device has no queue (frames sent are dropped). */
    join(path, "/sys/class/net/", ifname, "/carrier");
    char carrier[8] = "";
    u64 up0 = nanos(CLOCK_MONOTONIC);
    for (int i = 0; i < 500 && (read_text(path, carrier, sizeof carrier) < 0 || !equal(carrier, "1")); i++) sleep_ms(10);
    if (!equal(carrier, "1")) { net_fail(ifname, driver, "no carrier after 5 s, carrier", carrier[0]); return; }
    u64 carrier_us = (nanos(CLOCK_MONOTONIC) - up0) / 1000;

    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.family = AF_PACKET;
    sll.protocol = be16(ETHERTYPE);
    sll.ifindex = ifindex;
    rc = SC(SYS_bind, fd, &sll, sizeof sll, 0, 0, 0);
    if (rc < 0) { net_fail(ifname, driver, "bind errno", -rc); return; }

    u64 rtt[ECHOES];
    int resent = 0;
    for (int seq = 0; seq < ECHOES; seq++)
    {
        unsigned long length = frame_length(seq);
        fill_pattern(frame, length, 0x100 + (u64)seq);
        memcpy(frame, peer, 6);
        memcpy(frame + 6, mac, 6);
        frame[12] = ETHERTYPE >> 8;
        frame[13] = ETHERTYPE & 0xff;
        frame[14] = 'J'; frame[15] = 'V'; frame[16] = 'L'; frame[17] = 'X';
        frame[18] = KIND_REQUEST;
        frame[19] = (u8)seq;
        int answered = 0;
        for (int attempt = 0; attempt < TRIES && !answered; attempt++)
        {
            if (attempt) resent++;
            u64 sent = nanos(CLOCK_MONOTONIC);
            n = SC(SYS_sendto, fd, frame, length, 0, 0, 0);
            if (n != (long)length) { net_fail(ifname, driver, "send returned", n); return; }
            u64 deadline = sent + WAIT_MS * 1000000UL;
            for (u64 now = sent; !answered && now < deadline; now = nanos(CLOCK_MONOTONIC))
            {
                struct pollfd pfd = {(int)fd, POLLIN, 0};
                struct timespec wait = {0, (s64)(deadline - now)};
                if (SC(SYS_ppoll, &pfd, 1, &wait, 0, 8, 0) <= 0) continue;
                long got = SC(SYS_recvfrom, fd, reply, sizeof reply, 0, 0, 0);
                /* Only the reply to this request counts: same length, addresses swapped, same bytes. */
                if (got != (long)length || reply[18] != KIND_REPLY || reply[19] != (u8)seq ||
                    mismatch(reply, mac, 6) >= 0 || mismatch(reply + 6, peer, 6) >= 0 ||
                    mismatch(reply + 12, frame + 12, 6) >= 0 || mismatch(reply + 19, frame + 19, length - 19) >= 0)
                {
                    continue;
                }
                rtt[seq] = nanos(CLOCK_MONOTONIC) - sent;
                answered = 1;
            }
        }
        if (!answered) { net_fail(ifname, driver, "no echo of frame (tries each) seq", seq); return; }
    }
    SC(SYS_close, fd, 0, 0, 0, 0, 0);

    for (int i = 1; i < ECHOES; i++)
        for (int j = i; j > 0 && rtt[j - 1] > rtt[j]; j--) { u64 t = rtt[j]; rtt[j] = rtt[j - 1]; rtt[j - 1] = t; }
    put("result net ");
    put(ifname);
    put(" ");
    put(driver);
    put(" ");
    put_mac(mac);
    put(": ok ");
    put_u(ECHOES);
    put(" frames of 60..1514 bytes echoed whole, resent ");
    put_u((u64)resent);
    put(", carrier after ");
    put_u(carrier_us);
    put(" us, rtt p50 ");
    put_u(rtt[ECHOES / 2] / 1000);
    put(" us max ");
    put_u(rtt[ECHOES - 1] / 1000);
    put(" us");
    end_line();
}

static void test_nics(void)
{
    static u8 dirents[4096];
    static char names[8][16];
    int count = 0;
    long fd = SC(SYS_openat, AT_FDCWD, "/sys/class/net", O_RDONLY | O_DIRECTORY, 0, 0, 0);
    if (fd < 0) { net_fail("-", "-", "open /sys/class/net errno", -fd); return; }
    long n;
    while ((n = SC(SYS_getdents64, fd, dirents, sizeof dirents, 0, 0, 0)) > 0)
    {
        for (long off = 0; off < n;)
        {
            u16 reclen = *(u16 *)(dirents + off + 16);
            const char *name = (const char *)dirents + off + 19;
            if (name[0] != '.' && !equal(name, "lo") && count < 8 && len(name) < 16) join(names[count++], name, "", "");
            off += reclen;
        }
    }
    SC(SYS_close, fd, 0, 0, 0, 0, 0);
    /* getdents64 order is the directory's; test by name so runs compare. */
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0; j--)
        {
            const char *a = names[j - 1], *b = names[j];
            while (*a && *a == *b) a++, b++;
            if ((u8)*a <= (u8)*b) break;
            char t[16];
            join(t, names[j], "", "");
            join(names[j], names[j - 1], "", "");
            join(names[j - 1], t, "", "");
        }
    put("init: network interfaces:");
    for (int i = 0; i < count; i++) { put(" "); put(names[i]); }
    end_line();
    for (int i = 0; i < count; i++) test_nic(names[i]);
}

/* ---- main ---- */

static void power_off(void)
{
    SC(SYS_sync, 0, 0, 0, 0, 0, 0);
    say("init: powering off");
    SC(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0, 0, 0);
    say("init: FAIL power off returned");
    for (;;) sleep_ms(1000);
}

void start_c(long *sp)
{
    u64 boot = nanos(CLOCK_BOOTTIME);
    long argc = sp[0];
    char **envp = (char **)(sp + 1 + argc + 1);
    int have_seed = 0, have_peer = 0;
    for (char **e = envp; *e; e++)
    {
        const char *v = *e;
        if (starts(v, "seed="))
        {
            v += 5;
            have_seed = parse_u(&v, &seed) && *v == 0;
        }
        else if (starts(v, "peer="))
        {
            have_peer = parse_mac(v + 5, peer) == 0;
        }
    }
    put("init: started ");
    put_u(boot / 1000000);
    put(" ms after boot, wall clock ");
    put_u(nanos(CLOCK_REALTIME) / 1000000000UL);
    put(" s since 1970");
    end_line();
    if (!have_seed || !have_peer)
    {
        say("init: FAIL the kernel command line must give seed=N and peer=MAC");
        power_off();
    }
    long rc = SC(SYS_mount, "sysfs", "/sys", "sysfs", 0, 0, 0);
    if (rc < 0) { put("init: FAIL mount sysfs errno "); put_s(-rc); end_line(); power_off(); }

    test_disk("sda", 1);
    test_disk("vda", 2);
    test_nics();
    power_off();
}

__asm__(
    ".section .text._start\n"
    ".globl _start\n"
    "_start:\n"
    ".option push\n"
    ".option norelax\n"
    "    la gp, __global_pointer$\n"
    ".option pop\n"
    "    mv a0, sp\n"
    "    andi sp, sp, -16\n"
    "    call start_c\n");
