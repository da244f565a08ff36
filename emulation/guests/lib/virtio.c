/* virtio-mmio v2 driver (see virtio.h): virtio-blk has one request in flight, virtio-net one
 * transmit in flight and every receive buffer posted. Interrupts, where asked for, are awaited in
 * WFI and claimed at the PLIC without a trap (plic.h). */
#include "virtio.h"
#include "guest.h"
#include "plic.h"

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

#define F_NET_MAC 5

#define D_NEXT 1
#define D_WRITE 2


static struct vq blkq;
/* Request `tag` uses descriptors 3 tag .. 3 tag + 2 and this header and status byte. */
static struct { uint32_t type; uint32_t reserved; uint64_t sector; } header[VBLK_DEPTH];
static volatile uint8_t status[VBLK_DEPTH];

static inline uint32_t rd(uintptr_t base, uint32_t reg) { return mmio_read32(base + reg); }
static inline void wr(uintptr_t base, uint32_t reg, uint32_t v) { mmio_write32(base + reg, v); }
static inline void barrier(void) { __asm__ volatile ("fence iorw, iorw" ::: "memory"); }

uintptr_t virtio_find_nth(uint32_t device_id, int n)
{
    for (int slot = VIRTIO_SLOTS - 1; slot >= 0; slot--)
    {
        const uintptr_t base = VIRTIO_SLOT_BASE + VIRTIO_SLOT_STRIDE * slot;
        if (rd(base, REG_MAGIC) == 0x74726976 && rd(base, REG_VERSION) == 2 && rd(base, REG_DEVICE_ID) == device_id &&
            n-- == 0)
        {
            return base;
        }
    }
    return 0;
}

uintptr_t virtio_find(uint32_t device_id)
{
    return virtio_find_nth(device_id, 0);
}

int virtio_irq(uintptr_t base)
{
    return 1 + (int)((base - VIRTIO_SLOT_BASE) / VIRTIO_SLOT_STRIDE);
}

/* Sleep until the device at `base` interrupts (claimed, its status acknowledged, completed: 1) or
 * the deadline passes (0). Sources other than `irq` are completed and waited past. */
static int wait_interrupt(uintptr_t base, int irq, uint64_t *interrupts, uint64_t deadline)
{
    timer_arm(deadline);
    for (;;)
    {
        if (!irq_wait())
        {
            return 0;
        }
        const int source = plic_claim(PLIC_CTX_M);
        if (source == 0)
        {
            continue;
        }
        if (source == irq)
        {
            wr(base, REG_INTERRUPT_ACK, rd(base, REG_INTERRUPT_STATUS));
        }
        plic_complete(PLIC_CTX_M, source);
        if (source == irq)
        {
            (*interrupts)++;
            return 1;
        }
    }
}

static void set_addr(uintptr_t base, uint32_t reg, const void *p)
{
    const uint64_t a = (uintptr_t)p;
    wr(base, reg, (uint32_t)a);
    wr(base, reg + 4, (uint32_t)(a >> 32));
}

/* Reset and negotiate VERSION_1 plus what is offered of `wanted` (feature bits 0-31).
 * Returns the negotiated low feature bits, or a negative step number. */
