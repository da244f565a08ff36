package io.javisor.emulation.device.lan9118;

/**
 * Register map and bits of the SMSC LAN9118 as Linux's {@code smsc911x} drives it, in 32-bit mode
 * ({@code reg-io-width = <4>}): system control and status registers at byte offsets, the MAC CSRs
 * behind {@link #MAC_CSR_CMD}/{@link #MAC_CSR_DATA}, and the internal PHY's MII registers.
 */
public final class Lan9118Descriptor
{
    /** The register window: 256 bytes. */
    public static final long SIZE = 0x100;

    // System control and status registers (byte offsets).
    /** 0x00-0x1C all alias the RX data FIFO port. */
    public static final int RX_DATA_FIFO = 0x00;
    public static final int RX_DATA_FIFO_END = 0x20;
    /** 0x20-0x3C all alias the TX data FIFO port. */
    public static final int TX_DATA_FIFO = 0x20;
    public static final int TX_DATA_FIFO_END = 0x40;
    public static final int RX_STATUS_FIFO = 0x40;
    public static final int RX_STATUS_FIFO_PEEK = 0x44;
    public static final int TX_STATUS_FIFO = 0x48;
    public static final int TX_STATUS_FIFO_PEEK = 0x4C;
    public static final int ID_REV = 0x50;
    public static final int IRQ_CFG = 0x54;
    public static final int INT_STS = 0x58;
    public static final int INT_EN = 0x5C;
    public static final int BYTE_TEST = 0x64;
    public static final int FIFO_INT = 0x68;
    public static final int RX_CFG = 0x6C;
    public static final int TX_CFG = 0x70;
    public static final int HW_CFG = 0x74;
    public static final int RX_DP_CTRL = 0x78;
    public static final int RX_FIFO_INF = 0x7C;
    public static final int TX_FIFO_INF = 0x80;
    public static final int PMT_CTRL = 0x84;
    public static final int GPIO_CFG = 0x88;
    public static final int GPT_CFG = 0x8C;
    public static final int GPT_CNT = 0x90;
    public static final int WORD_SWAP = 0x98;
    public static final int FREE_RUN = 0x9C;
    public static final int RX_DROP = 0xA0;
    public static final int MAC_CSR_CMD = 0xA4;
    public static final int MAC_CSR_DATA = 0xA8;
    public static final int AFC_CFG = 0xAC;
    public static final int E2P_CMD = 0xB0;
    public static final int E2P_DATA = 0xB4;

    /** LAN9118, revision 1: chip id in the high half. */
    public static final int ID_REV_VALUE = 0x0118_0001;
    public static final int BYTE_TEST_VALUE = 0x8765_4321;

    // IRQ_CFG.
    public static final int IRQ_CFG_INT_DEAS = 0xFF00_0000;
    public static final int IRQ_CFG_IRQ_INT = 0x0000_1000;
    public static final int IRQ_CFG_IRQ_EN = 0x0000_0100;
    public static final int IRQ_CFG_IRQ_POL = 0x0000_0010;
    public static final int IRQ_CFG_IRQ_TYPE = 0x0000_0001;

    // INT_STS / INT_EN.
    public static final int INT_SW = 0x8000_0000;
    public static final int INT_TXSTOP = 0x0200_0000;
    public static final int INT_RXSTOP = 0x0100_0000;
    public static final int INT_RXDFH = 0x0080_0000;
    public static final int INT_TX_IOC = 0x0020_0000;
    public static final int INT_RXD = 0x0010_0000;
    public static final int INT_GPT = 0x0008_0000;
    public static final int INT_PHY = 0x0004_0000;
    public static final int INT_PME = 0x0002_0000;
    public static final int INT_TXSO = 0x0001_0000;
    public static final int INT_RWT = 0x0000_8000;
    public static final int INT_RXE = 0x0000_4000;
    public static final int INT_TXE = 0x0000_2000;
    public static final int INT_TDFU = 0x0000_0800;
    public static final int INT_TDFO = 0x0000_0400;
    public static final int INT_TDFA = 0x0000_0200;
    public static final int INT_TSFF = 0x0000_0100;
    public static final int INT_TSFL = 0x0000_0080;
    public static final int INT_RXDF = 0x0000_0040;
    public static final int INT_RDFL = 0x0000_0020;
    public static final int INT_RSFF = 0x0000_0010;
    public static final int INT_RSFL = 0x0000_0008;
    /** Bits that do not exist in INT_STS/INT_EN on the LAN9118. */
    public static final int INT_RESERVED = 0x7C00_1000;

