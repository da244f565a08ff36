package io.javisor.core.toolstack;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.image.VirtualDevice;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * A Java guest for the toolstack's tests: it finds its disk xvda's back-end domain in xenstore (dom0
 * or a driver domain, as its config named it), writes a block of a pattern, reads it back, and says
 * on its console whether the two match.
 */
public final class DiskCheckJavaGuest implements JavaGuest
{
    @Override
    public void run(final Context context)
    {
        final int device = VirtualDevice.deviceId("xvda");
        final int backend = Integer.parseInt(context.resources().xenStore().readString(
            "/local/domain/" + context.resources().domid() + "/device/vbd/" + device + "/backend-id"));
        final UnsafeBuffer block = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        final UnsafeBuffer back = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
        for (int i = 0; i < block.capacity(); i++)
        {
            block.putByte(i, (byte)(i * 7 + 3));
        }
        try (BlkFront disk = BlkFront.attach(context.resources(), backend, device, BlkFrontConfig.defaults()))
        {
            final int wrote = disk.writeBlocking(8, 8, block, 0);
            final int read = disk.readBlocking(8, 8, back, 0);
            final boolean same = wrote == 0 && read == 0 && block.compareTo(back) == 0;
            context.print("disk-check: backend domain " + backend + ", " + (same ? "block read back" : "MISMATCH") + "\n");
        }
    }
}
