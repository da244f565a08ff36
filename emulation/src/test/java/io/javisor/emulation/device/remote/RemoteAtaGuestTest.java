package io.javisor.emulation.device.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import io.javisor.emulation.machine.VirtMachine;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** The ata-disk guest with its disk's model behind the stub channel: the same output and the same bytes on the image. */
class RemoteAtaGuestTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(StubChannelKind.class)
    void ataDiskGuestPassesWithItsModelBehindTheChannel(final StubChannelKind kind) throws IOException
    {
        final Path image = dir.resolve("disk.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(1 << 20);
        }
        final RecordingConsole console = new RecordingConsole();
        final MachineExit exit;
        final long accesses;
        try (StubPair stub = StubPair.serving(dir, List.of(RemoteDeviceSpec.ata("format=raw, vdev=hda, access=rw, target=" + image)), kind);
            VirtMachine machine = VirtMachine.create(new MachineConfig().memoryMiB(16).bootMode(BootMode.BARE)
                .kernel(GuestImages.load("ata-disk")).console(console).remoteDeviceModels(stub.models)
                .maxInstructions(200_000_000)))
        {
            exit = machine.run();
            accesses = stub.models.accesses();
        }
        final String text = console.text();
        assertEquals(0, exit.exitCode(), exit + "\n" + text);
        assertEquals(GuestImages.expectedOutput("ata-disk"), text, "output vs expected/ata-disk.out");
        assertTrue(accesses > 4 * 2048, "every data word crossed the channel: " + accesses);
        final byte[] sector = new byte[8 * 512];
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "r"))
        {
            file.seek(16 * 512);
            file.readFully(sector);
        }
        final byte[] expected = new byte[8 * 512];
        for (int i = 0; i < expected.length; i++)
        {
            expected[i] = (byte)(i * 13 + 1 + (i >> 9));
        }
        assertArrayEquals(expected, sector, "the guest's pattern is on the image the stub opened");
    }
}
