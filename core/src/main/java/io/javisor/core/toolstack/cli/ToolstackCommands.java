package io.javisor.core.toolstack.cli;

import java.util.List;

/**
 * The toolstack's commands, for the {@code javisor} launcher to register as its own subcommands:
 * {@code run} (a foreground domain), {@code daemon} and xl's command set. Constants only.
 */
public final class ToolstackCommands
{
    /** Every command class, each with a no-argument constructor. */
    public static final List<Class<?>> ALL = List.of(
        RunCommand.class,
        DaemonCommand.class,
        DomainCommands.Create.class,
        DomainCommands.DriverDomain.class,
        ListCommand.class,
        DomainCommands.Destroy.class,
        DomainCommands.Shutdown.class,
        DomainCommands.Reboot.class,
        DomainCommands.Pause.class,
        DomainCommands.Unpause.class,
        ConsoleCommand.class,
        HostCommands.Info.class,
        HostCommands.Dmesg.class,
        HostCommands.Top.class,
        HostCommands.VcpuList.class,
        SchedCreditCommand.class,
        DeviceCommands.BlockAttach.class,
        DeviceCommands.BlockDetach.class,
        DeviceCommands.NetworkAttach.class,
        DeviceCommands.NetworkDetach.class,
        DomainCommands.Save.class,
        DomainCommands.Restore.class);

    private ToolstackCommands()
    {
    }
}
