package io.javisor.emulation.board;

import static io.javisor.emulation.board.UartDescriptor.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Uart16550Test
{
    private final StringBuilder out = new StringBuilder();
    private boolean irq;
    private final Uart16550 uart = new Uart16550(c -> out.append((char)c), level -> irq = level, 4);

    private int rd(final int reg)
    {
        return (int)uart.read(reg, 1);
    }

    private void wr(final int reg, final int v)
    {
        uart.write(reg, 1, v);
    }

    @Test
    void transmitGoesToTheConsole()
    {
        wr(RBR_THR_DLL, 'o');
        wr(RBR_THR_DLL, 'k');
        assertEquals("ok", out.toString());
        assertEquals(LSR_THRE | LSR_TEMT, rd(LSR));
    }

    @Test
    void receiveSetsDataReady()
    {
        assertTrue(uart.receive((byte)'a'));
        uart.receive((byte)'b');
        assertEquals(LSR_DR, rd(LSR) & LSR_DR);
        assertEquals('a', rd(RBR_THR_DLL));
        assertEquals('b', rd(RBR_THR_DLL));
        assertEquals(0, rd(LSR) & LSR_DR);
        assertEquals(0, rd(RBR_THR_DLL));
    }

    @Test
    void fullFifoDropsCountsAndReportsOverrun()
    {
        for (int i = 0; i < 4; i++)
        {
            assertTrue(uart.receive((byte)i));
        }
        assertFalse(uart.receive((byte)9));
        assertEquals(1, uart.droppedBytes());
        assertEquals(LSR_OE, rd(LSR) & LSR_OE);
        assertEquals(0, rd(LSR) & LSR_OE, "reading LSR clears overrun");
        assertEquals(0, rd(RBR_THR_DLL));
    }

    @Test
    void dlabSwitchesToTheDivisorLatch()
    {
        wr(LCR, LCR_DLAB | 0x03);
        wr(RBR_THR_DLL, 0x0C);
        wr(IER_DLM, 0x01);
        assertEquals(0x10C, uart.divisor());
        assertEquals(0x0C, rd(RBR_THR_DLL));
        assertEquals("", out.toString(), "DLL write is not a transmit");
        wr(LCR, 0x03);
        assertEquals(0, rd(IER_DLM));
        assertEquals(0x03, rd(LCR));
    }

    @Test
    void scratchAndModemRegisters()
    {
        wr(SCR, 0x5A);
        assertEquals(0x5A, rd(SCR));
        assertEquals(MSR_CONNECTED, rd(MSR));
        wr(MCR, 0x0B);
        assertEquals(0x0B, rd(MCR));
    }

    @Test
    void noInterruptByDefault()
    {
        uart.receive((byte)1);
        assertFalse(irq);
        assertEquals(IIR_NO_INT, rd(IIR_FCR) & 0x0F);
    }

    @Test
    void receiveInterrupt()
    {
        wr(IER_DLM, IER_RDI);
        assertFalse(irq);
        uart.receive((byte)'z');
        assertTrue(irq);
        assertEquals(IIR_RDI, rd(IIR_FCR) & 0x0F);
        rd(RBR_THR_DLL);
        assertFalse(irq);
    }

    @Test
    void thrEmptyInterruptRaisedByEnableAndClearedByIirRead()
    {
        wr(IER_DLM, IER_THRI);
        assertTrue(irq, "THR is empty as soon as THRI is enabled");
        assertEquals(IIR_THRI, rd(IIR_FCR) & 0x0F);
        assertFalse(irq);
        assertEquals(IIR_NO_INT, rd(IIR_FCR) & 0x0F);
        wr(RBR_THR_DLL, 'x');
        assertTrue(irq, "sent at once, so empty again");
        wr(IER_DLM, 0);
        assertFalse(irq);
    }

    @Test
    void receiveTakesPriorityOverThrEmpty()
    {
        wr(IER_DLM, IER_RDI | IER_THRI);
        uart.receive((byte)1);
        assertEquals(IIR_RDI, rd(IIR_FCR) & 0x0F);
        rd(RBR_THR_DLL);
        assertEquals(IIR_THRI, rd(IIR_FCR) & 0x0F);
    }

    @Test
    void fifoControl()
    {
        wr(IIR_FCR, FCR_ENABLE);
        assertEquals(IIR_FIFO_ENABLED, rd(IIR_FCR) & 0xC0);
        uart.receive((byte)1);
        wr(IIR_FCR, FCR_ENABLE | FCR_CLEAR_RX);
        assertEquals(0, uart.rxAvailable());
    }

    @Test
    void loopbackFeedsTransmitIntoReceive()
    {
        wr(MCR, MCR_LOOP);
        wr(RBR_THR_DLL, 'L');
        assertEquals("", out.toString());
        assertEquals('L', rd(RBR_THR_DLL));
    }

    @Test
    void onlyByteAccesses()
    {
        assertTrue(uart.supports(LSR, 1));
        assertFalse(uart.supports(0, 4));
        assertFalse(uart.supports(4, 2));
    }
}
