/* The net guests' frame protocol: 60-byte Ethernet frames of EtherType 0x88B5 (IEEE local
 * experimental). After the 14-byte header: 'J' 'P', kind, 0, u32 sequence number and u64 stamp
 * (little-endian; the stamp is the sender's time CSR, i.e. mtime, echoed back unchanged), zeros to
 * 60 bytes. */
#ifndef JPING_H
#define JPING_H

#include <stdint.h>
#include "guest.h"
#include "plic.h"

#define JP_TYPE_HI 0x88
#define JP_TYPE_LO 0xB5
#define JP_LEN 60
#define JP_REQUEST 1
#define JP_REPLY 2
#define JP_BYE 3
#define JP_BYE_ACK 4
#define JP_STREAM 5     /* one frame of a stream: counted by the peer, not answered */
#define JP_COUNT 6      /* asks the peer how many stream frames it received since the last count */
#define JP_COUNT_ACK 7  /* the answer: the count in seq */
#define TICKS_PER_MS 10000 /* the time CSR (mtime): 10 MHz */

struct jp
{
    uint8_t dst[6];
    uint8_t src[6];
    uint8_t type[2];
    uint8_t magic[2];
    uint8_t kind;
    uint8_t zero;
    uint32_t seq;
    uint64_t stamp;
    uint8_t pad[JP_LEN - 32];
} __attribute__((packed, aligned(4)));

static inline uint64_t now(void) { return time_now(); }

static inline void jp_fill(struct jp *f, const uint8_t *dst, const uint8_t *src, int kind, uint32_t seq, uint64_t stamp)
{
    memset(f, 0, sizeof *f);
    memcpy(f->dst, dst, 6);
    memcpy(f->src, src, 6);
    f->type[0] = JP_TYPE_HI;
    f->type[1] = JP_TYPE_LO;
    f->magic[0] = 'J';
    f->magic[1] = 'P';
    f->kind = (uint8_t)kind;
    f->seq = seq;
    f->stamp = stamp;
}

/* The frame's kind if it is one of ours, else 0. */
static inline int jp_kind(const struct jp *f, uint32_t len)
{
    if (len < 32 || f->type[0] != JP_TYPE_HI || f->type[1] != JP_TYPE_LO || f->magic[0] != 'J' || f->magic[1] != 'P')
    {
        return 0;
    }
    return f->kind;
}

#endif
