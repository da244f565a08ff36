package io.javisor.emulation.board;

/** Register layout and bits of the ns16550a UART0 on QEMU {@code virt} (1-byte registers, no shift). */
public final class UartDescriptor
{
    public static final long BASE = 0x1000_0000L;
    public static final long SIZE = 0x100L;
    public static final int IRQ = 10;

    /** Read: receive buffer; write: transmit holding; with LCR.DLAB: divisor latch low. */
    public static final int RBR_THR_DLL = 0;
    /** Interrupt enable; with LCR.DLAB: divisor latch high. */
    public static final int IER_DLM = 1;
    /** Read: interrupt identification; write: FIFO control. */
    public static final int IIR_FCR = 2;
    public static final int LCR = 3;
    public static final int MCR = 4;
    public static final int LSR = 5;
    public static final int MSR = 6;
    public static final int SCR = 7;

    public static final int IER_RDI = 0x01;
    public static final int IER_THRI = 0x02;
    public static final int IER_RLSI = 0x04;
    public static final int IER_MSI = 0x08;

    public static final int IIR_NO_INT = 0x01;
    public static final int IIR_RLSI = 0x06;
    public static final int IIR_RDI = 0x04;
    public static final int IIR_THRI = 0x02;
    public static final int IIR_FIFO_ENABLED = 0xC0;

    public static final int FCR_ENABLE = 0x01;
    public static final int FCR_CLEAR_RX = 0x02;
    public static final int FCR_CLEAR_TX = 0x04;

    public static final int LCR_DLAB = 0x80;
    public static final int MCR_LOOP = 0x10;

    public static final int LSR_DR = 0x01;
    public static final int LSR_OE = 0x02;
    public static final int LSR_THRE = 0x20;
    public static final int LSR_TEMT = 0x40;

    /** CTS, DSR and DCD asserted: a connected, ready terminal. */
    public static final int MSR_CONNECTED = 0xB0;

    private UartDescriptor()
    {
    }
}
