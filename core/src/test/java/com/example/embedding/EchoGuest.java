package com.example.embedding;

import io.javisor.core.toolstack.JavaGuest;
import io.javisor.netback.NetFront;
import io.javisor.netback.NetFrontConfig;
import io.javisor.netback.spec.MacAddress;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * A Java guest a user's project would write, started from {@code echo.cfg}: on its first vif it
 * sends every frame it receives back to where it came from, until the toolstack asks it to stop.
 */
public final class EchoGuest implements JavaGuest
{
    private static final long WAIT_NS = TimeUnit.MILLISECONDS.toNanos(10);

    @Override
    public void run(final Context context)
    {
        try (NetFront nic = NetFront.attach(context.resources(), 0, 0, NetFrontConfig.defaults()))
        {
            context.print("echo: up as " + MacAddress.toString(nic.mac()) + "\n");
            final Queue<byte[]> replies = new ArrayDeque<>();
            while (!context.shutdownRequested())
            {
                nic.poll((frame, offset, length) ->
                {
                    final byte[] reply = new byte[length];
                    frame.getBytes(offset, reply);
                    // Back to the sender, from us: swap the destination and source MACs.
                    final UnsafeBuffer view = new UnsafeBuffer(reply);
                    MacAddress.write(MacAddress.read(frame, offset + 6), view, 0);
                    MacAddress.write(nic.mac(), view, 6);
                    replies.add(reply);
                });
                for (byte[] reply = replies.poll(); reply != null; reply = replies.poll())
                {
                    nic.send(new UnsafeBuffer(reply), 0, reply.length);
                }
                nic.flush();
                nic.awaitActivity(WAIT_NS);
            }
        }
        context.print("echo: bye\n");
    }
}