    // FIFO_INT.
    public static final int FIFO_INT_TX_AVAIL_LEVEL_SHIFT = 24;
    public static final int FIFO_INT_TX_STS_LEVEL_SHIFT = 16;
    public static final int FIFO_INT_RX_STS_LEVEL_SHIFT = 0;
    public static final int FIFO_INT_RESET = 0x4800_0000;

    // RX_CFG.
    public static final int RX_CFG_END_ALIGN_SHIFT = 30;
    public static final int RX_CFG_DUMP = 0x0000_8000;
    public static final int RX_CFG_RXDOFF_SHIFT = 8;
    public static final int RX_CFG_RXDOFF_MASK = 0x1F;
    public static final int RX_CFG_WRITABLE = 0xCFFF_1F00;

    // TX_CFG.
    public static final int TX_CFG_TXS_DUMP = 0x0000_8000;
    public static final int TX_CFG_TXD_DUMP = 0x0000_4000;
    public static final int TX_CFG_TXSAO = 0x0000_0004;
    public static final int TX_CFG_TX_ON = 0x0000_0002;
    public static final int TX_CFG_STOP_TX = 0x0000_0001;

    // HW_CFG: TX FIFO size 5 KiB, 32-bit mode.
    public static final int HW_CFG_SRST = 0x0000_0001;
    public static final int HW_CFG_32_BIT = 0x0000_0004;
    public static final int HW_CFG_RESET = 0x0005_0000 | HW_CFG_32_BIT;
    public static final int HW_CFG_WRITABLE = 0x003F_3000 | 0x000F_0000;

    public static final int RX_DP_CTRL_FFWD = 0x8000_0000;

    // PMT_CTRL.
    public static final int PMT_CTRL_READY = 0x0000_0001;
    public static final int PMT_CTRL_PHY_RST = 0x0000_0400;
    public static final int PMT_CTRL_WRITABLE = 0x0000_334E;

    // MAC_CSR_CMD.
    public static final int MAC_CSR_BUSY = 0x8000_0000;
    public static final int MAC_CSR_READ = 0x4000_0000;
    public static final int MAC_CSR_ADDRESS = 0x0000_00FF;

    public static final int E2P_CMD_BUSY = 0x8000_0000;

    // MAC CSRs (indices behind MAC_CSR_CMD).
    public static final int MAC_CR = 1;
    public static final int MAC_ADDRH = 2;
    public static final int MAC_ADDRL = 3;
    public static final int MAC_HASHH = 4;
    public static final int MAC_HASHL = 5;
    public static final int MAC_MII_ACC = 6;
    public static final int MAC_MII_DATA = 7;
    public static final int MAC_FLOW = 8;
    public static final int MAC_VLAN1 = 9;
    public static final int MAC_VLAN2 = 10;
    public static final int MAC_WUFF = 11;
    public static final int MAC_WUCSR = 12;
    public static final int MAC_CSRS = 13;

    // MAC_CR.
    public static final int MAC_CR_RXALL = 0x8000_0000;
    public static final int MAC_CR_LOOPBK = 0x0020_0000;
    public static final int MAC_CR_FDPX = 0x0010_0000;
    public static final int MAC_CR_MCPAS = 0x0008_0000;
    public static final int MAC_CR_PRMS = 0x0004_0000;
    public static final int MAC_CR_INVFILT = 0x0002_0000;
    public static final int MAC_CR_PASSBAD = 0x0001_0000;
    public static final int MAC_CR_HFILT = 0x0000_8000;
    public static final int MAC_CR_HPFILT = 0x0000_2000;
    public static final int MAC_CR_BCAST = 0x0000_0800;
    public static final int MAC_CR_TXEN = 0x0000_0008;
    public static final int MAC_CR_RXEN = 0x0000_0004;
    public static final int MAC_CR_RESERVED = 0x6F40_4213;

    // MII_ACC.
    public static final int MII_ACC_PHY_SHIFT = 11;
    public static final int MII_ACC_REG_SHIFT = 6;
    public static final int MII_ACC_WRITE = 0x2;
    public static final int MII_ACC_BUSY = 0x1;

    /** The internal PHY answers at this MII address only (Linux's smsc911x probes it there). */
    public static final int PHY_ADDRESS = 1;