static int64_t negotiate(uintptr_t base, uint32_t wanted)
{
    wr(base, REG_STATUS, 0);
    wr(base, REG_STATUS, S_ACKNOWLEDGE);
    wr(base, REG_STATUS, S_ACKNOWLEDGE | S_DRIVER);
    wr(base, REG_DEVICE_FEATURES_SEL, 1);
    if (!(rd(base, REG_DEVICE_FEATURES) & 1))
    {
        return -1; /* no VERSION_1 */
    }
    wr(base, REG_DEVICE_FEATURES_SEL, 0);
    wanted &= rd(base, REG_DEVICE_FEATURES);
    wr(base, REG_DRIVER_FEATURES_SEL, 0);
    wr(base, REG_DRIVER_FEATURES, wanted);
    wr(base, REG_DRIVER_FEATURES_SEL, 1);
    wr(base, REG_DRIVER_FEATURES, 1);
    wr(base, REG_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
    if (!(rd(base, REG_STATUS) & S_FEATURES_OK))
    {
        return -2;
    }
    return wanted;
}

/* Queue `index` on `q` of `size` entries, with used-buffer interrupts or without. Returns 0 or -3. */
static int queue_setup(uintptr_t base, uint32_t index, struct vq *q, uint16_t size, int interrupts)
{
    wr(base, REG_QUEUE_SEL, index);
    if (rd(base, REG_QUEUE_READY) != 0 || rd(base, REG_QUEUE_NUM_MAX) < size)
    {
        return -3;
    }
    q->size = size;
    wr(base, REG_QUEUE_NUM, size);
    set_addr(base, REG_QUEUE_DESC, q->desc);
    set_addr(base, REG_QUEUE_DRIVER, &q->avail);
    set_addr(base, REG_QUEUE_DEVICE, &q->used);
    q->avail.flags = interrupts ? 0 : 1; /* 1: VIRTQ_AVAIL_F_NO_INTERRUPT */
    q->avail.idx = 0;
    q->used.idx = 0;
    q->last_used = 0;
    barrier();
    wr(base, REG_QUEUE_READY, 1);
    return 0;
}

static void driver_ok(uintptr_t base)
{
    wr(base, REG_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

/* Make descriptor `head` available and tell the device. */
static void publish(uintptr_t base, uint32_t index, struct vq *q, uint16_t head)
{
    q->avail.ring[q->avail.idx % q->size] = head;
    barrier();
    q->avail.idx++;
    barrier();
    wr(base, REG_QUEUE_NOTIFY, index);
}

/* The next used element, or 0 when the device has used nothing new. */
static const struct vq_used_elem *take_used(struct vq *q)
{
    barrier();
    if (*(volatile uint16_t *)&q->used.idx == q->last_used)
    {
        return 0;
    }
    const struct vq_used_elem *e = &q->used.ring[q->last_used % q->size];
    q->last_used++;
    barrier();
    return e;
}

int vblk_init(struct vblk *blk, uintptr_t base, int irq)
{
    blk->base = base;
    blk->irq = irq;
    blk->interrupts = 0;
    const int64_t wanted = negotiate(base, 1u << F_BLK_SEG_MAX | 1u << F_BLK_BLK_SIZE | 1u << F_BLK_FLUSH);
    if (wanted < 0)
    {
        return (int)wanted;
    }
    blk->flush = (wanted >> F_BLK_FLUSH) & 1;
    if (queue_setup(base, 0, &blkq, VBLK_QUEUE, irq != 0) != 0)
    {
        return -3;
    }
    if (irq)
    {
        plic_enable(PLIC_CTX_M, irq, 1);
    }
    driver_ok(base);
    blk->capacity = (uint64_t)rd(base, REG_CONFIG) | (uint64_t)rd(base, REG_CONFIG + 4) << 32;
    blk->seg_max = (wanted >> F_BLK_SEG_MAX) & 1 ? rd(base, REG_CONFIG + 12) : 0;
    blk->blk_size = (wanted >> F_BLK_BLK_SIZE) & 1 ? rd(base, REG_CONFIG + 20) : 512;
    return 0;
}

/* Writes request `tag`'s three descriptors (two without data) and publishes its head. */
static void post(struct vblk *blk, uint32_t tag, uint32_t type, uint64_t sector, void *data, uint32_t len)
{
    const int device_writes = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
    header[tag].type = type;
    header[tag].reserved = 0;
    header[tag].sector = sector;
    status[tag] = 0xFF;
    struct vq_desc *desc = &blkq.desc[3 * tag];
    const uint16_t head = (uint16_t)(3 * tag);
    int n = 0;
    desc[n] = (struct vq_desc){(uintptr_t)&header[tag], sizeof header[tag], D_NEXT, (uint16_t)(head + 1)};
    n++;
    if (len != 0)
    {
        desc[n] = (struct vq_desc){(uintptr_t)data, len, (uint16_t)(D_NEXT | (device_writes ? D_WRITE : 0)),
            (uint16_t)(head + 2)};
        n++;
    }
    desc[n] = (struct vq_desc){(uintptr_t)&status[tag], 1, D_WRITE, 0};
    publish(blk->base, 0, &blkq, head);
}

int vblk_request(struct vblk *blk, uint32_t type, uint64_t sector, void *data, uint32_t len)
{
    post(blk, 0, type, sector, data, len);
    if (blk->irq)
    {
        while (wait_interrupt(blk->base, blk->irq, &blk->interrupts, time_now() + TICKS_PER_SECOND))
        {
            if (take_used(&blkq) != 0)
            {
                return status[0];
            }
        }
        return -1;
    }
    for (uint64_t spin = 0; spin < 100000000; spin++)
    {
        if (take_used(&blkq) != 0)
        {
            return status[0];
        }
    }
    return -1;
}

int vblk_submit(struct vblk *blk, uint32_t tag, uint32_t type, uint64_t sector, void *data, uint32_t len)
{
    if (tag >= VBLK_DEPTH)
    {
        return -1;
    }
    post(blk, tag, type, sector, data, len);
    return 0;
}

int vblk_reap(struct vblk *blk, uint32_t *tag, int *st)
{
    (void)blk;
    const struct vq_used_elem *e = take_used(&blkq);
    if (e == 0)
    {
        return 0;
    }
    /* The device names the head it used; only heads this driver posted are accepted. */
    const uint32_t head = e->id;
    if (head % 3 != 0 || head / 3 >= VBLK_DEPTH)
    {
        *tag = VBLK_DEPTH;
        *st = -1;
        return 1;
    }
    *tag = head / 3;
    *st = status[*tag];
    return 1;
}

int vnet_init(struct vnet *net, uintptr_t base, int irq)
{
    net->base = base;
    net->irq = irq;
    net->interrupts = 0;
    const int64_t wanted = negotiate(base, 1u << F_NET_MAC);
    if (wanted < 0)
    {
        return (int)wanted;
    }
    if (queue_setup(base, 0, &net->rx, VQ_NET_SIZE, irq != 0) != 0 || queue_setup(base, 1, &net->tx, VQ_NET_SIZE, 0) != 0)
    {
        return -3;
    }
    if (irq)
    {
        plic_enable(PLIC_CTX_M, irq, 1);
    }
    for (uint16_t i = 0; i < VQ_NET_SIZE; i++)
    {
        net->rx.desc[i] = (struct vq_desc){(uintptr_t)net->rx_buf[i], VNET_BUF, D_WRITE, 0};
        net->rx.avail.ring[i] = i;
    }
    net->tx.desc[0] = (struct vq_desc){(uintptr_t)net->tx_buf, 0, 0, 0};
    barrier();
    net->rx.avail.idx = VQ_NET_SIZE;
    driver_ok(base);
    wr(base, REG_QUEUE_NOTIFY, 0);
    for (int i = 0; i < 6; i++)
    {
        net->mac[i] = (wanted >> F_NET_MAC) & 1 ? *(volatile uint8_t *)(base + REG_CONFIG + i) : 0;
    }
    return 0;
}

int vnet_send(struct vnet *net, const void *frame, uint32_t len)
{
    if (len > VNET_BUF - VNET_HDR)
    {
        return -1;
    }
    memset(net->tx_buf, 0, VNET_HDR); /* no checksum or segmentation offload */
    memcpy(net->tx_buf + VNET_HDR, frame, len);
    net->tx.desc[0].len = VNET_HDR + len;
    publish(net->base, 1, &net->tx, 0);
    for (uint32_t spin = 0; spin < 10000000; spin++)
    {
        if (take_used(&net->tx) != 0)
        {
            return 0;
        }
    }
    return -1;
}

uint32_t vnet_recv(struct vnet *net, void *buf, uint32_t cap)
{
    const struct vq_used_elem *e = take_used(&net->rx);
    if (e == 0)
    {
        return 0;
    }
    const uint16_t id = (uint16_t)e->id;
    uint32_t len = e->len > VNET_HDR ? e->len - VNET_HDR : 0;
    if (id >= VQ_NET_SIZE)
    {
        return 0; /* a device bug: nothing sensible to repost */
    }
    if (len > cap)
    {
        len = cap;
    }
    memcpy(buf, net->rx_buf[id] + VNET_HDR, len);
    publish(net->base, 0, &net->rx, id);
    return len;
}

int vnet_wait(struct vnet *net, uint64_t deadline)
{
    return wait_interrupt(net->base, net->irq, &net->interrupts, deadline);
}
