package io.javisor.emulation.board;

import static io.javisor.emulation.board.UartDescriptor.*;

import java.util.function.IntConsumer;

/**
 * A 16550A UART. Transmission is instantaneous: a THR write hands the byte to the console at once,
 * so THRE and TEMT are always set. Received bytes queue in a bounded FIFO ({@link #receive});
 * bytes arriving when it is full are dropped, counted, and reported once as LSR overrun.
 * <p>
 * Interrupt line: high when (IER.RDI and data available) or (IER.THRI and a THR-empty interrupt
 * is outstanding). The THR-empty interrupt is raised by a THR write (the byte leaves at once) or
 * by enabling IER.THRI, and is cleared by reading IIR while it is the reported cause.
 * IIR reports the highest-priority cause: line status (overrun, with IER.RLSI), received data,
 * THR empty. Only 1-byte accesses are accepted; other sizes are an access fault, matching a
 * device tree without {@code reg-io-width}.
 */
public final class Uart16550 implements MmioDevice
{
    public static final int DEFAULT_FIFO = 16;

    private final IntConsumer console;
    private final IrqLine irq;
    private final byte[] rx;
    private int rxHead;
    private int rxCount;
    private long dropped;

    private int ier;
    private int lcr;
    private int mcr;
    private int scr;
    private int fcr;
    private int dll = 1;
    private int dlm;
    private boolean overrun;
    private boolean thrPending;
    private boolean line;

    public Uart16550(final IntConsumer console, final IrqLine irq, final int fifoCapacity)
    {
        if (fifoCapacity <= 0)
        {
            throw new IllegalArgumentException("fifo capacity " + fifoCapacity);
        }
        this.console = console;
        this.irq = irq;
        this.rx = new byte[fifoCapacity];
    }

    public Uart16550(final IntConsumer console, final IrqLine irq)
    {
        this(console, irq, DEFAULT_FIFO);
    }

    @Override
    public long size()
    {
        return SIZE;
    }

    @Override
    public boolean supports(final long offset, final int size)
    {
        return size == 1;
    }

    /**
     * A byte from the outside world (the console's keyboard).
     *
     * @return false when the FIFO was full and the byte was dropped
     */
    public boolean receive(final byte b)
    {
        if (rxCount == rx.length)
        {
            dropped++;
            overrun = true;
            update();
            return false;
        }
        rx[(rxHead + rxCount) % rx.length] = b;
        rxCount++;
        update();
        return true;
    }

    /** @return bytes dropped because the receive FIFO was full. */
    public long droppedBytes()
    {
        return dropped;
    }

    /** @return bytes waiting in the receive FIFO. */
    public int rxAvailable()
    {
        return rxCount;
    }

    /** @return the current level of the interrupt line. */
    public boolean interruptLine()
    {
        return line;
    }

    /** @return the divisor latch value the guest programmed. */
    public int divisor()
    {
        return dlm << 8 | dll;
    }

    private boolean dlab()
    {
        return (lcr & LCR_DLAB) != 0;
    }

    private int cause()
    {
        if ((ier & IER_RLSI) != 0 && overrun)
        {
            return IIR_RLSI;
        }
        if ((ier & IER_RDI) != 0 && rxCount > 0)
        {
            return IIR_RDI;
        }
        if ((ier & IER_THRI) != 0 && thrPending)
        {
            return IIR_THRI;
        }
        return IIR_NO_INT;
    }

    private void update()
    {
        final boolean level = cause() != IIR_NO_INT;
        if (level != line)
        {
            line = level;
            irq.set(level);
        }
    }

    @Override
    public long read(final long offset, final int size)
    {
        final int v;
        switch ((int)offset)
        {
            case RBR_THR_DLL ->
            {
                if (dlab())
                {
                    v = dll;
                }
                else if (rxCount > 0)
                {
                    v = rx[rxHead] & 0xFF;
                    rxHead = (rxHead + 1) % rx.length;
                    rxCount--;
                }
                else
                {
                    v = 0;
                }
            }
            case IER_DLM -> v = dlab() ? dlm : ier;
            case IIR_FCR ->
            {
                final int c = cause();
                if (c == IIR_THRI)
                {
                    thrPending = false;
                }
                v = c | ((fcr & FCR_ENABLE) != 0 ? IIR_FIFO_ENABLED : 0);
            }
            case LCR -> v = lcr;
            case MCR -> v = mcr;
            case LSR ->
            {
                v = LSR_THRE | LSR_TEMT | (rxCount > 0 ? LSR_DR : 0) | (overrun ? LSR_OE : 0);
                overrun = false;
            }
            case MSR -> v = (mcr & MCR_LOOP) != 0 ? loopbackMsr() : MSR_CONNECTED;
            case SCR -> v = scr;
            default -> v = 0;
        }
        update();
        return v;
    }

    /** In loopback, MCR's DTR/RTS/OUT1/OUT2 appear as DSR/CTS/RI/DCD. */
    private int loopbackMsr()
    {
        return ((mcr & 0x01) << 5) | ((mcr & 0x02) << 3) | ((mcr & 0x04) << 4) | ((mcr & 0x08) << 4);
    }

    @Override
    public void write(final long offset, final int size, final long value)
    {
        final int v = (int)value & 0xFF;
        switch ((int)offset)
        {
            case RBR_THR_DLL ->
            {
                if (dlab())
                {
                    dll = v;
                }
                else
                {
                    if ((mcr & MCR_LOOP) != 0)
                    {
                        receive((byte)v);
                    }
                    else
                    {
                        console.accept(v);
                    }
                    thrPending = true;
                }
            }
            case IER_DLM ->
            {
                if (dlab())
                {
                    dlm = v;
                }
                else
                {
                    if ((v & IER_THRI) != 0 && (ier & IER_THRI) == 0)
                    {
                        thrPending = true; // THR is always empty
                    }
                    ier = v & 0x0F;
                }
            }
            case IIR_FCR ->
            {
                fcr = v & 0xC9;
                if ((v & FCR_CLEAR_RX) != 0)
                {
                    rxHead = 0;
                    rxCount = 0;
                }
            }
            case LCR -> lcr = v;
            case MCR -> mcr = v & 0x1F;
            case SCR -> scr = v;
            default ->
            {
                // LSR and MSR are read-only; the rest of the window is unimplemented.
            }
        }
        update();
    }
}
