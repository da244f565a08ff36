package io.javisor.core.toolstack.cli;

import io.javisor.core.toolstack.ToolstackProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.Map;

/** Hot plug: block-attach/-detach and network-attach/-detach with xl.cfg spec strings. Stateless holder of the command classes. */
final class DeviceCommands
{
    private DeviceCommands()
    {
    }

    @Command(name = "block-attach", description = "Attach a disk to a running domain, e.g. 'format=raw, vdev=xvdb, target=disk.img'.")
    static final class BlockAttach extends OneDomainCommand
    {
        @Parameters(index = "1", paramLabel = "DISKSPEC")
        String argument;

        @Override
        String request()
        {
            return ToolstackProtocol.BLOCK_ATTACH;
        }

        @Override
        Map<String, Object> arguments()
        {
            return Map.of("spec", argument);
        }
    }

    @Command(name = "block-detach", description = "Detach a PV disk by its vdev, e.g. xvdb.")
    static final class BlockDetach extends OneDomainCommand
    {
        @Parameters(index = "1", paramLabel = "VDEV")
        String argument;

        @Override
        String request()
        {
            return ToolstackProtocol.BLOCK_DETACH;
        }

        @Override
        Map<String, Object> arguments()
        {
            return Map.of("device", argument);
        }
    }

    @Command(name = "network-attach", description = "Attach a vif to a running domain, e.g. 'mac=00:16:3e:00:00:01, bridge=xenbr0'.")
    static final class NetworkAttach extends OneDomainCommand
    {
        @Parameters(index = "1", paramLabel = "VIFSPEC")
        String argument;

        @Override
        String request()
        {
            return ToolstackProtocol.NETWORK_ATTACH;
        }

        @Override
        Map<String, Object> arguments()
        {
            return Map.of("spec", argument);
        }
    }

    @Command(name = "network-detach", description = "Detach a PV vif by its handle (0, 1, ...) or MAC.")
    static final class NetworkDetach extends OneDomainCommand
    {
        @Parameters(index = "1", paramLabel = "DEVID|MAC")
        String argument;

        @Override
        String request()
        {
            return ToolstackProtocol.NETWORK_DETACH;
        }

        @Override
        Map<String, Object> arguments()
        {
            return Map.of("device", argument);
        }
    }
}
