/* virtio-blk disk test (bare, polled): find the disk, write a pattern, read it back, flush,
 * check; get the id; a read past the end must fail with IOERR. Needs a 1 MiB disk with serial vda. */
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
    const int rc = vblk_init(&blk, base);
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

    for (int i = 0; i < 4096; i++)
    {
        out[i] = (uint8_t)(i * 7 + (i >> 8));
    }
    int failures = 0;
    for (uint64_t sector = 0; sector < 64; sector += 8)
    {
        out[0] = (uint8_t)sector;
        failures += vblk_request(&blk, VIRTIO_BLK_T_OUT, sector, out, sizeof out) != VIRTIO_BLK_S_OK;
    }
    result("flush", vblk_request(&blk, VIRTIO_BLK_T_FLUSH, 0, 0, 0));
    for (uint64_t sector = 0; sector < 64; sector += 8)
    {
        for (int i = 0; i < 4096; i++)
        {
            in[i] = 0;
        }
        failures += vblk_request(&blk, VIRTIO_BLK_T_IN, sector, in, sizeof in) != VIRTIO_BLK_S_OK;
        out[0] = (uint8_t)sector;
        for (int i = 0; i < 4096; i++)
        {
            failures += in[i] != out[i];
        }
    }
    result("pattern mismatches and failed requests", failures);
    result("get-id", vblk_request(&blk, VIRTIO_BLK_T_GET_ID, 0, id, 20));
    print("id: ");
    println(id);
    result("read past the end", vblk_request(&blk, VIRTIO_BLK_T_IN, blk.capacity, in, 512));
    println(failures == 0 ? "virtio-blk: pass" : "virtio-blk: FAIL");
    return failures != 0;
}