    // PHY registers (IEEE 802.3 clause 22 plus the LAN9118's vendor ones).
    public static final int PHY_BMCR = 0;
    public static final int PHY_BMSR = 1;
    public static final int PHY_ID1 = 2;
    public static final int PHY_ID2 = 3;
    public static final int PHY_ANAR = 4;
    public static final int PHY_ANLPAR = 5;
    public static final int PHY_ANER = 6;
    public static final int PHY_MODE_CONTROL = 17;
    public static final int PHY_SPECIAL_MODES = 18;
    public static final int PHY_SPECIAL_CONTROL = 27;
    public static final int PHY_INT_SOURCE = 29;
    public static final int PHY_INT_MASK = 30;
    public static final int PHY_SPECIAL_STATUS = 31;

    public static final int PHY_ID1_VALUE = 0x0007;
    public static final int PHY_ID2_VALUE = 0xC0D1;
    public static final int BMCR_RESET = 0x8000;
    public static final int BMCR_LOOPBACK = 0x4000;
    public static final int BMCR_ANENABLE = 0x1000;
    public static final int BMCR_RESET_VALUE = 0x3000;
    public static final int BMCR_WRITABLE = 0x7980;
    /** 100BASE-TX/10BASE-T full and half, autonegotiation able, preamble suppression. */
    public static final int BMSR_CAPABILITIES = 0x7809;
    public static final int BMSR_LINK_UP = 0x0004;
    public static final int BMSR_ANEG_COMPLETE = 0x0020;
    public static final int ANAR_RESET_VALUE = 0x01E1;
    /** The partner: acknowledged, pause, 100 full/half, 10 full/half. */
    public static final int ANLPAR_VALUE = 0x45E1;
    public static final int MODE_CONTROL_ENERGYON = 0x0002;
    /** Autonegotiation done, 100BASE-TX full duplex. */
    public static final int SPECIAL_STATUS_VALUE = 0x1000 | 6 << 2;
    public static final int PHY_INT_ENERGYON = 0x80;
    public static final int PHY_INT_ANEG_COMPLETE = 0x40;

    // TX command words.
    public static final int TX_CMD_A_IOC = 0x8000_0000;
    public static final int TX_CMD_A_END_ALIGN_SHIFT = 24;
    public static final int TX_CMD_A_OFFSET_SHIFT = 16;
    public static final int TX_CMD_A_OFFSET_MASK = 0x1F;
    public static final int TX_CMD_A_FIRST = 0x0000_2000;
    public static final int TX_CMD_A_LAST = 0x0000_1000;
    public static final int TX_CMD_A_SIZE = 0x0000_07FF;
    public static final int TX_CMD_B_TAG_SHIFT = 16;
    public static final int TX_CMD_B_ADD_CRC_DISABLE = 0x0000_2000;
    public static final int TX_CMD_B_DISABLE_PADDING = 0x0000_1000;
    public static final int TX_CMD_B_LENGTH = 0x0000_07FF;

    // Status words.
    public static final int TX_STS_ES = 0x0000_8000;
    public static final int TX_STS_TAG_SHIFT = 16;
    public static final int RX_STS_FILTER_FAIL = 0x4000_0000;
    public static final int RX_STS_LENGTH_SHIFT = 16;
    public static final int RX_STS_LENGTH_MASK = 0x3FFF;
    public static final int RX_STS_ES = 0x0000_8000;
    public static final int RX_STS_BROADCAST = 0x0000_2000;
    public static final int RX_STS_MULTICAST = 0x0000_0400;
    public static final int RX_STS_FRAME_TYPE = 0x0000_0020;

    // FIFO sizes with TX_FIF_SZ = 5 (the reset value): data in bytes, status in entries.
    public static final int TX_DATA_FIFO_BYTES = 4608;
    public static final int TX_STATUS_FIFO_ENTRIES = 128;
    public static final int RX_DATA_FIFO_BYTES = 10560;
    public static final int RX_STATUS_FIFO_ENTRIES = 176;
    /** The longest frame the MAC takes or sends (without CRC): 1518 + VLAN tags, as the data sheet's 2 KiB. */
    public static final int MAX_FRAME = 2048 - 4;
    public static final int MIN_FRAME = 14;
    /** Frames shorter than this are padded by the transmitter unless padding is disabled. */
    public static final int PAD_TO = 60;

    private Lan9118Descriptor()
    {
    }
}
