package io.javisor.emulation.machine;

import io.javisor.emulation.board.UartDescriptor;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.hypercall.HypercallDescriptor;
import io.javisor.emulation.sbi.SbiDescriptor;
import io.javisor.emulation.sbi.SbiFirmware;
import io.javisor.emulation.sbi.SbiPlatform;

/**
 * The board side of javisor's SBI firmware for {@link BootMode#BUILTIN}: the console is the UART's
 * (output straight to the console, input taken from the UART's receive FIFO, as OpenSBI's
 * getchar reads the UART), the timer is the {@link SupervisorTimer}, fences reach the interpreter.
 */
final class BuiltinFirmware implements SbiPlatform
{
    private final VirtMachine machine;
    private final SbiFirmware firmware;

    BuiltinFirmware(final VirtMachine machine)
    {
        this.machine = machine;
        this.firmware = new SbiFirmware(machine.bus(), this, RamBus.RAM_BASE, machine.memory().size());
    }

    SbiFirmware firmware()
    {
        return firmware;
    }

    /** The exit for a run that the firmware stopped. */
    MachineExit exit(final long startInstret, final long start)
    {
        if (firmware.hypercallShutdown())
        {
            return switch (firmware.hypercalls().shutdownReason())
            {
                case HypercallDescriptor.SHUTDOWN_REBOOT ->
                    machine.exit(MachineExit.Kind.RESET, 0, "hypercall: reboot", startInstret, start);
                case HypercallDescriptor.SHUTDOWN_CRASH ->
                    machine.exit(MachineExit.Kind.CRASHED, 1, "hypercall: the guest reported a crash", startInstret, start);
                default -> machine.exit(MachineExit.Kind.SHUTDOWN, 0, "hypercall: poweroff", startInstret, start);
            };
        }
        if (firmware.resetRequested())
        {
            if (firmware.resetType() == SbiDescriptor.SRST_TYPE_SHUTDOWN)
            {
                final boolean failure = firmware.resetReason() == SbiDescriptor.SRST_REASON_SYSTEM_FAILURE;
                return machine.exit(MachineExit.Kind.SHUTDOWN, failure ? 1 : 0,
                    failure ? "sbi: shutdown reporting a system failure" : "sbi: shutdown", startInstret, start);
            }
            return machine.exit(MachineExit.Kind.RESET, 0,
                "sbi: reboot requested (type " + firmware.resetType() + ")", startInstret, start);
        }
        return machine.exit(MachineExit.Kind.HART_STOPPED, 0, "sbi: hart 0 stopped", startInstret, start);
    }

    @Override
    public void consoleWrite(final int b)
    {
        machine.console().write(b);
    }

    @Override
    public int consoleRead()
    {
        if (machine.uart().rxAvailable() == 0)
        {
            final int b = machine.console().read();
            return b < 0 ? -1 : b & 0xFF;
        }
        return (int)machine.uart().read(UartDescriptor.RBR_THR_DLL, 1) & 0xFF;
    }

    @Override
    public long mtime()
    {
        return machine.clint().mtime();
    }

    @Override
    public void setSupervisorTimer(final long stimeValue)
    {
        machine.supervisorTimer().set(stimeValue, machine.clint().mtime());
    }

    @Override
    public void flushInstructionCache()
    {
        machine.interpreter().flushCode();
    }

    @Override
    public void flushTlb()
    {
        machine.interpreter().flushTlb();
    }

    @Override
    public void hypercallDone()
    {
        machine.sampleUpcall();
    }
}
