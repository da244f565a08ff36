/* hello-sbi (S-mode under SBI firmware): console through every SBI console path,
 * BASE spec version and extension probes, SRST shutdown with reason "none". */
#include "guest.h"
#include "sbi.h"

static void legacy_print(const char *s)
{
    while (*s) sbi_legacy_putchar(*s++);
}

int main(void)
{
    legacy_print("javisor-guest: start\n");
    int dbcn = sbi_has(SBI_EXT_DBCN);

    static const char line1[] = "line 1: DBCN write\n";
    if (dbcn)
        sbi_call(SBI_EXT_DBCN, 0, sizeof line1 - 1, (long)(uintptr_t)line1, 0);
    else
        legacy_print(line1);   /* firmware without DBCN (e.g. OpenSBI 1.1): same text */

    const char *line2 = "line 2: DBCN write_byte\n";
    for (const char *p = line2; *p; p++) {
        if (dbcn)
            sbi_call(SBI_EXT_DBCN, 2, (unsigned char)*p, 0, 0);
        else
            sbi_legacy_putchar(*p);
    }
    legacy_print("line 3: legacy putchar\n");

    struct sbiret spec = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);
    legacy_print("spec version >= 0.2: ");
    legacy_print(spec.error == 0 && spec.value >= 2 ? "yes\n" : "no\n");

    static const struct { const char *name; long eid; } ext[] = {
        { "TIME", SBI_EXT_TIME }, { "IPI", SBI_EXT_IPI }, { "RFENCE", SBI_EXT_RFENCE },
        { "HSM", SBI_EXT_HSM }, { "SRST", SBI_EXT_SRST }, { "DBCN", SBI_EXT_DBCN },
    };
    for (unsigned i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        legacy_print("probe ");
        legacy_print(ext[i].name);
        legacy_print(sbi_has(ext[i].eid) ? ": yes\n" : ": no\n");
    }
    legacy_print("shutdown\n");
    return 0;
}
