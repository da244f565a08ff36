/* ata-disk (bare, javisor only): IDENTIFY the emulated ATA disk, write a pattern, flush, read it
 * back and compare, once polled and once with interrupts through the PLIC. */
#include "guest.h"
#include "ata.h"

#define SECTORS 8
static uint8_t out[SECTORS * 512] __attribute__((aligned(8)));
static uint8_t in[SECTORS * 512] __attribute__((aligned(8)));

static void round_trip(struct ata *a, uint64_t lba, int salt, const char *mode)
{
    for (int i = 0; i < SECTORS * 512; i++) out[i] = (uint8_t)(i * 13 + salt + (i >> 9));
    memset(in, 0, sizeof in);
    uint64_t before = a->exits;
    if (ata_write(a, lba, SECTORS, out)) { println("ata-disk: write failed"); guest_exit(2); }
    if (ata_flush(a)) { println("ata-disk: flush failed"); guest_exit(3); }
    uint64_t mid = a->exits;
    if (ata_read(a, lba, SECTORS, in)) { println("ata-disk: read failed"); guest_exit(4); }
    for (int i = 0; i < SECTORS * 512; i++) {
        if (in[i] != out[i]) {
            print("ata-disk: mismatch at byte "); print_dec((uint64_t)i); print(": "); print_hex(in[i]);
            print(" for "); print_hex(out[i]); println("");
            guest_exit(5);
        }
    }
    print("ata-disk: "); print(mode); print(" 4 KiB at lba "); print_dec(lba);
    print(" ok, write+flush exits "); print_dec(mid - before);
    print(", read exits "); print_dec(a->exits - mid); println("");
}

int main(void)
{
    struct ata a;
    if (ata_init(&a, ATA0_CMD, ATA0_CTL, 2, 0)) { println("ata-disk: no disk"); return 1; }
    print("ata-disk: model '"); print(a.model); print("', sectors "); print_dec(a.sectors); println("");
    round_trip(&a, 16, 1, "polled");
    if (ata_init(&a, ATA0_CMD, ATA0_CTL, 2, ATA0_IRQ)) { println("ata-disk: no disk"); return 1; }
    round_trip(&a, a.sectors - SECTORS, 2, "interrupts");
    print("ata-disk: interrupts "); print_dec(a.interrupts); println("");
    /* an out-of-range read must fail with IDNF */
    if (ata_read(&a, a.sectors, 1, in) != (0x100 | 0x10)) { println("ata-disk: no IDNF"); return 6; }
    println("ata-disk: pass");
    return 0;
}
