package io.javisor.core.driver;

import io.javisor.blkback.BlkFront;
import io.javisor.blkback.BlkFrontConfig;
import io.javisor.blkback.wire.BlkifDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DriverDomainBlockTest
{
    @Test
    void aJavaGuestReadsAndWritesItsDiskThroughADriverDomainProcess() throws Exception
    {
        try (DriverDomainRig rig = new DriverDomainRig(DriverDomainConfig.of("storage")))
        {
            final Process process = rig.driver.awaitActive(30_000);
            assertNotEquals(ProcessHandle.current().pid(), process.pid(), "the back end runs in a process of its own");
            try (BlkFront front = BlkFront.attach(rig.guest.resources(), rig.driver.domid(), rig.vbd.deviceId(),
                BlkFrontConfig.defaults().withReconnect(true)))
            {
                assertEquals(DriverDomainRig.IMAGE_BYTES / BlkifDescriptor.SECTOR_SIZE, front.sectors());
                final byte[] written = new byte[8192];
                for (int i = 0; i < written.length; i++)
                {
                    written[i] = (byte)(i * 7 + 3);
                }
                assertEquals(BlkifDescriptor.STATUS_OKAY, front.writeBlocking(64, 16, new UnsafeBuffer(written), 0));
                assertEquals(BlkifDescriptor.STATUS_OKAY, front.flushBlocking());
                final UnsafeBuffer read = new UnsafeBuffer(new byte[8192]);
                assertEquals(BlkifDescriptor.STATUS_OKAY, front.readBlocking(64, 16, read, 0));
                assertArrayEquals(written, read.byteArray(), "read back through the driver domain");

                final ByteBuffer inImage = ByteBuffer.allocate(8192);
                try (FileChannel file = FileChannel.open(rig.image, StandardOpenOption.READ))
                {
                    file.read(inImage, 64 * 512);
                }
                assertArrayEquals(written, inImage.array(), "the driver domain wrote into the image file");
                assertTrue(rig.driver.statistics().maps() > 0, "it mapped the granted frames through the hypervisor");
            }
        }
    }
}
