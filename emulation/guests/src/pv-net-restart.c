/* pv-net-restart (javisor only, PV domain): the PV network front end through restarts of its back
 * end (a driver domain killed and started again). Pings whoever echoes on the bridge (net-echo-pv),
 * one request at a time, each resent every 50 ms until answered (the first to broadcast, the reply
 * naming the peer) and at once after a reconnect, until the host writes the vif's `stop` key; then
 * the goodbye handshake. A kill loses the frames in flight: netfront notices the back end's going
 * through its watch, connects to the next instance and the pings resume. After the first ping
 * answered past each reconnect (and the very first one, as 0) the guest writes the reconnect count
 * to the vif's `served-after-reconnect` key, for the host to follow. Gives up after 30 s without an
 * answer. The `: counters ` line differs between runs. */
#include "guest.h"
#include "jping.h"
#include "xen-netfront.h"

#define WAIT (50 * TICKS_PER_MS)
#define STOP_CHECK (100 * TICKS_PER_MS)
#define GIVE_UP (30000 * TICKS_PER_MS)
#define BYE_TRIES 40

static const uint8_t broadcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
static uint8_t peer[6];
static struct netfront nf;
static struct jp out;
static uint32_t in[1024];
static char served_key[96];
static uint64_t resent;

static void fail(const char *what)
{
    print("pv-net-restart: FAIL ");
    println(what);
    guest_exit(1);
}

/* Sends (kind, seq) once and waits WAIT for (answer, seq): 1 answered, 0 not (also at once when the
 * front end reconnected meanwhile: what it sent went with the old back end). */
static int exchange(int kind, uint32_t seq, int answer)
{
    const struct jp *f = (const struct jp *)in;
    const uint64_t reconnects = nf.reconnects;
    const uint64_t sent = now();
    jp_fill(&out, peer, nf.mac, kind, seq, sent);
    if (netfront_send(&nf, &out, JP_LEN))
        fail(nf.failed ? "reconnecting to the back end" : "send");
    for (;;)
    {
        const uint32_t len = netfront_recv(&nf, in, sizeof in);
        if (len == 0)
        {
            if (!netfront_wait(&nf, sent + WAIT) || nf.reconnects != reconnects)
                return 0;
            continue;
        }
        if (jp_kind(f, len) == answer && f->seq == seq)
        {
            memcpy(peer, f->src, 6);
            return 1;
        }
    }
}

static void announce(uint64_t reconnects)
{
    char value[24], digits[24];
    int n = 0;
    do { digits[n++] = (char)('0' + reconnects % 10); reconnects /= 10; } while (reconnects);
    for (int i = 0; i < n; i++)
        value[i] = digits[n - 1 - i];
    value[n] = 0;
    xs_write(XS_NO_TRANSACTION, served_key, value);
}

int main(void)
{
    const int rc = netfront_connect(&nf);
    if (rc)
    {
        print("pv-net-restart: no NIC, error ");
        print_dec((uint64_t)-rc);
        println("");
        return 1;
    }
    println("pv-net-restart: connected");
    char stop[96];
    xenbus_path(stop, sizeof stop, nf.dev.node, "stop");
    xenbus_path(served_key, sizeof served_key, nf.dev.node, "served-after-reconnect");
    memcpy(peer, broadcast, 6);
    uint32_t seq = 0;
    uint64_t announced = ~0UL;
    uint64_t stop_check = now() + STOP_CHECK;
    uint64_t last_answer = now();
    for (;;)
    {
        if (now() >= stop_check)
        {
            if (xs_read_long(XS_NO_TRANSACTION, stop, 0))
                break;
            stop_check = now() + STOP_CHECK;
        }
        if (!exchange(JP_REQUEST, seq, JP_REPLY))
        {
            resent++;
            if (now() - last_answer > GIVE_UP)
                fail("no answer for 30 s");
            continue;
        }
        seq++;
        last_answer = now();
        if (nf.reconnects != announced)
        {
            announced = nf.reconnects;
            announce(announced);
        }
    }
    int bye = 0;
    for (int t = 0; t < BYE_TRIES && !bye; t++)
        bye = exchange(JP_BYE, seq, JP_BYE_ACK);
    if (!bye)
        fail("no goodbye");
    print("pv-net-restart: reconnected ");
    print_dec(nf.reconnects);
    println(" times, the pings resumed after each");
    print("pv-net-restart: counters answered=");
    print_dec(seq);
    print(" resent=");
    print_dec(resent);
    print(" frames_lost=");
    print_dec(nf.frames_lost);
    print(" rx_events=");
    print_dec(nf.events);
    print(" dropped=");
    print_dec(nf.dropped);
    println("");
    println("pv-net-restart: pass");
    return 0;
}
