package io.javisor.emulation.device.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A stub that breaks the protocol, fails or goes away ends its guest as a crash naming why, and the
 * vCPU side never waits on it again; a stub that cannot build its devices refuses to start in one line.
 */
@Seeded
class HostileStubTest
{
    private static final List<RemoteDeviceSpec> ONE_RAM_DISK = List.of(RemoteDeviceSpec.ata("format=ram, vdev=hda, access=rw, target=1M"));

    @TempDir
    Path dir;

    @Test
    void aStubAnsweringGarbageIsDisconnectedAndItsGuestCrashes(final Seed seed) throws IOException
    {
        final Random random = seed.random();
        try (StubPair stub = StubPair.with(dir, ONE_RAM_DISK, StubChannelKind.SOCKET, channel -> answerGarbage(channel, random)))
        {
            final MachineExit exit = runAtaGuest(stub);
            assertEquals(MachineExit.Kind.CRASHED, exit.kind(), exit.toString());
            assertTrue(exit.detail().contains("answered garbage"), exit.detail());
            assertTrue(stub.models.failure().contains("was disconnected"), stub.models.failure());
            assertTrue(stub.stubEnded(), "the garbage stub saw its channel closed");
        }
    }

    @Test
    void aStubThatEndsMidRunCrashesItsGuestWithTheReason() throws IOException
    {
        try (StubPair stub = StubPair.with(dir, ONE_RAM_DISK, StubChannelKind.SOCKET, channel ->
        {
            handshake(channel);
            readRequests(channel, 3); // then the stub is gone without answering
        }))
        {
            final MachineExit exit = runAtaGuest(stub);
            assertEquals(MachineExit.Kind.CRASHED, exit.kind(), exit.toString());
            assertTrue(exit.detail().contains("stub domain of test lost during a "), exit.detail());
        }
    }

    @ParameterizedTest
    @EnumSource(StubChannelKind.class)
    void aFailureReportedFromOutsideReleasesAVcpuWaitingOnAHungStub(final StubChannelKind kind) throws Exception
    {
        try (StubPair stub = StubPair.with(dir, ONE_RAM_DISK, kind, channel ->
        {
            handshake(channel);
            while (channel.read(ByteBuffer.allocate(StubProtocol.FRAME)) >= 0)
            {
                // Takes requests (or wake-ups) and never answers, until the channel is closed.
            }
        }))
        {
            final AtomicReference<String> heard = new AtomicReference<>();
            stub.models.onFailure(heard::set);
            final VirtMachine machine = VirtMachine.create(new MachineConfig().memoryMiB(16).bootMode(BootMode.BARE)
                .kernel(GuestImages.load("ata-disk")).console(new RecordingConsole()).remoteDeviceModels(stub.models));
            try (machine)
            {
                final Thread vcpu = Thread.ofPlatform().start(() -> machine.run());
                vcpu.join(200);
                assertTrue(vcpu.isAlive(), "the vCPU waits for the hung stub's answer");
                stub.models.fail("stub domain of test: process 42 was killed by SIGKILL");
                vcpu.join(5_000);
                assertEquals(MachineExit.Kind.CRASHED, machine.lastExit().kind(), String.valueOf(machine.lastExit()));
                assertTrue(machine.lastExit().detail().endsWith("StubDomainException: stub domain of test: process 42 was killed by SIGKILL"),
                    machine.lastExit().detail());
                assertEquals("stub domain of test: process 42 was killed by SIGKILL", heard.get(), "listeners hear the first reason");
            }
        }
    }

    @Test
    void aStubThatCannotOpenItsDiskRefusesToStartInOneLine()
    {
        final StubDomainException refused = assertThrows(StubDomainException.class, () -> StubPair.serving(dir,
            List.of(RemoteDeviceSpec.ata("format=raw, vdev=hda, access=rw, target=" + dir.resolve("missing.img"))),
            StubChannelKind.MAILBOX));
        assertTrue(refused.getMessage().startsWith("stub domain of test did not start: "), refused.getMessage());
        assertTrue(refused.getMessage().contains("missing.img"), refused.getMessage());
        assertEquals(1, refused.getMessage().lines().count(), refused.getMessage());
    }

