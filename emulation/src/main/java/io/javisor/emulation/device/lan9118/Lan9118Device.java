package io.javisor.emulation.device.lan9118;

import static io.javisor.emulation.device.lan9118.Lan9118Descriptor.*;

import io.javisor.emulation.board.IrqLine;
import io.javisor.emulation.board.MmioDevice;
import io.javisor.emulation.board.PolledDevice;
import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.bridge.BridgePort;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * An emulated SMSC LAN9118 Ethernet controller in 32-bit mode, as Linux's {@code smsc911x} drives
 * it, joined to a netback {@link Bridge} as one of its ports.
 * <p>
 * <b>Threading.</b> Two threads touch a device, and nothing is shared between them but one bounded
 * queue:
 * <ul>
 * <li>The <b>vCPU thread</b> is the single writer of every register, FIFO and counter but one: it
 * runs the guest's register accesses ({@link #read}/{@link #write}) and {@link #poll()}. A frame the
 * guest completes in the TX FIFO is handed to {@link Bridge#forward} on this thread (which switches
 * it at once if no agent holds the bridge's forwarding role, or copies it into the bridge's
 * hand-over queue).</li>
 * <li>The bridge's <b>forwarding thread</b> (whichever thread holds that role) calls the port's
 * {@code deliver}: it must not block and must not touch the guest-visible state, so it only copies
 * the frame into this device's host queue (a bounded many-to-one ring buffer, no allocation; full =
 * refused and counted) and wakes the hart. The vCPU thread moves queued frames into the RX FIFOs at
 * its next register access or poll; a frame that does not fit the RX FIFOs stays queued until the
 * guest drains them (back-pressure into the host queue rather than an RX FIFO overrun).</li>
 * </ul>
 * <p>
 * Model summary: TX command A/B words and data as the data sheet's TX FIFO format (data offset, end
 * alignment padding, first/last segments, tags into the TX status FIFO, IOC); RX frames packed with
 * RX_CFG's data offset and end alignment plus the 4-byte FCS, one status word each; INT_STS bits are
 * write-one-to-clear, the FIFO level bits (RSFL, TSFL, TDFA) reassert while their condition holds;
 * the output line is high while {@code INT_STS & INT_EN} and IRQ_CFG.IRQ_EN (the board's wire is
 * active high whatever IRQ_POL/IRQ_TYPE say); MAC CSRs and the internal PHY at MII address 1 (link
 * up, 100 full duplex) complete at once, so their BUSY bits always read clear. Unknown registers read
 * 0 and ignore writes; only aligned 4-byte accesses exist (the bus faults others).
 */
public final class Lan9118Device implements MmioDevice, PolledDevice
{
    /** Bytes of frames (plus 8-byte headers) waiting between the forwarding and the vCPU thread. */
    public static final int HOST_QUEUE_BYTES = 64 * 1024;
    private static final int FRAME_MSG_TYPE = 1;
    private static final int RX_DATA_WORDS = RX_DATA_FIFO_BYTES / 4;

    private static final int TX_IDLE = 0;
    private static final int TX_COMMAND_B = 1;
    private static final int TX_DATA = 2;

