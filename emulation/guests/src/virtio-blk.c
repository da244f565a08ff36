/* virtio-blk disk test (bare): find the disk, write a pattern, flush, read it back and check, once
 * polled and once driven by the device's interrupt through the PLIC; get the id; a read past the end
 * must fail with IOERR. Needs a 1 MiB disk with serial vda. */
#include "guest.h"
#include "virtio.h"

static uint8_t out[4096] __attribute__((aligned(16)));
static uint8_t in[4096] __attribute__((aligned(16)));
static char id[21];

static void result(const char *what, int status)
{
    print(what);
    print(": ");
    print_dec((uint64_t)status);
    println("");
}

/* Eight 4 KiB writes from `first`, a flush, eight reads compared: failed requests plus mismatches. */
static int round_trip(struct vblk *blk, const char *mode, uint64_t first, int salt)
{
    for (int i = 0; i < 4096; i++)
    {
        out[i] = (uint8_t)(i * 7 + (i >> 8) + salt);
    }
    int failures = 0;
    for (uint64_t sector = first; sector < first + 64; sector += 8)
    {
        out[0] = (uint8_t)sector;
        failures += vblk_request(blk, VIRTIO_BLK_T_OUT, sector, out, sizeof out) != VIRTIO_BLK_S_OK;
    }
    print(mode);
    result(" flush", vblk_request(blk, VIRTIO_BLK_T_FLUSH, 0, 0, 0));
    for (uint64_t sector = first; sector < first + 64; sector += 8)
    {
        memset(in, 0, sizeof in);
        failures += vblk_request(blk, VIRTIO_BLK_T_IN, sector, in, sizeof in) != VIRTIO_BLK_S_OK;
        out[0] = (uint8_t)sector;
        for (int i = 0; i < 4096; i++)
        {
            failures += in[i] != out[i];
        }
    }
    print(mode);
    result(" pattern mismatches and failed requests", failures);
    return failures;
}

int main(void)
{
    const uintptr_t base = virtio_find(VIRTIO_ID_BLOCK);
    if (base == 0)
    {
        println("virtio-blk: no device");
        return 1;
    }
    print("virtio-blk: device at ");
    print_hex(base);
    println("");
    struct vblk blk;
    int rc = vblk_init(&blk, base, 0);
    if (rc != 0)
    {
        result("virtio-blk: init failed at step", -rc);
        return 2;
    }
    print("capacity sectors: ");
    print_dec(blk.capacity);
    println("");
    result("flush negotiated", blk.flush);
    result("blk_size", (int)blk.blk_size);
    int failures = round_trip(&blk, "polled:", 0, 0);

    rc = vblk_init(&blk, base, virtio_irq(base));
    if (rc != 0)
    {
        result("virtio-blk: init with interrupts failed at step", -rc);
        return 2;
    }
    failures += round_trip(&blk, "interrupts:", 64, 3);
    result("get-id", vblk_request(&blk, VIRTIO_BLK_T_GET_ID, 0, id, 20));
    print("id: ");
    println(id);
    result("read past the end", vblk_request(&blk, VIRTIO_BLK_T_IN, blk.capacity, in, 512));
    result("interrupts taken (one per request)", (int)blk.interrupts);
    println(failures == 0 ? "virtio-blk: pass" : "virtio-blk: FAIL");
    return failures != 0;
}
