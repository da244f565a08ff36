/* Polled virtio-mmio v2 driver (see virtio.h). One request in flight at a time; no interrupts. */
#include "virtio.h"
#include "guest.h"

#define REG_MAGIC 0x000
#define REG_VERSION 0x004
#define REG_DEVICE_ID 0x008
#define REG_DEVICE_FEATURES 0x010
#define REG_DEVICE_FEATURES_SEL 0x014
#define REG_DRIVER_FEATURES 0x020
#define REG_DRIVER_FEATURES_SEL 0x024
#define REG_QUEUE_SEL 0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM 0x038
#define REG_QUEUE_READY 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK 0x064
#define REG_STATUS 0x070
#define REG_QUEUE_DESC 0x080
#define REG_QUEUE_DRIVER 0x090
#define REG_QUEUE_DEVICE 0x0a0
#define REG_CONFIG 0x100

#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8

#define F_BLK_SEG_MAX 2
#define F_BLK_BLK_SIZE 6
#define F_BLK_FLUSH 9

#define QN 8
#define D_NEXT 1
#define D_WRITE 2

struct desc { uint64_t addr; uint32_t len; uint16_t flags; uint16_t next; };
struct avail { uint16_t flags; uint16_t idx; uint16_t ring[QN]; uint16_t used_event; };
struct used_elem { uint32_t id; uint32_t len; };
struct used { uint16_t flags; uint16_t idx; struct used_elem ring[QN]; uint16_t avail_event; };

static struct desc desc[QN] __attribute__((aligned(16)));
static struct avail avail __attribute__((aligned(2)));
static struct used used __attribute__((aligned(4)));
static struct { uint32_t type; uint32_t reserved; uint64_t sector; } header;
static volatile uint8_t status;

static inline uint32_t rd(uintptr_t base, uint32_t reg) { return mmio_read32(base + reg); }
static inline void wr(uintptr_t base, uint32_t reg, uint32_t v) { mmio_write32(base + reg, v); }
static inline void barrier(void) { __asm__ volatile ("fence iorw, iorw" ::: "memory"); }

uintptr_t virtio_find(uint32_t device_id)
{
    for (int slot = VIRTIO_SLOTS - 1; slot >= 0; slot--)
    {
        const uintptr_t base = VIRTIO_SLOT_BASE + VIRTIO_SLOT_STRIDE * slot;
        if (rd(base, REG_MAGIC) == 0x74726976 && rd(base, REG_VERSION) == 2 && rd(base, REG_DEVICE_ID) == device_id)
        {
            return base;
        }
    }
    return 0;
}

static void set_addr(uintptr_t base, uint32_t reg, const void *p)
{
    const uint64_t a = (uintptr_t)p;
    wr(base, reg, (uint32_t)a);
    wr(base, reg + 4, (uint32_t)(a >> 32));
}

int vblk_init(struct vblk *blk, uintptr_t base)
{
    blk->base = base;
    wr(base, REG_STATUS, 0);
    wr(base, REG_STATUS, S_ACKNOWLEDGE);
    wr(base, REG_STATUS, S_ACKNOWLEDGE | S_DRIVER);
    wr(base, REG_DEVICE_FEATURES_SEL, 1);
    if (!(rd(base, REG_DEVICE_FEATURES) & 1))
    {
        return -1; /* no VERSION_1 */
    }
    wr(base, REG_DEVICE_FEATURES_SEL, 0);
    const uint32_t offered = rd(base, REG_DEVICE_FEATURES);
    const uint32_t wanted = offered & (1u << F_BLK_SEG_MAX | 1u << F_BLK_BLK_SIZE | 1u << F_BLK_FLUSH);
    wr(base, REG_DRIVER_FEATURES_SEL, 0);
    wr(base, REG_DRIVER_FEATURES, wanted);
    wr(base, REG_DRIVER_FEATURES_SEL, 1);
    wr(base, REG_DRIVER_FEATURES, 1);
    wr(base, REG_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
    if (!(rd(base, REG_STATUS) & S_FEATURES_OK))
    {
        return -2;
    }
    blk->flush = (wanted >> F_BLK_FLUSH) & 1;
    wr(base, REG_QUEUE_SEL, 0);
    if (rd(base, REG_QUEUE_READY) != 0 || rd(base, REG_QUEUE_NUM_MAX) < QN)
    {
        return -3;
    }
    wr(base, REG_QUEUE_NUM, QN);
    set_addr(base, REG_QUEUE_DESC, desc);
    set_addr(base, REG_QUEUE_DRIVER, &avail);
    set_addr(base, REG_QUEUE_DEVICE, &used);
    avail.flags = 1; /* polled: no interrupts please */
    avail.idx = 0;
    used.idx = 0;
    blk->last_used = 0;
    barrier();
    wr(base, REG_QUEUE_READY, 1);
    wr(base, REG_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    blk->capacity = (uint64_t)rd(base, REG_CONFIG) | (uint64_t)rd(base, REG_CONFIG + 4) << 32;
    blk->seg_max = (wanted >> F_BLK_SEG_MAX) & 1 ? rd(base, REG_CONFIG + 12) : 0;
    blk->blk_size = (wanted >> F_BLK_BLK_SIZE) & 1 ? rd(base, REG_CONFIG + 20) : 512;
    return 0;
}

int vblk_request(struct vblk *blk, uint32_t type, uint64_t sector, void *data, uint32_t len)
{
    const int device_writes = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
    header.type = type;
    header.reserved = 0;
    header.sector = sector;
    status = 0xFF;
    int n = 0;
    desc[n] = (struct desc){(uintptr_t)&header, sizeof header, D_NEXT, 1};
    n++;
    if (len != 0)
    {
        desc[n] = (struct desc){(uintptr_t)data, len, (uint16_t)(D_NEXT | (device_writes ? D_WRITE : 0)), 2};
        n++;
    }
    desc[n] = (struct desc){(uintptr_t)&status, 1, D_WRITE, 0};
    avail.ring[avail.idx % QN] = 0;
    barrier();
    avail.idx++;
    barrier();
    wr(blk->base, REG_QUEUE_NOTIFY, 0);
    for (uint64_t spin = 0; spin < 100000000; spin++)
    {
        barrier();
        if (*(volatile uint16_t *)&used.idx != blk->last_used)
        {
            blk->last_used++;
            barrier();
            return status;
        }
    }
    return -1;
}