    private final IrqLine irq;
    private final Runnable wakeUp;
    private final Lan9118Statistics statistics = new Lan9118Statistics();
    private final ManyToOneRingBuffer hostQueue = new ManyToOneRingBuffer(
        new UnsafeBuffer(ByteBuffer.allocateDirect(HOST_QUEUE_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
    private final Port port = new Port();
    private final ControlledMessageHandler queuedFrameHandler = this::onQueuedFrame;
    private final CRC32 crc = new CRC32();
    private final long configuredMac;
    private final long startNanos = System.nanoTime();

    private Bridge bridge;
    private int portNumber;

    // System CSRs.
    private int irqCfg;
    private int intSts;
    private int intEn;
    private int fifoInt;
    private int rxCfg;
    private int txCfg;
    private int hwCfg;
    private int pmtCtrl;
    private int gpioCfg;
    private int gptCfg;
    private int wordSwap;
    private int afcCfg;
    private int e2pData;
    private int macCsrCmd;
    private int macCsrData;
    private boolean line;

    // MAC CSRs.
    private long mac;
    private int macCr;
    private int hashHigh;
    private int hashLow;
    private int miiAcc;
    private int miiData;
    private int flow;
    private int vlan1;
    private int vlan2;
    private int wucsr;

    // PHY.
    private int bmcr;
    private int anar;
    private int phyIntSource;
    private int phyIntMask;

    // RX: a ring of data words, a ring of status words, and the word count of each packet whose
    // data has not been started yet. Invariant: rxPackets counts packets with data in rxData
    // not yet started; rxCurrentLeft is the words left of the one being read.
    private final int[] rxData = new int[RX_DATA_WORDS];
    private int rxDataHead;
    private int rxDataUsed;
    private final int[] rxStatus = new int[RX_STATUS_FIFO_ENTRIES];
    private int rxStatusHead;
    private int rxStatusUsed;
    private final int[] rxPacketWords = new int[RX_STATUS_FIFO_ENTRIES];
    private int rxPacketHead;
    private int rxPackets;
    private int rxCurrentLeft;
    private final byte[] rxFrame = new byte[MAX_FRAME];

    // TX: the frame being assembled and the status FIFO.
    private final byte[] txFrame = new byte[MAX_FRAME];
    private final UnsafeBuffer txView = new UnsafeBuffer(txFrame);
    private int txState;
    private int txCommandA;
    private int txTag;
    private int txExpectedLength;
    private boolean txDisablePadding;
    private int txLength;
    private boolean txBad;
    private boolean txInFrame;
    /** Bytes of the current segment's FIFO stream: data offset + size + end padding. */
    private int txSegmentBytes;
    private int txSegmentOffset;
    private int txSegmentSize;
    private int txSegmentPosition;
    /** Bytes of the frame in progress sitting in the TX data FIFO (commands included). */
    private int txFifoUsed;
    private final int[] txStatus = new int[TX_STATUS_FIFO_ENTRIES];
    private int txStatusHead;
    private int txStatusUsed;

    /**
     * @param mac    the address from the vif spec, 48 bits, first byte most significant.
     * @param irq    the interrupt wire, active high (a PLIC source).
     * @param wakeUp called on the forwarding thread after a frame was queued, to wake a hart in WFI.
     */
    public Lan9118Device(final long mac, final IrqLine irq, final Runnable wakeUp)
    {
        this.configuredMac = mac & 0xFFFF_FFFF_FFFFL;
        this.irq = irq;
        this.wakeUp = wakeUp;
        reset();
    }

    /** Join {@code bridge} as a port; frames flow once the guest enables RX and TX. */
    public int attach(final Bridge bridge)
    {
        if (this.bridge != null)
        {
            throw new IllegalStateException("LAN9118 already attached to bridge " + this.bridge.name());
        }
        this.portNumber = bridge.attach(port);
        this.bridge = bridge;
        return portNumber;
    }

    /** Leave the bridge; no delivery runs once this returns. */
    public void detach()
    {
        if (bridge != null)
        {
            bridge.detach(portNumber);
            bridge = null;
            portNumber = 0;
        }
    }

    public BridgePort port()
    {
        return port;
    }

    public int portNumber()
    {
        return portNumber;
    }

    public Lan9118Statistics statistics()
    {
        return statistics;
    }

    /** The MAC address the device currently answers to (ADDRH/ADDRL). */
    public long macAddress()
    {
        return mac;
    }

    public boolean interruptLine()
    {
        return line;
    }

    /** The bridge's side: copies the frame into the host queue. Forwarding thread; never blocks. */
    private final class Port implements BridgePort
    {
        @Override
        public boolean deliver(final DirectBuffer frame, final int offset, final int length)
        {
            if (length < MIN_FRAME || length > MAX_FRAME || !hostQueue.write(FRAME_MSG_TYPE, frame, offset, length))
            {
                statistics.incrementAtomic(Lan9118Statistics.RX_DROPPED_HOST_QUEUE_FULL);
                return false;
            }
            wakeUp.run();
            return true;
        }

        @Override
        public String name()
        {
            return "lan9118";
        }

        @Override
        public long macAddress()
        {
            return configuredMac;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // vCPU thread from here on.
    // ---------------------------------------------------------------------------------------------

    @Override
    public long size()
    {
        return SIZE;
    }

    @Override
    public boolean supports(final long offset, final int size)
    {
        return size == 4 && (offset & 3) == 0;
    }

    @Override
    public void poll()
    {
        if (hostQueue.size() > 0)
        {
            hostQueue.controlledRead(queuedFrameHandler);
            update();
        }
    }

    private ControlledMessageHandler.Action onQueuedFrame(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        return receive(buffer, index, length) ? ControlledMessageHandler.Action.CONTINUE :
            ControlledMessageHandler.Action.ABORT;
    }

    private void reset()
    {
        irqCfg &= IRQ_CFG_IRQ_POL | IRQ_CFG_IRQ_TYPE;
        intSts = 0;
        intEn = 0;
        fifoInt = FIFO_INT_RESET;
        rxCfg = 0;
        txCfg = 0;
        hwCfg = HW_CFG_RESET;
        pmtCtrl = PMT_CTRL_READY;
        gpioCfg = 0;
        gptCfg = 0xFFFF;
        afcCfg = 0;
        e2pData = 0;
        macCsrCmd = 0;
        macCsrData = 0;
        mac = configuredMac;
        macCr = MAC_CR_PRMS;
        hashHigh = hashLow = 0;
        miiAcc = miiData = flow = vlan1 = vlan2 = wucsr = 0;
        phyReset();
        rxDump();
        txState = TX_IDLE;
        txInFrame = false;
        txFifoUsed = 0;
        txStatusUsed = 0;
        update();
    }

    private void phyReset()
    {
        bmcr = BMCR_RESET_VALUE;
        anar = ANAR_RESET_VALUE;
        phyIntMask = 0;
        phyIntSource = PHY_INT_ENERGYON | PHY_INT_ANEG_COMPLETE; // the link came up
    }

    private void rxDump()
    {
        rxDataUsed = 0;
        rxStatusUsed = 0;
        rxPackets = 0;
        rxCurrentLeft = 0;
    }

    @Override
    public long read(final long offset, final int size)
    {
        statistics.increment(Lan9118Statistics.REGISTER_READS);
        poll();
        final int o = (int)offset;
        if (o < RX_DATA_FIFO_END)
        {
            final int v = popRxData();
            update();
            return v & 0xFFFF_FFFFL;
        }
        final int v = switch (o)
        {
            case RX_STATUS_FIFO -> popRxStatus();
            case RX_STATUS_FIFO_PEEK -> rxStatusUsed == 0 ? 0 : rxStatus[rxStatusHead];
            case TX_STATUS_FIFO -> popTxStatus();
            case TX_STATUS_FIFO_PEEK -> txStatusUsed == 0 ? 0 : txStatus[txStatusHead];
            case ID_REV -> ID_REV_VALUE;
            case IRQ_CFG -> irqCfg;
            case INT_STS -> intSts;
            case INT_EN -> intEn;
            case BYTE_TEST -> BYTE_TEST_VALUE;
            case FIFO_INT -> fifoInt;
            case RX_CFG -> rxCfg;
            case TX_CFG -> txCfg;
            case HW_CFG -> hwCfg;
            case RX_FIFO_INF -> rxStatusUsed << 16 | (rxDataUsed * 4 & 0xFFFF);
            case TX_FIFO_INF -> txStatusUsed << 16 | (TX_DATA_FIFO_BYTES - txFifoUsed);
            case PMT_CTRL -> pmtCtrl;
            case GPIO_CFG -> gpioCfg;
            case GPT_CFG -> gptCfg;
            case GPT_CNT -> 0xFFFF;
            case WORD_SWAP -> wordSwap;
            case FREE_RUN -> (int)((System.nanoTime() - startNanos) / 40); // 25 MHz
            case MAC_CSR_CMD -> macCsrCmd;
            case MAC_CSR_DATA -> macCsrData;
            case AFC_CFG -> afcCfg;
            case E2P_DATA -> e2pData;
            default -> 0; // RX_DP_CTRL (FFWD done at once), RX_DROP, E2P_CMD (never busy), unimplemented
        };
        update();
        return v & 0xFFFF_FFFFL;
    }

    @Override
    public void write(final long offset, final int size, final long value)
    {
        statistics.increment(Lan9118Statistics.REGISTER_WRITES);
        poll();
        final int o = (int)offset;
        final int v = (int)value;
        if (o >= TX_DATA_FIFO && o < TX_DATA_FIFO_END)
        {
            pushTxData(v);
        }
        else
        {
            switch (o)
            {
                case IRQ_CFG -> irqCfg = (irqCfg & IRQ_CFG_IRQ_INT) |
                    (v & (IRQ_CFG_INT_DEAS | IRQ_CFG_IRQ_EN | IRQ_CFG_IRQ_POL | IRQ_CFG_IRQ_TYPE));
                case INT_STS -> intSts &= ~v;
                case INT_EN ->
                {
                    intEn = v & ~INT_RESERVED;
                    intSts |= v & INT_SW; // enabling SW_INT raises it: Linux's interrupt self-test
                }
                case FIFO_INT -> fifoInt = v;
                case RX_CFG ->
                {
                    if ((v & RX_CFG_DUMP) != 0)
                    {
                        rxDump();
                    }
                    rxCfg = v & RX_CFG_WRITABLE;
                }
                case TX_CFG -> writeTxCfg(v);
                case HW_CFG ->
                {
                    if ((v & HW_CFG_SRST) != 0)
                    {
                        reset();
                    }
                    else
                    {
                        hwCfg = (v & HW_CFG_WRITABLE) | HW_CFG_32_BIT;
                    }
                }
                case RX_DP_CTRL ->
                {
                    if ((v & RX_DP_CTRL_FFWD) != 0)
                    {
                        fastForward();
                    }
                }
                case PMT_CTRL ->
                {
                    if ((v & PMT_CTRL_PHY_RST) != 0)
                    {
                        phyReset();
                    }
                    pmtCtrl = (v & PMT_CTRL_WRITABLE & ~PMT_CTRL_PHY_RST) | PMT_CTRL_READY;
                }
                case GPIO_CFG -> gpioCfg = v;
                case GPT_CFG -> gptCfg = v & 0x2000_FFFF;
                case WORD_SWAP -> wordSwap = v;
                case MAC_CSR_CMD -> writeMacCsrCommand(v);
                case MAC_CSR_DATA -> macCsrData = v;
                case AFC_CFG -> afcCfg = v & 0x00FF_FFFF;
                case E2P_DATA -> e2pData = v & 0xFF;
                default ->
                {
                    // read-only or unimplemented (E2P_CMD: no EEPROM; the address comes from the DT)
                }
            }
        }
        update();
    }

    // ---------------------------------------------------------------------------------------------
    // Interrupts.
    // ---------------------------------------------------------------------------------------------

    private void update()
    {
        if (rxStatusUsed > (fifoInt & 0xFF))
        {
            intSts |= INT_RSFL;
        }
        if (rxStatusUsed == RX_STATUS_FIFO_ENTRIES)
        {
            intSts |= INT_RSFF;
        }
        if (txStatusUsed > (fifoInt >>> FIFO_INT_TX_STS_LEVEL_SHIFT & 0xFF))
        {
            intSts |= INT_TSFL;
        }
        if (txStatusUsed == TX_STATUS_FIFO_ENTRIES)
        {
            intSts |= INT_TSFF;
        }
        if (TX_DATA_FIFO_BYTES - txFifoUsed > (fifoInt >>> FIFO_INT_TX_AVAIL_LEVEL_SHIFT & 0xFF) * 64)
        {
            intSts |= INT_TDFA;
        }
        if ((phyIntSource & phyIntMask) != 0)
        {
            intSts |= INT_PHY;
        }
        else
        {
            intSts &= ~INT_PHY;
        }
        final boolean asserted = (intSts & intEn) != 0;
        irqCfg = asserted ? irqCfg | IRQ_CFG_IRQ_INT : irqCfg & ~IRQ_CFG_IRQ_INT;
        final boolean level = asserted && (irqCfg & IRQ_CFG_IRQ_EN) != 0;
        if (level != line)
        {
            line = level;
            irq.set(level);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // MAC CSRs and the PHY.
    // ---------------------------------------------------------------------------------------------

    private void writeMacCsrCommand(final int v)
    {
        macCsrCmd = v & (MAC_CSR_READ | MAC_CSR_ADDRESS); // the command completes at once: BUSY reads clear
        if ((v & MAC_CSR_BUSY) == 0)
        {
            return;
        }
        final int csr = v & MAC_CSR_ADDRESS;
        if ((v & MAC_CSR_READ) != 0)
        {
            macCsrData = readMacCsr(csr);
        }
        else
        {
            writeMacCsr(csr, macCsrData);
        }
    }

    private int readMacCsr(final int csr)
    {
        return switch (csr)
        {
            case MAC_CR -> macCr;
            case MAC_ADDRH -> (int)(mac >>> 8 & 0xFF) | (int)(mac & 0xFF) << 8;
            case MAC_ADDRL -> (int)(mac >>> 40 & 0xFF) | (int)(mac >>> 32 & 0xFF) << 8 |
                (int)(mac >>> 24 & 0xFF) << 16 | (int)(mac >>> 16 & 0xFF) << 24;
            case MAC_HASHH -> hashHigh;
            case MAC_HASHL -> hashLow;
            case MAC_MII_ACC -> miiAcc;
            case MAC_MII_DATA -> miiData;
            case MAC_FLOW -> flow;
            case MAC_VLAN1 -> vlan1;
            case MAC_VLAN2 -> vlan2;
            case MAC_WUCSR -> wucsr;
            default -> 0;
        };
    }

    private void writeMacCsr(final int csr, final int v)
    {
        switch (csr)
        {
            case MAC_CR ->
            {
                if ((macCr & MAC_CR_RXEN) != 0 && (v & MAC_CR_RXEN) == 0)
                {
                    intSts |= INT_RXSTOP; // the receiver stops at once
                }
                macCr = v & ~MAC_CR_RESERVED;
            }
            case MAC_ADDRH -> mac = (mac & 0xFFFF_FFFF_0000L) | (v & 0xFF) << 8 | (v >>> 8 & 0xFF);
            case MAC_ADDRL -> mac = (mac & 0xFFFFL) |
                ((long)(v & 0xFF) << 40) | ((long)(v >>> 8 & 0xFF) << 32) |
                ((long)(v >>> 16 & 0xFF) << 24) | ((long)(v >>> 24 & 0xFF) << 16);
            case MAC_HASHH -> hashHigh = v;
            case MAC_HASHL -> hashLow = v;
            case MAC_MII_ACC -> miiAccess(v);
            case MAC_MII_DATA -> miiData = v & 0xFFFF;
            case MAC_FLOW -> flow = v & 0xFFFF_0007 & ~1; // FCBSY never set
            case MAC_VLAN1 -> vlan1 = v & 0xFFFF;
            case MAC_VLAN2 -> vlan2 = v & 0xFFFF;
            case MAC_WUCSR -> wucsr = v & 0x0000_0306;
            default ->
            {
                // WUFF and unimplemented CSRs
            }
        }
    }

    private void miiAccess(final int v)
    {
        miiAcc = v & ~MII_ACC_BUSY; // completes at once
        final int phy = v >>> MII_ACC_PHY_SHIFT & 0x1F;
        final int register = v >>> MII_ACC_REG_SHIFT & 0x1F;
        if ((v & MII_ACC_WRITE) != 0)
        {
            if (phy == PHY_ADDRESS)
            {
                phyWrite(register, miiData);
            }
        }
        else
        {
            miiData = phy == PHY_ADDRESS ? phyRead(register) : 0xFFFF; // nobody answers: the bus floats high
        }
    }

    private int phyRead(final int register)
    {
        return switch (register)
        {
            case PHY_BMCR -> bmcr;
            case PHY_BMSR -> BMSR_CAPABILITIES | BMSR_LINK_UP | BMSR_ANEG_COMPLETE;
            case PHY_ID1 -> PHY_ID1_VALUE;
            case PHY_ID2 -> PHY_ID2_VALUE;
            case PHY_ANAR -> anar;
            case PHY_ANLPAR -> ANLPAR_VALUE;
            case PHY_ANER -> 0x0001;
            case PHY_MODE_CONTROL -> MODE_CONTROL_ENERGYON;
            case PHY_SPECIAL_MODES -> 0x00E0 | PHY_ADDRESS; // all capable, address 1
            case PHY_INT_SOURCE ->
            {
                final int s = phyIntSource;
                phyIntSource = 0; // read to clear
                yield s;
            }
            case PHY_INT_MASK -> phyIntMask;
            case PHY_SPECIAL_STATUS -> SPECIAL_STATUS_VALUE;
            default -> 0;
        };
    }

    private void phyWrite(final int register, final int v)
    {
        switch (register)
        {
            case PHY_BMCR ->
            {
                if ((v & BMCR_RESET) != 0)
                {
                    phyReset();
                }
                else
                {
                    bmcr = v & BMCR_WRITABLE;
                }
            }
            case PHY_ANAR -> anar = (v & 0x2D7F) | 0x0001;
            case PHY_INT_MASK -> phyIntMask = v & 0xFE;
            default ->
            {
                // read-only or not modelled
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Receive.
    // ---------------------------------------------------------------------------------------------

    /**
     * Takes one frame into the RX FIFOs, or drops it (RX disabled, filtered, bad length).
     *
     * @return false when it does not fit yet: it stays where it is.
     */
    private boolean receive(final DirectBuffer src, final int index, final int length)
    {
        if ((macCr & MAC_CR_RXEN) == 0)
        {
            statistics.increment(Lan9118Statistics.RX_DROPPED_DISABLED);
            return true;
        }
        if (length < MIN_FRAME || length > MAX_FRAME)
        {
            statistics.increment(Lan9118Statistics.RX_DROPPED_FILTER);
            return true;
        }
        final int offset = rxCfg >>> RX_CFG_RXDOFF_SHIFT & RX_CFG_RXDOFF_MASK;
        final int align = alignment(rxCfg >>> RX_CFG_END_ALIGN_SHIFT & 3);
        final int streamBytes = offset + length + 4;
        final int words = (streamBytes + align - 1) / align * align / 4;
        if (rxStatusUsed == RX_STATUS_FIFO_ENTRIES || rxPackets == RX_STATUS_FIFO_ENTRIES ||
            rxDataUsed + words > RX_DATA_WORDS)
        {
            return false;
        }
        src.getBytes(index, rxFrame, 0, length);
        final boolean pass = filter();
        if (!pass && (macCr & MAC_CR_RXALL) == 0)
        {
            statistics.increment(Lan9118Statistics.RX_DROPPED_FILTER);
            return true;
        }
        crc.reset();
        crc.update(rxFrame, 0, length);
        final int fcs = (int)crc.getValue();
        int word = 0;
        for (int i = 0; i < words * 4; i++)
        {
            final int at = i - offset;
            final int b;
            if (at < 0)
            {
                b = 0;
            }
            else if (at < length)
            {
                b = rxFrame[at] & 0xFF;
            }
            else if (at < length + 4)
            {
                b = fcs >>> 8 * (at - length) & 0xFF; // the FCS goes out least significant byte first
            }
            else
            {
                b = 0;
            }
            word |= b << 8 * (i & 3);
            if ((i & 3) == 3)
            {
                rxData[(rxDataHead + rxDataUsed) % RX_DATA_WORDS] = word;
                rxDataUsed++;
                word = 0;
            }
        }
        rxPacketWords[(rxPacketHead + rxPackets) % RX_STATUS_FIFO_ENTRIES] = words;
        rxPackets++;
        int status = (length + 4) << RX_STS_LENGTH_SHIFT;
        if (isBroadcast())
        {
            status |= RX_STS_BROADCAST;
        }
        else if ((rxFrame[0] & 1) != 0)
        {
            status |= RX_STS_MULTICAST;
        }
        if (((rxFrame[12] & 0xFF) << 8 | rxFrame[13] & 0xFF) >= 0x0600)
        {
            status |= RX_STS_FRAME_TYPE;
        }
        if (!pass)
        {
            status |= RX_STS_FILTER_FAIL;
        }
        rxStatus[(rxStatusHead + rxStatusUsed) % RX_STATUS_FIFO_ENTRIES] = status;
        rxStatusUsed++;
        statistics.increment(Lan9118Statistics.RX_FRAMES);
        statistics.add(Lan9118Statistics.RX_BYTES, length);
        return true;
    }

    private static int alignment(final int code)
    {
        return code == 1 ? 16 : code == 2 ? 32 : 4;
    }

    private boolean isBroadcast()
    {
        for (int i = 0; i < 6; i++)
        {
            if (rxFrame[i] != (byte)0xFF)
            {
                return false;
            }
        }
        return true;
    }

    /** The MAC's address filter on the destination address in {@link #rxFrame}. */
    private boolean filter()
    {
        if ((macCr & MAC_CR_PRMS) != 0)
        {
            return true;
        }
        if (isBroadcast())
        {
            return (macCr & MAC_CR_BCAST) == 0;
        }
        final boolean multicast = (rxFrame[0] & 1) != 0;
        if (multicast && (macCr & MAC_CR_MCPAS) != 0)
        {
            return true;
        }
        if (multicast ? (macCr & MAC_CR_HPFILT) != 0 : (macCr & MAC_CR_HFILT) != 0)
        {
            final int hash = etherCrc() >>> 26 & 0x3F;
            final int bits = (hash & 0x20) != 0 ? hashHigh : hashLow;
            return (bits >>> (hash & 0x1F) & 1) != 0;
        }
        long destination = 0;
        for (int i = 0; i < 6; i++)
        {
            destination = destination << 8 | (rxFrame[i] & 0xFF);
        }
        final boolean match = destination == mac;
        return (macCr & MAC_CR_INVFILT) != 0 ? !match : match;
    }

    /** The big-endian Ethernet CRC of the destination address, as the multicast hash uses it. */
    private int etherCrc()
    {
        int c = -1;
        for (int i = 0; i < 6; i++)
        {
            int octet = rxFrame[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++, octet >>>= 1)
            {
                c = (c << 1) ^ (((c < 0 ? 1 : 0) ^ (octet & 1)) != 0 ? 0x04C1_1DB7 : 0);
            }
        }
        return c;
    }

    private int popRxData()
    {
        if (rxCurrentLeft == 0 && !startNextPacket())
        {
            intSts |= INT_RXE; // underflow
            statistics.increment(Lan9118Statistics.RX_UNDERFLOWS);
            return 0;
        }
        final int v = rxData[rxDataHead];
        rxDataHead = (rxDataHead + 1) % RX_DATA_WORDS;
        rxDataUsed--;
        rxCurrentLeft--;
        return v;
    }

    private boolean startNextPacket()
    {
        if (rxPackets == 0)
        {
            return false;
        }
        rxCurrentLeft = rxPacketWords[rxPacketHead];
        rxPacketHead = (rxPacketHead + 1) % RX_STATUS_FIFO_ENTRIES;
        rxPackets--;
        return true;
    }

    /** RX_DP_CTRL.RX_FFWD: discard the rest of the current packet (or the whole next one). */
    private void fastForward()
    {
        if (rxCurrentLeft == 0 && !startNextPacket())
        {
            return;
        }
        rxDataHead = (rxDataHead + rxCurrentLeft) % RX_DATA_WORDS;
        rxDataUsed -= rxCurrentLeft;
        rxCurrentLeft = 0;
    }

    private int popRxStatus()
    {
        if (rxStatusUsed == 0)
        {
            return 0;
        }
        final int v = rxStatus[rxStatusHead];
        rxStatusHead = (rxStatusHead + 1) % RX_STATUS_FIFO_ENTRIES;
        rxStatusUsed--;
        return v;
    }

    // ---------------------------------------------------------------------------------------------
    // Transmit.
    // ---------------------------------------------------------------------------------------------

    private void writeTxCfg(final int v)
    {
        if ((v & TX_CFG_TXS_DUMP) != 0)
        {
            txStatusUsed = 0;
        }
        if ((v & TX_CFG_TXD_DUMP) != 0)
        {
            txState = TX_IDLE;
            txInFrame = false;
            txFifoUsed = 0;
        }
        if ((v & TX_CFG_STOP_TX) != 0)
        {
            txCfg = v & TX_CFG_TXSAO; // stops after the current frame, which is always done here
            intSts |= INT_TXSTOP;
        }
        else
        {
            txCfg = v & (TX_CFG_TXSAO | TX_CFG_TX_ON);
        }
    }

    private void pushTxData(final int v)
    {
        if (txFifoUsed + 4 > TX_DATA_FIFO_BYTES)
        {
            intSts |= INT_TDFO; // overrun: the word is lost
            return;
        }
        txFifoUsed += 4;
        switch (txState)
        {
            case TX_IDLE ->
            {
                txCommandA = v;
                txSegmentOffset = v >>> TX_CMD_A_OFFSET_SHIFT & TX_CMD_A_OFFSET_MASK;
                txSegmentSize = v & TX_CMD_A_SIZE;
                final int align = alignment(v >>> TX_CMD_A_END_ALIGN_SHIFT & 3);
                txSegmentBytes = (txSegmentOffset + txSegmentSize + align - 1) / align * align;
                txSegmentPosition = 0;
                if ((v & TX_CMD_A_FIRST) == 0 && !txInFrame)
                {
                    txBad = true; // a middle segment without a first: command sequence error
                    txLength = 0;
                    txTag = 0;
                    txExpectedLength = -1;
                    txInFrame = true;
                }
                txState = TX_COMMAND_B;
            }
            case TX_COMMAND_B ->
            {
                if ((txCommandA & TX_CMD_A_FIRST) != 0)
                {
                    if (txInFrame)
                    {
                        txBad = true; // a first segment inside a frame: the frame is broken
                        finishFrame();
                    }
                    txInFrame = true;
                    txBad = false;
                    txLength = 0;
                    txTag = v >>> TX_CMD_B_TAG_SHIFT;
                    txExpectedLength = v & TX_CMD_B_LENGTH;
                    txDisablePadding = (v & TX_CMD_B_DISABLE_PADDING) != 0;
                }
                txState = TX_DATA;
                if (txSegmentBytes == 0)
                {
                    endSegment();
                }
            }
            default ->
            {
                for (int lane = 0; lane < 4; lane++)
                {
                    final int at = txSegmentPosition + lane - txSegmentOffset;
                    if (at >= 0 && at < txSegmentSize)
                    {
                        if (txLength < MAX_FRAME)
                        {
                            txFrame[txLength++] = (byte)(v >>> 8 * lane);
                        }
                        else
                        {
                            txBad = true; // longer than the MAC sends
                        }
                    }
                }
                txSegmentPosition += 4;
                if (txSegmentPosition >= txSegmentBytes)
                {
                    endSegment();
                }
            }
        }
    }

    private void endSegment()
    {
        txState = TX_IDLE;
        if ((txCommandA & TX_CMD_A_IOC) != 0)
        {
            intSts |= INT_TX_IOC;
        }
        if ((txCommandA & TX_CMD_A_LAST) != 0)
        {
            finishFrame();
        }
    }

    /** The last segment is in: send the frame (or fail it) and post its status. */
    private void finishFrame()
    {
        final boolean error = txBad || txLength != txExpectedLength || (txCfg & TX_CFG_TX_ON) == 0;
        if (error)
        {
            statistics.increment(Lan9118Statistics.TX_ERRORS);
            intSts |= INT_TXE;
        }
        else
        {
            int length = txLength;
            if (length < PAD_TO && !txDisablePadding)
            {
                java.util.Arrays.fill(txFrame, length, PAD_TO, (byte)0);
                length = PAD_TO;
            }
            transmit(length);
        }
        if (txStatusUsed < TX_STATUS_FIFO_ENTRIES)
        {
            txStatus[(txStatusHead + txStatusUsed) % TX_STATUS_FIFO_ENTRIES] =
                txTag << TX_STS_TAG_SHIFT | (error ? TX_STS_ES : 0);
            txStatusUsed++;
        }
        txInFrame = false;
        txBad = false;
        txFifoUsed = 0;
    }

    private void transmit(final int length)
    {
        statistics.increment(Lan9118Statistics.TX_FRAMES);
        statistics.add(Lan9118Statistics.TX_BYTES, length);
        if ((macCr & MAC_CR_LOOPBK) != 0 || (bmcr & BMCR_LOOPBACK) != 0)
        {
            receive(txView, 0, length); // internal loopback: straight back into our own RX FIFOs
            return;
        }
        final Bridge b = bridge;
        if (b != null && b.forward(portNumber, txView, 0, length, System.nanoTime()) == Bridge.QUEUE_FULL)
        {
            statistics.increment(Lan9118Statistics.TX_DROPPED_BRIDGE);
        }
    }

    private int popTxStatus()
    {
        if (txStatusUsed == 0)
        {
            return 0;
        }
        final int v = txStatus[txStatusHead];
        txStatusHead = (txStatusHead + 1) % TX_STATUS_FIFO_ENTRIES;
        txStatusUsed--;
        return v;
    }
}
