/* hello (bare): one line on the UART, then pass. */
#include "guest.h"

int main(void)
{
    println("Hello from javisor guest");
    return 0;
}
