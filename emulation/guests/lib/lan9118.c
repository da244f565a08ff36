/* LAN9118 driver (see lan9118.h); register facts from the data sheet as Linux's smsc911x and
 * QEMU's model use them. RSFL is a level condition (set while the RX status FIFO holds more entries
 * than FIFO_INT's RX level) latched in INT_STS: the receive path clears it when it finds the FIFO
 * empty, so the line stays low until the next frame. */
#include "lan9118.h"
#include "guest.h"
#include "plic.h"

#define RX_DATA_FIFO 0x00
#define TX_DATA_FIFO 0x20
#define RX_STATUS_FIFO 0x40
#define TX_STATUS_FIFO 0x48
#define IRQ_CFG 0x54
#define INT_STS 0x58
#define INT_EN 0x5C
#define BYTE_TEST 0x64
#define FIFO_INT 0x68
#define RX_CFG 0x6C
#define TX_CFG 0x70
#define HW_CFG 0x74
#define RX_DP_CTRL 0x78
#define RX_FIFO_INF 0x7C
#define TX_FIFO_INF 0x80
#define PMT_CTRL 0x84
#define MAC_CSR_CMD 0xA4
#define MAC_CSR_DATA 0xA8

#define BYTE_TEST_VALUE 0x87654321u
#define IRQ_CFG_IRQ_EN 0x100u
#define IRQ_CFG_IRQ_POL 0x10u  /* active high */
#define IRQ_CFG_IRQ_TYPE 0x1u  /* push-pull */
#define INT_RSFL 0x8u
#define FIFO_INT_RX_STS_LEVEL 0xFFu
#define HW_CFG_SRST 0x1u
#define PMT_CTRL_READY 0x1u
#define TX_CFG_TX_ON 0x2u
#define RX_DP_CTRL_FFWD 0x80000000u
#define CSR_BUSY 0x80000000u
#define CSR_READ 0x40000000u

#define MAC_CR 1
#define MAC_ADDRH 2
#define MAC_ADDRL 3
#define MAC_CR_FDPX 0x00100000u
#define MAC_CR_TXEN 0x8u
#define MAC_CR_RXEN 0x4u

#define TX_CMD_A_FIRST 0x2000u
#define TX_CMD_A_LAST 0x1000u
#define TX_STS_ES 0x8000u
#define RX_STS_ES 0x8000u

#define SPIN 1000000

static inline uint32_t rd(const struct lan9118 *nic, uint32_t reg) { return mmio_read32(nic->base + reg); }
static inline void wr(const struct lan9118 *nic, uint32_t reg, uint32_t v) { mmio_write32(nic->base + reg, v); }

static int csr_wait(const struct lan9118 *nic)
{
    for (int spin = 0; spin < SPIN; spin++)
    {
        if (!(rd(nic, MAC_CSR_CMD) & CSR_BUSY))
        {
            return 0;
        }
    }
    return -1;
}

static int mac_read(const struct lan9118 *nic, uint32_t csr, uint32_t *v)
{
    if (csr_wait(nic))
    {
        return -1;
    }
    wr(nic, MAC_CSR_CMD, CSR_BUSY | CSR_READ | csr);
    if (csr_wait(nic))
    {
        return -1;
    }
    *v = rd(nic, MAC_CSR_DATA);
    return 0;
}

static int mac_write(const struct lan9118 *nic, uint32_t csr, uint32_t v)
{
    if (csr_wait(nic))
    {
        return -1;
    }
    wr(nic, MAC_CSR_DATA, v);
    wr(nic, MAC_CSR_CMD, CSR_BUSY | csr);
    return csr_wait(nic);
}