    @Test
    void aStubWithTheWrongTokenIsRefused()
    {
        final StubDomainException refused = assertThrows(StubDomainException.class, () -> StubPair.with(dir, ONE_RAM_DISK,
            StubChannelKind.SOCKET, channel -> new StubDeviceHost(channel).serve(StubPair.TOKEN + 1)));
        assertTrue(refused.getMessage().contains("its hello is not the expected one"), refused.getMessage());
    }

    @ParameterizedTest
    @EnumSource(StubChannelKind.class)
    void aModelThatFailsInTheStubEndsItsGuestWithTheModelsReason(final StubChannelKind kind) throws IOException
    {
        try (StubPair stub = StubPair.serving(dir, ONE_RAM_DISK, kind))
        {
            stub.models.attach(new io.javisor.emulation.board.IrqLine[] {io.javisor.emulation.board.IrqLine.NONE}, () -> { });
            final RemoteWindow unknown = new RemoteWindow(stub.models, 7, 0, "unknown", 4, new byte[] {-1, -1});
            final StubDomainException failed = assertThrows(StubDomainException.class, () -> unknown.read(0, 4));
            assertTrue(failed.getMessage().startsWith("stub domain of test: its device model failed during a read of unknown + 0x0: " +
                "java.lang.IllegalArgumentException: request 1 of type 16 for window 7"), failed.getMessage());
            assertTrue(stub.stubEnded(), "the stub ends after a failed model");
            assertThrows(StubDomainException.class, () -> stub.models.windowsOf(0).get(1).read(0, 1), "the models stay failed");
        }
    }

    private static MachineExit runAtaGuest(final StubPair stub)
    {
        try (VirtMachine machine = VirtMachine.create(new MachineConfig().memoryMiB(16).bootMode(BootMode.BARE)
            .kernel(GuestImages.load("ata-disk")).console(new RecordingConsole()).remoteDeviceModels(stub.models)
            .maxInstructions(200_000_000)))
        {
            return machine.run();
        }
    }

    /** The set-up a real stub does for one ATA disk, then garbage for every access. */
    private static void answerGarbage(final SocketChannel channel, final Random random) throws IOException
    {
        handshake(channel);
        final ByteBuffer request = ByteBuffer.allocate(StubProtocol.FRAME);
        final byte[] garbage = new byte[StubProtocol.FRAME];
        while (true)
        {
            request.clear();
            StubFrames.readFully(channel, request);
            random.nextBytes(garbage);
            StubFrames.writeFully(channel, ByteBuffer.wrap(garbage));
        }
    }

    private static void readRequests(final SocketChannel channel, final int count) throws IOException
    {
        final ByteBuffer request = ByteBuffer.allocate(StubProtocol.FRAME).order(ByteOrder.LITTLE_ENDIAN);
        final ByteBuffer reply = ByteBuffer.allocate(StubProtocol.FRAME).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++)
        {
            request.clear();
            StubFrames.readFully(channel, request);
            reply.clear();
            reply.put(StubProtocol.REPLY).put((byte)0).put((byte)0).put((byte)0).putInt(request.getInt(4)).putInt(0).putInt(0)
                .putLong(0x50); // DRDY | DSC, whatever was asked
            StubFrames.writeFully(channel, reply.flip());
        }
    }

    /** Hello, the device list read, and windows said to take every access. */
    private static void handshake(final SocketChannel channel) throws IOException
    {
        final ByteBuffer hello = StubFrames.setupMessage(StubProtocol.HELLO, 8);
        hello.putLong(StubPair.TOKEN);
        StubFrames.sendSetup(channel, hello);
        StubFrames.receiveSetup(channel);
        final ByteBuffer windows = StubFrames.setupMessage(StubProtocol.WINDOWS, 256);
        windows.put((byte)2);
        for (final int size : new int[] {32, 4})
        {
            windows.put((byte)0);
            StubFrames.putString(windows, size == 32 ? "ata0.command" : "ata0.control");
            windows.putInt(size);
            final byte[] all = new byte[size / 2];
            java.util.Arrays.fill(all, (byte)-1);
            windows.put(all);
        }
        StubFrames.sendSetup(channel, windows);
    }
}
