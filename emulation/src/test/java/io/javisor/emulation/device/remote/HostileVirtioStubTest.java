package io.javisor.emulation.device.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.javisor.emulation.device.virtio.VirtioMmioDescriptor;
import io.javisor.emulation.device.virtio.VirtioMmioTransport;
import io.javisor.emulation.guests.GuestImages;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.RecordingConsole;
import io.javisor.emulation.machine.VirtMachine;
import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stub running a virtio device that breaks the protocol: garbage for the guest's RAM, a refusal to
 * map it, or garbage for a register access of the virtio window. The machine refuses to start in one
 * line (and leaves no RAM file behind) or the guest crashes naming why; nothing else is affected.
 */
@Seeded
class HostileVirtioStubTest
{
    private static final List<RemoteDeviceSpec> ONE_VIRTIO_DISK = List.of(RemoteDeviceSpec.virtioBlk("format=ram, vdev=vda, access=rw, target=1M"));

    @TempDir
    Path dir;

    @Test
    void aStubAnsweringTheGuestsRamWithGarbageKeepsTheMachineFromStartingAndLeavesNoRamFile(final Seed seed) throws IOException
    {
        final Random random = seed.random();
        final long before = ramDirectories();
        try (StubPair stub = StubPair.with(dir, ONE_VIRTIO_DISK, StubChannelKind.SOCKET, channel ->
        {
            virtioHandshake(channel);
            StubFrames.receiveSetup(channel);
            final byte[] garbage = new byte[1 + random.nextInt(64)];
            random.nextBytes(garbage);
            garbage[0] = (byte)(StubProtocol.RAM_MAPPED + 1 + random.nextInt(100)); // any type but RAM_MAPPED and ERROR
            final ByteBuffer message = StubFrames.setupMessage(garbage[0], garbage.length - 1);
            message.put(garbage, 1, garbage.length - 1);
            StubFrames.sendSetup(channel, message);
            StubFrames.readFully(channel, ByteBuffer.allocate(1)); // until the vCPU side hangs up
        }))
        {
            final StubDomainException refused = assertThrows(StubDomainException.class, () -> startVirtioGuest(stub));
            assertTrue(refused.getMessage().startsWith("stub domain of test answered garbage to the guest's RAM (it answered the " +
                "guest's RAM with message type "), refused.getMessage());
            assertEquals(1, refused.getMessage().lines().count(), refused.getMessage());
            assertEquals(before, ramDirectories(), "the machine that did not start removed its RAM file's directory");
            assertTrue(stub.stubEnded(), "the stub saw its channel closed");
        }
    }

    @Test
    void aStubThatCannotMapTheGuestsRamKeepsTheMachineFromStartingWithItsReason() throws IOException
    {
        try (StubPair stub = StubPair.with(dir, ONE_VIRTIO_DISK, StubChannelKind.SOCKET, channel ->
        {
            virtioHandshake(channel);
            StubFrames.receiveSetup(channel);
            final String reason = "guest RAM file /dev/shm/x has 0 bytes";
            final ByteBuffer error = StubFrames.setupMessage(StubProtocol.ERROR, StubFrames.stringSize(reason));
            StubFrames.putString(error, reason);
            StubFrames.sendSetup(channel, error);
        }))
        {
            final StubDomainException refused = assertThrows(StubDomainException.class, () -> startVirtioGuest(stub));
            assertEquals("stub domain of test cannot map its guest's RAM: guest RAM file /dev/shm/x has 0 bytes", refused.getMessage());
        }
    }

    @Test
    void aStubAnsweringGarbageOnTheVirtioWindowIsDisconnectedAndItsGuestCrashes(final Seed seed) throws IOException
    {
        final Random random = seed.random();
        try (StubPair stub = StubPair.with(dir, ONE_VIRTIO_DISK, StubChannelKind.SOCKET, channel ->
        {
            virtioHandshake(channel);
            StubFrames.receiveSetup(channel);
            StubFrames.sendSetup(channel, StubFrames.setupMessage(StubProtocol.RAM_MAPPED, 0));
            final ByteBuffer request = ByteBuffer.allocate(StubProtocol.FRAME);
            final byte[] garbage = new byte[StubProtocol.FRAME];
            while (true)
            {
                StubFrames.readFully(channel, request.clear());
                random.nextBytes(garbage);
                StubFrames.writeFully(channel, ByteBuffer.wrap(garbage));
            }
        }))
        {
            final MachineExit exit;
            try (VirtMachine machine = startVirtioGuest(stub))
            {
                exit = machine.run();
            }
            assertEquals(MachineExit.Kind.CRASHED, exit.kind(), exit.toString());
            assertTrue(exit.detail().contains("stub domain of test answered garbage to a read of virtio-blk0 + 0x0"), exit.detail());
            assertTrue(stub.stubEnded(), "the garbage stub saw its channel closed");
        }
    }

    private static VirtMachine startVirtioGuest(final StubPair stub)
    {
        return VirtMachine.create(new MachineConfig().memoryMiB(16).bootMode(BootMode.BARE)
            .kernel(GuestImages.load("virtio-blk")).console(new RecordingConsole()).remoteDeviceModels(stub.models)
            .maxInstructions(200_000_000));
    }

    /** Hello, the device list read, and one virtio-mmio window described as a real stub describes it. */
    private static void virtioHandshake(final SocketChannel channel) throws IOException
    {
        final ByteBuffer hello = StubFrames.setupMessage(StubProtocol.HELLO, 8);
        hello.putLong(StubPair.TOKEN);
        StubFrames.sendSetup(channel, hello);
        StubFrames.receiveSetup(channel);
        final int size = (int)VirtioMmioDescriptor.WINDOW_SIZE;
        final byte[] bitmap = new byte[size / 2];
        for (int offset = 0; offset < size; offset++)
        {
            for (int access = 1; access <= 8; access <<= 1)
            {
                if (VirtioMmioTransport.supportsAccess(offset, access))
                {
                    final int bit = StubProtocol.accessBit(offset, access);
                    bitmap[bit >>> 3] |= (byte)(1 << (bit & 7));
                }
            }
        }
        final ByteBuffer windows = StubFrames.setupMessage(StubProtocol.WINDOWS, 1 + 1 + StubFrames.stringSize("virtio-blk0") + 4 +
            bitmap.length);
        windows.put((byte)1).put((byte)0);
        StubFrames.putString(windows, "virtio-blk0");
        windows.putInt(size).put(bitmap);
        StubFrames.sendSetup(channel, windows);
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
}
