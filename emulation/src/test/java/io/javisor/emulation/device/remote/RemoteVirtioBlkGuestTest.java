package io.javisor.emulation.device.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import io.javisor.emulation.machine.VirtMachine;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The virtio-blk guest with its disk's model behind the stub channel, on a machine standing alone: the
 * machine keeps its RAM in a file of a private directory that the stub maps, the virtqueues run in the
 * stub against that mapping, the guest's output and the bytes on the image are those of an in-process
 * run, and closing the machine removes the file and its directory.
 */
class RemoteVirtioBlkGuestTest
{
    private static final int SECTOR = 512;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(StubChannelKind.class)
    void virtioBlkGuestPassesWithItsQueuesRunInTheStub(final StubChannelKind kind) throws IOException
    {
        final Path image = dir.resolve("vda.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(1 << 20);
        }
        final long ramDirectoriesBefore = ramDirectories();
        final RecordingConsole console = new RecordingConsole();
        final MachineExit exit;
        final long accesses;
        try (StubPair stub = StubPair.serving(dir, List.of(RemoteDeviceSpec.virtioBlk("format=raw, vdev=vda, access=rw, target=" + image)),
            kind);
            VirtMachine machine = VirtMachine.create(new MachineConfig().memoryMiB(16).bootMode(BootMode.BARE)
                .kernel(GuestImages.load("virtio-blk")).console(console).remoteDeviceModels(stub.models)
                .maxInstructions(1_000_000_000L)))
        {
            assertEquals(ramDirectoriesBefore + 1, ramDirectories(), "the machine's RAM is a file of a private directory");
            exit = machine.run();
            accesses = stub.models.accesses();
            assertTrue(machine.virtioTransports().isEmpty(), "no virtio device runs in this process");
        }
        assertEquals(ramDirectoriesBefore, ramDirectories(), "closing the machine removed its RAM's directory");
        final String text = console.text();
        assertEquals(0, exit.exitCode(), exit + "\n" + text);
        assertEquals(GuestImages.expectedOutput("virtio-blk"), text, "output vs expected/virtio-blk.out");
        System.out.println(kind + ": virtio-blk guest through the stub, " + accesses + " register accesses");
        assertPatternOnImage(image, 0, 0);
        assertPatternOnImage(image, 64, 3);
    }

    /** What the guest's round trip from {@code first} wrote (src/virtio-blk.c): eight 4 KiB blocks, each with its sector in byte 0. */
    private static void assertPatternOnImage(final Path image, final int first, final int salt) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "r"))
        {
            for (int sector = first; sector < first + 64; sector += 8)
            {
                final byte[] expected = new byte[4096];
                for (int i = 0; i < expected.length; i++)
                {
                    expected[i] = (byte)(i * 7 + (i >> 8) + salt);
                }
                expected[0] = (byte)sector;
                final byte[] block = new byte[4096];
                file.seek((long)sector * SECTOR);
                file.readFully(block);
                assertArrayEquals(expected, block, "the block at sector " + sector + " the stub wrote from guest RAM");
            }
        }
    }

    private static long ramDirectories() throws IOException
    {
        final Path shm = Path.of("/dev/shm");
        final Path parent = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> entries = Files.list(parent))
        {
            return entries.filter(p -> p.getFileName().toString().startsWith("javisor-vm-ram-")).count();
        }
    }

    @ParameterizedTest
    @EnumSource(StubChannelKind.class)
    void aMachineOfItsOwnWithVirtioModelsInAStubStillRefusesInProcessVirtioBesideThem(final StubChannelKind kind) throws IOException
    {
        try (StubPair stub = StubPair.serving(dir, List.of(RemoteDeviceSpec.virtioBlk("format=ram, vdev=vda, access=rw, target=1M")), kind);
            io.javisor.blkback.image.DiskImage other = io.javisor.blkback.image.DiskImages.open("format=ram, vdev=vdb, access=rw, target=1M"))
        {
            final IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> VirtMachine.create(new MachineConfig().memoryMiB(16).bootMode(BootMode.BARE)
                    .kernel(GuestImages.load("virtio-blk")).remoteDeviceModels(stub.models).virtioBlk(other, "vdb")));
            assertEquals("a machine's virtio devices are all in its stub domain or all in-process, not both", refused.getMessage());
            assertFalse(refused.getMessage().contains("\n"));
        }
    }
}
