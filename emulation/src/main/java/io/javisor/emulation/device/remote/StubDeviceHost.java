package io.javisor.emulation.device.remote;

import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.DiskImages;
import io.javisor.emulation.board.MmioDevice;
import io.javisor.emulation.device.ata.AtaDevice;
import io.javisor.emulation.device.lan9118.Lan9118Device;
import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.bridge.BridgePort;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import io.javisor.emulation.fdt.VirtBoardFdt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The stub domain's side of the channel ({@link StubProtocol}): says hello, builds the device models it
 * is sent (opening their disk images itself), describes their register windows, and then answers one
 * register access after another by running the real model, each reply carrying the interrupt lines'
 * levels after the access. With a LAN9118 it also opens the events channel: frames the NIC sends go
 * out as FRAME_OUT (through a bridge of its own, whose other port is the channel), frames for it come
 * in as FRAME_IN and may raise its line, which then goes out as an IRQ event. It ends when the
 * channel does, closing the images.
 * <p>
 * <b>Threading: {@link #serve} runs on one thread; the models are touched only under this host's
 * monitor, by that thread (accesses) and the events reader (received frames), which makes them
 * single-writer as on a vCPU thread. Events are written under the monitor too.</b>
 */
public final class StubDeviceHost implements AutoCloseable
{
    private final ByteChannel channel;
    /** The models' register windows, in the order the WINDOWS message lists them (a request's window index). */
    private final List<Window> windows = new ArrayList<>();
    private final List<DiskImage> images = new ArrayList<>();
    private final ByteBuffer request = ByteBuffer.allocateDirect(StubProtocol.FRAME).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer reply = ByteBuffer.allocateDirect(StubProtocol.FRAME).order(ByteOrder.LITTLE_ENDIAN);
    /** Bit k: the level of device k's interrupt line, as the models last set it. */
    private int levels;
    /** Line changes so far: the version of {@link #levels}. */
    private int version;
    /** The version the vCPU side was last told of, in a reply or an IRQ event. */
    private int versionSent;
    private final List<Lan9118Device> nics = new ArrayList<>();
    private final java.util.Map<Lan9118Device, Integer> nicDevice = new java.util.IdentityHashMap<>();
    private final List<Bridge> bridges = new ArrayList<>();
    private ByteChannel events;

    /** Opens the second connection, for the events. */
    @FunctionalInterface
    public interface EventsOpener
    {
        ByteChannel open() throws IOException;
    }

    public StubDeviceHost(final ByteChannel channel)
    {
        this.channel = channel;
    }

    private void setLine(final int line, final boolean level)
    {
        final int now = level ? levels | 1 << line : levels & ~(1 << line);
        if (now != levels)
        {
            levels = now;
            version++;
        }
    }

    /** As {@link #serve(long, EventsOpener)} for devices that need no events channel. */
    public void serve(final long token) throws IOException
    {
        serve(token, () ->
        {
            throw new IOException("this stub has no events channel");
        });
    }

    /**
     * Set-up and then the register accesses, until the channel ends.
     *
     * @throws IOException when the channel breaks, or the set-up fails (the peer was told why)
     */
    public void serve(final long token, final EventsOpener opener) throws IOException
    {
        final ByteBuffer hello = StubFrames.setupMessage(StubProtocol.HELLO, 8);
        hello.putLong(token);
        StubFrames.sendSetup(channel, hello);
        final ByteBuffer list = StubFrames.receiveSetup(channel);
        if (list.get() != StubProtocol.DEVICES)
        {
            throw new IOException("the first message is not the device list");
        }
        final RequestTransport transport;
        try
        {
            build(list);
            transport = RequestTransport.of(channel, StubFrames.getString(list));
        }
        catch (final IOException | RuntimeException ex)
        {
            final String text = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            final ByteBuffer error = StubFrames.setupMessage(StubProtocol.ERROR, StubFrames.stringSize(text));
            StubFrames.putString(error, text);
            StubFrames.sendSetup(channel, error);
            throw new IOException("set-up failed: " + text, ex);
        }
        describeWindows();
        if (!nics.isEmpty())
        {
            openEvents(opener.open(), token);
        }
        // Until the hypervisor closes the channel: the guest is gone.
        while (transport.next(request.clear()))
        {
            synchronized (this)
            {
                answer(transport);
            }
        }
    }

    private void openEvents(final ByteChannel channel, final long token) throws IOException
    {
        events = channel;
        final ByteBuffer hello = StubFrames.setupMessage(StubProtocol.EVENTS_HELLO, 8);
        hello.putLong(token);
        StubFrames.sendSetup(channel, hello);
        Thread.ofPlatform().name("stub-events").daemon().start(this::readEvents);
    }

    /** Frames for the NICs, until the events channel ends (then the process is ending too). */
    private void readEvents()
    {
        try
        {
            while (true)
            {
                final ByteBuffer message = StubFrames.receiveSetup(events);
                if (message.get() != StubProtocol.FRAME_IN || message.remaining() < 1)
                {
                    throw new IOException("an event that is no frame");
                }
                final int device = Byte.toUnsignedInt(message.get());
                final UnsafeBuffer frame = new UnsafeBuffer(new byte[message.remaining()]);
                message.get(frame.byteArray());
                synchronized (this)
                {
                    final Lan9118Device nic = nicOf(device);
                    nic.port().deliver(frame, 0, frame.capacity());
                    nic.poll();
                    if (version != versionSent)
                    {
                        final ByteBuffer irq = StubFrames.setupMessage(StubProtocol.IRQ, 8);
                        irq.putInt(version).putInt(levels);
                        StubFrames.sendSetup(events, irq);
                        versionSent = version;
                    }
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            System.err.println("stub domain: events ended: " + ex.getMessage());
        }
    }

    private Lan9118Device nicOf(final int device)
    {
        for (final Lan9118Device nic : nics)
        {
            if (nicDevice.get(nic) == device)
            {
                return nic;
            }
        }
        throw new IllegalArgumentException("device " + device + " is no LAN9118");
    }

    /** A port of a NIC's own bridge that sends what reaches it to the vCPU side; under the monitor. */
    private final class Uplink implements BridgePort
    {
        private final int device;

        Uplink(final int device)
        {
            this.device = device;
        }

        @Override
        public boolean deliver(final DirectBuffer frame, final int offset, final int length)
        {
            final ByteBuffer message = StubFrames.setupMessage(StubProtocol.FRAME_OUT, 1 + length);
            message.put((byte)device);
            final byte[] bytes = new byte[length];
            frame.getBytes(offset, bytes);
            message.put(bytes);
            try
            {
                StubFrames.sendSetup(events, message);
                return true;
            }
            catch (final IOException ex)
            {
                return false;
            }
        }

        @Override
        public String name()
        {
            return "uplink" + device;
        }
    }

    private void build(final ByteBuffer list)
    {
        final int count = Byte.toUnsignedInt(list.get());
        for (int k = 0; k < count; k++)
        {
            final byte kind = list.get();
            final String argument = StubFrames.getString(list);
            final int line = k;
            if (kind == StubProtocol.KIND_LAN9118)
            {
                final Lan9118Device nic = new Lan9118Device(Long.parseUnsignedLong(argument, 16), level -> setLine(line, level),
                    () -> { }); // a received frame is polled in at once, by the events reader
                final Bridge bridge = new Bridge("stub-lan" + k);
                bridge.attach(new Uplink(k));
                nic.attach(bridge);
                nics.add(nic);
                nicDevice.put(nic, k);
                bridges.add(bridge);
                windows.add(new Window(nic, "lan" + k, k));
                continue;
            }
            if (kind != StubProtocol.KIND_ATA)
            {
                throw new IllegalArgumentException("device " + k + ": unknown kind " + kind);
            }
            final DiskImage image = DiskImages.open(argument);
            images.add(image);
            final AtaDevice ata = new AtaDevice(image, VirtBoardFdt.ATA_REG_SHIFT, level -> setLine(line, level), null, null);
            windows.add(new Window(ata.commandBlock(), "ata" + k + ".command", k));
            windows.add(new Window(ata.controlBlock(), "ata" + k + ".control", k));
        }
    }

    /** A register window of device {@code device}'s model. */
    private record Window(MmioDevice model, String name, int device)
    {
    }

    private void describeWindows() throws IOException
    {
        int size = 1;
        for (final Window window : windows)
        {
            size += 1 + StubFrames.stringSize(window.name()) + 4 + ((int)window.model().size() * 4 + 7) / 8;
        }
        final ByteBuffer message = StubFrames.setupMessage(StubProtocol.WINDOWS, size);
        message.put((byte)windows.size());
        for (final Window window : windows)
        {
            final int windowSize = (int)window.model().size();
            final byte[] bitmap = new byte[(windowSize * 4 + 7) / 8];
            for (int offset = 0; offset < windowSize; offset++)
            {
                for (int accessSize = 1; accessSize <= 8; accessSize <<= 1)
                {
                    if (window.model().supports(offset, accessSize))
                    {
                        final int bit = StubProtocol.accessBit(offset, accessSize);
                        bitmap[bit >>> 3] |= (byte)(1 << (bit & 7));
                    }
                }
            }
            message.put((byte)window.device());
            StubFrames.putString(message, window.name());
            message.putInt(windowSize);
            message.put(bitmap);
        }
        StubFrames.sendSetup(channel, message);
    }

    private void answer(final RequestTransport transport) throws IOException
    {
        final byte type = request.get(0);
        final int window = Byte.toUnsignedInt(request.get(1));
        final int size = Byte.toUnsignedInt(request.get(2));
        final int seq = request.getInt(4);
        final long offset = request.getLong(8);
        final long value = request.getLong(16);
        long result = 0;
        try
        {
            if (window >= windows.size() || type != StubProtocol.READ && type != StubProtocol.WRITE ||
                !windows.get(window).model().supports(offset, size))
            {
                throw new IllegalArgumentException("request " + seq + " of type " + type + " for window " + window +
                    " + 0x" + Long.toHexString(offset) + " size " + size + " is not an access the window takes");
            }
            if (type == StubProtocol.READ)
            {
                result = windows.get(window).model().read(offset, size);
            }
            else
            {
                windows.get(window).model().write(offset, size, value);
            }
        }
        catch (final RuntimeException ex)
        {
            final byte[] text = String.valueOf(ex).getBytes(StandardCharsets.UTF_8);
            final int length = Math.min(text.length, StubProtocol.MAX_FAILURE_TEXT);
            reply.clear();
            reply.put(StubProtocol.FAILED).put((byte)0).put((byte)0).put((byte)0).putInt(seq).putInt(0).putInt(length).putLong(0);
            transport.answer(reply.flip(), java.util.Arrays.copyOf(text, length));
            throw new IOException("the device model failed: " + ex, ex);
        }
        reply.clear();
        reply.put(StubProtocol.REPLY).put((byte)0).put((byte)0).put((byte)0).putInt(seq).putInt(levels).putInt(version)
            .putLong(result);
        transport.answer(reply.flip(), null);
        versionSent = version;
    }

    /** Closes the disk images. */
    @Override
    public void close()
    {
        for (final Lan9118Device nic : nics)
        {
            nic.detach();
        }
        for (final DiskImage image : images)
        {
            image.close();
        }
    }
}
