/* main() for the assembly ISA tests. */
#include "guest.h"

long run_tests(void);

int main(void)
{
    run_tests();
    test_pass(test_name);
    return 0;
}
