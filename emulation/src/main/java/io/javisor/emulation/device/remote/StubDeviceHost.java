package io.javisor.emulation.device.remote;

import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.DiskImages;
import io.javisor.emulation.board.MmioDevice;
import io.javisor.emulation.device.ata.AtaDevice;
import io.javisor.emulation.device.lan9118.Lan9118Device;
import io.javisor.emulation.device.virtio.VirtioDevice;
import io.javisor.emulation.device.virtio.VirtioMmioDescriptor;
import io.javisor.emulation.device.virtio.VirtioMmioTransport;
import io.javisor.emulation.device.virtioblk.VirtioBlk;
import io.javisor.emulation.device.virtionet.VirtioNet;
import io.javisor.memory.log.HostLog;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stub domain's side of the channel ({@link StubProtocol}): says hello, builds the device models it
 * is sent (opening their disk images itself), describes their register windows, and then answers one
 * register access after another by running the real model, each reply carrying the interrupt lines'
 * levels after the access. With a NIC (a LAN9118 or a virtio-net) it also opens the events channel:
 * frames the NIC sends go out as FRAME_OUT (through a bridge of its own, whose other port is the
 * channel), frames for it come in as FRAME_IN and may raise its line, which then goes out as an IRQ
 * event. With a virtio device it maps the guest's RAM the vCPU side names ({@link MappedGuestRam})
 * before the first access, and the virtqueues run here, against that mapping. It ends when the
 * channel does, closing the images and unmapping the RAM.
 * <p>
 * <b>Threading: {@link #serve} runs on one thread; the models (and the guest RAM the virtio ones
 * reach) are touched only under this host's monitor, by that thread (accesses) and the events reader
 * (received frames), which makes them single-writer as on a vCPU thread. Writes to the events channel
 * hold {@link #eventsWriteLock}: a NIC's bridge may forward a sent frame on a thread of its own.</b>
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
    /** The NICs by device index, once they take frames (a virtio-net only once RAM is mapped). */
    private final Map<Integer, Receiver> receivers = new HashMap<>();
    /** Device indices of the NICs, which take frames sooner or later. */
    private final List<Integer> nicDevices = new ArrayList<>();
    private final List<Bridge> bridges = new ArrayList<>();
    /** The virtio devices, waiting for the guest's RAM; their transports once it is mapped. */
    private final List<PendingVirtio> virtio = new ArrayList<>();
    private final List<VirtioNet> virtioNets = new ArrayList<>();
    private MappedGuestRam guestRam;
    private ByteChannel events;
    private final Object eventsWriteLock = new Object();

    /** A NIC taking a frame from its bridge, under the monitor. */
    @FunctionalInterface
    private interface Receiver
    {
        /** @return whether to tell the vCPU side even if no line changed (its guest may poll) */
        boolean receive(UnsafeBuffer frame);
    }

    /** A virtio device built from its argument, its transport made once the guest's RAM is mapped. */
    private record PendingVirtio(int device, int window, String name, VirtioDevice model)
    {
    }

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
        if (!nicDevices.isEmpty())
        {
            openEvents(opener.open(), token);
        }
        if (!virtio.isEmpty())
        {
            mapGuestRam();
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

    /**
     * Takes the GUEST_RAM message, maps that range and makes the virtio transports on it; answers
     * RAM_MAPPED, or ERROR with the reason.
     *
     * @throws IOException when the channel breaks or the mapping fails (the peer was told why)
     */
    private void mapGuestRam() throws IOException
    {
        final ByteBuffer message = StubFrames.receiveSetup(channel);
        try
        {
            if (message.get() != StubProtocol.GUEST_RAM)
            {
                throw new IOException("the message after the windows is not the guest's RAM");
            }
            final Path file = Path.of(StubFrames.getString(message));
            final long offset = message.getLong();
            final long length = message.getLong();
            synchronized (this)
            {
                guestRam = MappedGuestRam.map(file, offset, length);
                for (final PendingVirtio pending : virtio)
                {
                    attachTransport(pending);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            final String text = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            final ByteBuffer error = StubFrames.setupMessage(StubProtocol.ERROR, StubFrames.stringSize(text));
            StubFrames.putString(error, text);
            StubFrames.sendSetup(channel, error);
            throw new IOException("mapping the guest's RAM failed: " + text, ex);
        }
        StubFrames.sendSetup(channel, StubFrames.setupMessage(StubProtocol.RAM_MAPPED, 0));
    }

    /** The transport of a virtio device on the mapped RAM, in place of its window's placeholder; under the monitor. */
    private void attachTransport(final PendingVirtio pending)
    {
        final int line = pending.device();
        final VirtioMmioTransport transport = new VirtioMmioTransport(guestRam.ram(), pending.model(),
            level -> setLine(line, level), HostLog.HOST, pending.name());
        windows.set(pending.window(), new Window(transport, pending.name(), line));
        if (pending.model() instanceof VirtioNet net)
        {
            net.connect();
            virtioNets.add(net);
            receivers.put(line, frame ->
            {
                net.deliver(frame, 0, frame.capacity());
                transport.poll(); // into the guest's posted buffers now, as the in-process vCPU's poll would
                return true;
            });
        }
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
                if (!nicDevices.contains(device))
                {
                    throw new IOException("a frame for device " + device + ", which is no NIC");
                }
                synchronized (this)
                {
                    final Receiver nic = receivers.get(device);
                    // A virtio-net takes frames once the guest's RAM is mapped; until then its link is down.
                    final boolean signal = nic != null && nic.receive(frame);
                    if (version != versionSent || signal)
                    {
                        final ByteBuffer irq = StubFrames.setupMessage(StubProtocol.IRQ, 8);
                        irq.putInt(version).putInt(levels);
                        synchronized (eventsWriteLock)
                        {
                            StubFrames.sendSetup(events, irq);
                        }
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

    /**
     * A port of a NIC's own bridge that sends what reaches it to the vCPU side: on the thread that sent
     * the frame (under the monitor) or the bridge's forwarding thread; each message under {@link #eventsWriteLock}.
     */
    private final class Uplink implements BridgePort
    {
        private final int device;
        private final int maxFrame;

        Uplink(final int device, final int maxFrame)
        {
            this.device = device;
            this.maxFrame = maxFrame;
        }

        @Override
        public boolean deliver(final DirectBuffer frame, final int offset, final int length)
        {
            if (length > maxFrame)
            {
                return false; // longer than the events channel carries: dropped, and the bridge counts it
            }
            final ByteBuffer message = StubFrames.setupMessage(StubProtocol.FRAME_OUT, 1 + length);
            message.put((byte)device);
            final byte[] bytes = new byte[length];
            frame.getBytes(offset, bytes);
            message.put(bytes);
            try
            {
                synchronized (eventsWriteLock)
                {
                    StubFrames.sendSetup(events, message);
                }
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
                final Bridge bridge = uplinkedBridge("stub-lan" + k, k, StubProtocol.MAX_ETHERNET_FRAME);
                nic.attach(bridge);
                nics.add(nic);
                receivers.put(k, frame ->
                {
                    nic.port().deliver(frame, 0, frame.capacity());
                    nic.poll();
                    return false;
                });
                windows.add(new Window(nic, "lan" + k, k));
                continue;
            }
            if (kind == StubProtocol.KIND_VIRTIO_BLK)
            {
                final DiskImage image = DiskImages.open(argument);
                images.add(image);
                final String serial = io.javisor.blkback.image.DiskSpec.parse(argument).vdev();
                addVirtio(k, "virtio-blk" + k, new VirtioBlk(image, serial));
                continue;
            }
            if (kind == StubProtocol.KIND_VIRTIO_NET)
            {
                final Bridge bridge = uplinkedBridge("stub-virtio-net" + k, k, StubProtocol.MAX_VIRTIO_FRAME);
                addVirtio(k, "virtio-net" + k, new VirtioNet(bridge, Long.parseUnsignedLong(argument, 16), "virtio-net" + k));
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

    /** A NIC's own bridge, whose other port is the events channel; frames up to {@code maxFrame} bytes cross it. */
    private Bridge uplinkedBridge(final String name, final int device, final int maxFrame)
    {
        final Bridge bridge = new Bridge(name);
        bridge.attach(new Uplink(device, maxFrame));
        bridges.add(bridge);
        nicDevices.add(device);
        return bridge;
    }

    /** A virtio device's window, described now and served once the guest's RAM is mapped. */
    private void addVirtio(final int device, final String name, final VirtioDevice model)
    {
        virtio.add(new PendingVirtio(device, windows.size(), name, model));
        windows.add(new Window(UNMAPPED_VIRTIO, name, device));
    }

    /** A virtio-mmio window's shape before its transport exists (the vCPU side maps the RAM before it runs the guest). */
    private static final MmioDevice UNMAPPED_VIRTIO = new MmioDevice()
    {
        @Override
        public long size()
        {
            return VirtioMmioDescriptor.WINDOW_SIZE;
        }

        @Override
        public boolean supports(final long offset, final int size)
        {
            return VirtioMmioTransport.supportsAccess(offset, size);
        }

        @Override
        public long read(final long offset, final int size)
        {
            throw new IllegalStateException("a virtio register access before the guest's RAM was mapped");
        }

        @Override
        public void write(final long offset, final int size, final long value)
        {
            throw new IllegalStateException("a virtio register access before the guest's RAM was mapped");
        }
    };

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

    /** Closes the disk images and unmaps the guest's RAM. */
    @Override
    public synchronized void close()
    {
        for (final Lan9118Device nic : nics)
        {
            nic.detach();
        }
        for (final VirtioNet net : virtioNets)
        {
            net.disconnect();
        }
        for (final DiskImage image : images)
        {
            image.close();
        }
        receivers.clear(); // the events reader drops what still arrives: the RAM it would land in goes now
        if (guestRam != null)
        {
            guestRam.close();
            guestRam = null;
        }
    }
}
