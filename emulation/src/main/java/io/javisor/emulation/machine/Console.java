package io.javisor.emulation.machine;

/**
 * The board's serial console, as its host side sees it. Called on the thread running the machine;
 * an implementation that takes input from another thread hands it over through its own queue and
 * calls {@link VirtMachine#wakeUp()} so that a hart sleeping in WFI sees it.
 */
public interface Console
{
    /** One byte the guest transmitted. */
    void write(int b);

    /** @return the next byte typed for the guest, or -1 when there is none now */
    int read();

    /** Called when the machine is about to sleep or stop: push out anything buffered. */
    default void flush()
    {
    }

    /**
     * Whether a sleeping hart must still call {@link #read()} now and then (every 10 ms): true when
     * input may come that no {@link VirtMachine#wakeUp()} announces, or input is held that the UART's
     * FIFO has not taken yet. The default, true, suits any console; one that wakes the hart for its
     * input and holds none says false, and its sleeping hart then costs nothing.
     */
    default boolean pollWhileAsleep()
    {
        return true;
    }

    /** No input; output dropped. */
    Console NONE = new Console()
    {
        @Override
        public void write(final int b)
        {
        }

        @Override
        public int read()
        {
            return -1;
        }

        @Override
        public boolean pollWhileAsleep()
        {
            return false;
        }
    };
}