int lan9118_init(struct lan9118 *nic, uintptr_t base, int irq)
{
    nic->base = base;
    nic->tx_errors = 0;
    nic->rx_errors = 0;
    nic->irq = irq;
    nic->interrupts = 0;
    if (rd(nic, BYTE_TEST) != BYTE_TEST_VALUE)
    {
        return -1;
    }
    wr(nic, HW_CFG, HW_CFG_SRST);
    int spin = 0;
    while ((rd(nic, HW_CFG) & HW_CFG_SRST) || !(rd(nic, PMT_CTRL) & PMT_CTRL_READY))
    {
        if (++spin == SPIN)
        {
            return -2;
        }
    }
    uint32_t high, low;
    if (mac_read(nic, MAC_ADDRH, &high) || mac_read(nic, MAC_ADDRL, &low))
    {
        return -3;
    }
    for (int i = 0; i < 4; i++)
    {
        nic->mac[i] = (uint8_t)(low >> 8 * i);
    }
    nic->mac[4] = (uint8_t)high;
    nic->mac[5] = (uint8_t)(high >> 8);
    wr(nic, RX_CFG, 0); /* no data offset, 4-byte end alignment */
    wr(nic, TX_CFG, TX_CFG_TX_ON);
    if (mac_write(nic, MAC_CR, MAC_CR_FDPX | MAC_CR_TXEN | MAC_CR_RXEN))
    {
        return -4;
    }
    if (irq)
    {
        wr(nic, FIFO_INT, rd(nic, FIFO_INT) & ~FIFO_INT_RX_STS_LEVEL); /* RSFL from the first entry */
        wr(nic, INT_STS, 0xFFFFFFFFu);
        wr(nic, INT_EN, INT_RSFL);
        wr(nic, IRQ_CFG, IRQ_CFG_IRQ_EN | IRQ_CFG_IRQ_POL | IRQ_CFG_IRQ_TYPE);
        plic_enable(PLIC_CTX_M, irq, 1);
    }
    return 0;
}

int lan9118_send(struct lan9118 *nic, const void *frame, uint32_t len)
{
    static uint32_t words[(1514 + 3) / 4];
    if (len == 0 || len > 1514)
    {
        return -1;
    }
    memcpy(words, frame, len);
    const uint32_t n = (len + 3) / 4;
    int spin = 0;
    while ((rd(nic, TX_FIFO_INF) & 0xFFFF) < 8 + 4 * n)
    {
        if (++spin == SPIN)
        {
            return -1;
        }
    }
    volatile uint32_t *fifo = (volatile uint32_t *)(nic->base + TX_DATA_FIFO);
    *fifo = TX_CMD_A_FIRST | TX_CMD_A_LAST | len;
    *fifo = len << 16 | len; /* tag = length, frame length */
    for (uint32_t i = 0; i < n; i++)
    {
        *fifo = words[i];
    }
    spin = 0;
    while (!(rd(nic, TX_FIFO_INF) & 0x00FF0000))
    {
        if (++spin == SPIN)
        {
            return -1;
        }
    }
    const uint32_t status = rd(nic, TX_STATUS_FIFO);
    if ((status & TX_STS_ES) || status >> 16 != len)
    {
        nic->tx_errors++;
        return -1;
    }
    return 0;
}

uint32_t lan9118_recv(struct lan9118 *nic, void *buf, uint32_t cap)
{
    for (;;)
    {
        if (!(rd(nic, RX_FIFO_INF) & 0x00FF0000))
        {
            if (nic->irq)
            {
                wr(nic, INT_STS, INT_RSFL); /* the FIFO is empty: RSFL stays clear until a frame */
            }
            return 0;
        }
        const uint32_t status = rd(nic, RX_STATUS_FIFO);
        const uint32_t length = status >> 16 & 0x3FFF; /* with the 4-byte FCS */
        if ((status & RX_STS_ES) || length < 4 + 14 || length - 4 > cap)
        {
            nic->rx_errors++;
            wr(nic, RX_DP_CTRL, RX_DP_CTRL_FFWD);
            for (int spin = 0; spin < SPIN && (rd(nic, RX_DP_CTRL) & RX_DP_CTRL_FFWD); spin++)
            {
            }
            continue;
        }
        const uint32_t n = (length + 3) / 4;
        const uint32_t keep = (length - 4 + 3) / 4;
        volatile uint32_t *fifo = (volatile uint32_t *)(nic->base + RX_DATA_FIFO);
        uint32_t *to = buf;
        for (uint32_t i = 0; i < keep; i++)
        {
            to[i] = *fifo;
        }
        for (uint32_t i = keep; i < n; i++)
        {
            (void)*fifo;
        }
        return length - 4;
    }
}

int lan9118_wait(struct lan9118 *nic, uint64_t deadline)
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
        plic_complete(PLIC_CTX_M, source);
        if (source == nic->irq)
        {
            nic->interrupts++;
            return 1;
        }
    }
}
