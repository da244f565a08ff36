package io.javisor.core.toolstack.cli;

import io.javisor.core.toolstack.ToolstackClient;
import io.javisor.core.toolstack.ToolstackProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.Map;

/** Hot plug: block-attach/-detach and network-attach/-detach with xl.cfg spec strings. Stateless holder of the command classes. */
final class DeviceCommands
{
    private DeviceCommands()
    {
    }

    @Command(name = "block-attach", description = "Attach a disk to a running domain, e.g. 'format=raw, vdev=xvdb, target=disk.img'.")
    static final class BlockAttach extends ClientCommand
    {
        @Parameters(index = "0", paramLabel = "DOM")
        String domain;

        @Parameters(index = "1", paramLabel = "DISKSPEC")
        String diskSpec;

        @Override
        int run(final ToolstackClient client, final PrintWriter out)
        {
            client.call(ToolstackProtocol.BLOCK_ATTACH, Map.of("domain", domain, "spec", diskSpec));
            return 0;
        }
    }

    @Command(name = "block-detach", description = "Detach a PV disk by its vdev, e.g. xvdb.")
    static final class BlockDetach extends ClientCommand
    {
        @Parameters(index = "0", paramLabel = "DOM")
        String domain;

        @Parameters(index = "1", paramLabel = "VDEV")
        String device;

        @Override
        int run(final ToolstackClient client, final PrintWriter out)
        {
            client.call(ToolstackProtocol.BLOCK_DETACH, Map.of("domain", domain, "device", device));
            return 0;
        }
    }

    @Command(name = "network-attach", description = "Attach a vif to a running domain, e.g. 'mac=00:16:3e:00:00:01, bridge=xenbr0'.")
    static final class NetworkAttach extends ClientCommand
    {
        @Parameters(index = "0", paramLabel = "DOM")
        String domain;

        @Parameters(index = "1", paramLabel = "VIFSPEC")
        String vifSpec;

        @Override
        int run(final ToolstackClient client, final PrintWriter out)
        {
            client.call(ToolstackProtocol.NETWORK_ATTACH, Map.of("domain", domain, "spec", vifSpec));
            return 0;
        }
    }

    @Command(name = "network-detach", description = "Detach a PV vif by its handle (0, 1, ...) or MAC.")
    static final class NetworkDetach extends ClientCommand
    {
        @Parameters(index = "0", paramLabel = "DOM")
        String domain;

        @Parameters(index = "1", paramLabel = "DEVID|MAC")
        String device;

        @Override
        int run(final ToolstackClient client, final PrintWriter out)
        {
            client.call(ToolstackProtocol.NETWORK_DETACH, Map.of("domain", domain, "device", device));
            return 0;
        }
    }
}
