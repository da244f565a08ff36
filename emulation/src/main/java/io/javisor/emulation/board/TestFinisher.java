package io.javisor.emulation.board;

/**
 * The SiFive test device: a guest writes a 32-bit command to stop the machine. Low 16 bits are the
 * command ({@code 0x5555} pass, {@code 0x3333} fail with the exit code in the upper 16 bits,
 * {@code 0x7777} reset); anything else is ignored. The runner polls {@link #state()}. Only 16- and 32-bit
 * accesses at offset 0 are accepted; reads return 0.
 */
public final class TestFinisher implements MmioDevice
{
    public enum State
    {
        RUNNING, PASS, FAIL, RESET
    }

    private State state = State.RUNNING;
    private int code;

    @Override
    public long size()
    {
        return TestFinisherDescriptor.SIZE;
    }

    @Override
    public boolean supports(final long offset, final int size)
    {
        // As QEMU's sifive_test: 16- and 32-bit accesses (OpenSBI writes the 16-bit pass code).
        return offset == TestFinisherDescriptor.FINISHER && (size == 2 || size == 4);
    }

    @Override
    public long read(final long offset, final int size)
    {
        return 0;
    }

    @Override
    public void write(final long offset, final int size, final long value)
    {
        final int command = (int)value & 0xFFFF;
        switch (command)
        {
            case TestFinisherDescriptor.PASS ->
            {
                state = State.PASS;
                code = 0;
            }
            case TestFinisherDescriptor.FAIL ->
            {
                state = State.FAIL;
                code = (int)(value >>> 16) & 0xFFFF;
            }
            case TestFinisherDescriptor.RESET ->
            {
                state = State.RESET;
                code = 0;
            }
            default ->
            {
            }
        }
    }

    public State state()
    {
        return state;
    }

    /** @return whether the guest asked to stop (pass, fail or reset). */
    public boolean finished()
    {
        return state != State.RUNNING;
    }

    /** @return the exit code: 0 on pass, the guest's code on fail. */
    public int exitCode()
    {
        return code;
    }

    /** Back to running, e.g. after the runner has performed a reset. */
    public void clear()
    {
        state = State.RUNNING;
        code = 0;
    }
}
