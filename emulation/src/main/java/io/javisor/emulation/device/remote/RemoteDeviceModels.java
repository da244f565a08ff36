package io.javisor.emulation.device.remote;

import io.javisor.emulation.board.IrqLine;
import io.javisor.emulation.board.MmioDevice;
import io.javisor.emulation.board.PolledDevice;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * A guest's device models as its vCPU sees them when a stub domain runs them: one {@link RemoteWindow}
 * per register window, each access a request and a reply to the stub ({@link StubProtocol}), on its
 * socket or through a shared-memory mailbox ({@link StubChannelKind}), and the interrupt lines each
 * reply carries set on the guest's interrupt controller before the access returns. A NIC (a LAN9118
 * or a virtio-net) also has traffic of its own: its frames cross a second, events connection to and
 * from its bridge ({@link #connectNic}), and a line it raises for a received frame comes back as an
 * IRQ event, set at the vCPU's next {@link #poll} (it is kicked into one, as a frame kicks an
 * in-process virtio-net's vCPU). Virtio devices DMA into guest RAM: the machine shares its RAM with
 * the stub ({@link #shareGuestRam}) before its guest runs. Line levels are versioned by the stub, so a
 * late event never undoes a newer reply. Once the stub is lost (its process ended, it failed, it answered garbage, or the channel was
 * closed), every access and every {@link #poll} throws a {@link StubDomainException} with the first
 * reason, which ends the guest's run as a crash; the failure listeners (the supervisor, which kills the
 * stub process) hear of it once.
 * <p>
 * <b>Threading: accesses and {@link #poll} on the vCPU thread, the single writer of the channel and
 * of the interrupt lines; {@link #fail} and {@link #close} from any thread.</b>
 */
public final class RemoteDeviceModels implements PolledDevice, AutoCloseable
{
    private final String name;
    private final SocketChannel channel;
    /** How accesses travel once set up: frames on {@link #channel}, or through a mailbox. Vcpu thread, and close. */
    private AccessTransport transport;
    private final List<RemoteDeviceSpec> devices;
    private final List<RemoteWindow> windows = new ArrayList<>();
    private final ByteBuffer request = ByteBuffer.allocateDirect(StubProtocol.FRAME).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer reply = ByteBuffer.allocateDirect(StubProtocol.FRAME).order(ByteOrder.LITTLE_ENDIAN);
    /** The first reason the stub was lost; null while it serves. Set once. */
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final List<Consumer<String>> failureListeners = new CopyOnWriteArrayList<>();
    /** Lines no device drives: a reply setting one is garbage. */
    private final int unusedLines;
    private volatile Runnable kick = () -> { };
    private volatile Supplier<String> lossExplainer = () -> null;
    private IrqLine[] lines;
    /** The levels last set on {@link #lines}, bit k for line k; vCPU thread. */
    private int appliedLevels;
    /**
     * The newest levels the stub reported, version in the high word, levels in the low one: raised by
     * replies (vCPU thread) and IRQ events (events reader), never lowered, so an older report that
     * arrives late is ignored.
     */
    private final java.util.concurrent.atomic.AtomicLong reported = new java.util.concurrent.atomic.AtomicLong();
    /** The events channel and what uses it, once a device needs one. */
    private volatile SocketChannel events;
    private final java.util.Map<Integer, RemoteNic> nics = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Thread> eventThreads = new CopyOnWriteArrayList<>();
    private final Object eventsWriteLock = new Object();
    private int sequence;
    /** Round trips made (written by the vCPU thread, read racily). */
    private volatile long accesses;
    /** When the access in flight was sent ({@link System#nanoTime()}), or 0 while none is. */
    private volatile long accessSince;

    private RemoteDeviceModels(final String name, final SocketChannel channel, final List<RemoteDeviceSpec> devices)
    {
        this.name = name;
        this.channel = channel;
        this.transport = new AccessTransport.Socket(channel);
        this.devices = List.copyOf(devices);
        this.unusedLines = devices.size() == StubProtocol.MAX_DEVICES ? 0 : -1 << devices.size();
    }

    /**
     * Takes over {@code channel}, on which a stub process has connected: checks its hello carries
     * {@code token}, sends it {@code devices} (and the mailbox to use, if any) and reads back their
     * register windows.
     *
     * @param name    a name for reasons and reports, e.g. "stub domain of web1"
     * @param mailbox a file to create for a {@link StubChannelKind#MAILBOX} channel (in a directory only
     *                this user can reach, on tmpfs ideally), or null for {@link StubChannelKind#SOCKET}
     * @throws StubDomainException (one line) when the stub refuses a device (e.g. cannot open a disk),
     *                             ends, or breaks the protocol; the channel is then closed
     */
    public static RemoteDeviceModels connect(final String name, final SocketChannel channel, final long token,
        final List<RemoteDeviceSpec> devices, final Path mailbox)
    {
        if (devices.isEmpty() || devices.size() > StubProtocol.MAX_DEVICES)
        {
            throw new IllegalArgumentException(name + ": between 1 and " + StubProtocol.MAX_DEVICES + " devices, got " +
                devices.size());
        }
        final RemoteDeviceModels models = new RemoteDeviceModels(name, channel, devices);
        try
        {
            models.handshake(token, mailbox);
            return models;
        }
        catch (final IOException | StubProtocolViolation | BufferUnderflowException ex)
        {
            models.close();
            final String explained = models.lossExplainer.get();
            throw new StubDomainException(name + " did not start: " + (explained != null ? explained :
                ex instanceof BufferUnderflowException ? "a set-up message is too short" : ex.getMessage()));
        }
        catch (final StubDomainException ex)
        {
            models.close();
            throw ex;
        }
    }

    private void handshake(final long token, final Path mailboxFile) throws IOException
    {
        final ByteBuffer hello = StubFrames.receiveSetup(channel);
        if (hello.get() != StubProtocol.HELLO || hello.remaining() != 8 || hello.getLong() != token)
        {
            throw new StubProtocolViolation("its hello is not the expected one");
        }
        final String mailboxName = mailboxFile == null ? "" : mailboxFile.toString();
        int size = 1 + StubFrames.stringSize(mailboxName);
        for (final RemoteDeviceSpec device : devices)
        {
            size += 1 + StubFrames.stringSize(device.argument());
        }
        AccessTransport.Shared shared = null;
        if (mailboxFile != null)
        {
            final Arena arena = Arena.ofShared();
            try (FileChannel file = FileChannel.open(mailboxFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE))
            {
                file.write(ByteBuffer.allocate((int)Mailbox.SIZE));
                shared = new AccessTransport.Shared(channel, arena,
                    file.map(FileChannel.MapMode.READ_WRITE, 0, Mailbox.SIZE, arena));
            }
            catch (final IOException | RuntimeException ex)
            {
                arena.close();
                throw ex;
            }
            transport = shared;
        }
        final ByteBuffer list = StubFrames.setupMessage(StubProtocol.DEVICES, size);
        list.put((byte)devices.size());
        for (final RemoteDeviceSpec device : devices)
        {
            list.put(device.kind());
            StubFrames.putString(list, device.argument());
        }
        StubFrames.putString(list, mailboxName);
        StubFrames.sendSetup(channel, list);

        final ByteBuffer answer = StubFrames.receiveSetup(channel);
        final byte type = answer.get();
        if (type == StubProtocol.ERROR)
        {
            throw new StubDomainException(name + " did not start: " + StubFrames.printable(StubFrames.getString(answer)));
        }
        if (type != StubProtocol.WINDOWS)
        {
            throw new StubProtocolViolation("it answered the device list with message type " + type);
        }
        final int count = Byte.toUnsignedInt(answer.get());
        for (int i = 0; i < count; i++)
        {
            final int device = Byte.toUnsignedInt(answer.get());
            final String window = StubFrames.printable(StubFrames.getString(answer));
            final int windowSize = answer.getInt();
            if (device >= devices.size() || windowSize <= 0 || windowSize > StubProtocol.MAX_WINDOW)
            {
                throw new StubProtocolViolation("window " + window + " names device " + device + " of size " + windowSize);
            }
            final byte[] bitmap = new byte[(windowSize * 4 + 7) / 8];
            answer.get(bitmap);
            windows.add(new RemoteWindow(this, i, device, window, windowSize, bitmap));
        }
        if (answer.hasRemaining())
        {
            throw new StubProtocolViolation("its window list has " + answer.remaining() + " bytes too many");
        }
    }

    /** @return whether a device needs the events channel ({@link #attachEvents}): a NIC */
    public boolean needsEvents()
    {
        return devices.stream().anyMatch(RemoteDeviceSpec::isNic);
    }

    /** @return whether a device DMAs into guest RAM (virtio), so that the stub must map it ({@link #shareGuestRam}) */
    public boolean needsGuestRam()
    {
        return devices.stream().anyMatch(RemoteDeviceSpec::needsGuestRam);
    }

    /**
     * Tells the stub where the guest's RAM is, the {@code length} bytes at {@code offset} of
     * {@code file} (a machine-memory file on tmpfs), and waits until it has mapped them: its virtio
     * devices run against that mapping. Once, before the guest runs.
     *
     * @throws StubDomainException (one line) when the stub cannot map them, ends, or breaks the
     *                             protocol; the models have then failed
     */
    public void shareGuestRam(final Path file, final long offset, final long length)
    {
        if (!needsGuestRam())
        {
            throw new IllegalStateException(name + " runs no virtio device: it maps no guest RAM");
        }
        accessSince = System.nanoTime() | 1; // a stub that never answers is released by its watchdog, as for an access
        try
        {
            final String path = file.toString();
            final ByteBuffer message = StubFrames.setupMessage(StubProtocol.GUEST_RAM, StubFrames.stringSize(path) + 16);
            StubFrames.putString(message, path);
            message.putLong(offset).putLong(length);
            StubFrames.sendSetup(channel, message);
            final ByteBuffer answer = StubFrames.receiveSetup(channel);
            final byte type = answer.get();
            if (type == StubProtocol.ERROR)
            {
                fail(name + " cannot map its guest's RAM: " + StubFrames.printable(StubFrames.getString(answer)));
            }
            else if (type != StubProtocol.RAM_MAPPED || answer.hasRemaining())
            {
                throw new StubProtocolViolation("it answered the guest's RAM with message type " + type + " of " +
                    answer.limit() + " bytes");
            }
        }
        catch (final StubProtocolViolation | BufferUnderflowException ex)
        {
            fail(name + " answered garbage to the guest's RAM (" + ex.getMessage() + ") and was disconnected");
        }
        catch (final IOException ex)
        {
            final String explained = failure.get() == null ? lossExplainer.get() : null;
            fail(name + " lost while mapping its guest's RAM: " + (explained != null ? explained : ex.getMessage()));
        }
        finally
        {
            accessSince = 0;
        }
        if (failure.get() != null)
        {
            throw new StubDomainException(failure.get());
        }
    }

    /**
     * Takes over the stub's second connection, checks its hello carries {@code token}, and starts the
     * events reader ({@code stub-events-NAME}): interrupt line changes outside accesses (applied at the
     * vCPU's next look, which it is kicked into) and the frames the stub's NICs send.
     *
     * @throws StubDomainException (one line) for a bad hello or a broken channel; the models fail
     */
    public void attachEvents(final SocketChannel channel, final long token)
    {
        events = channel;
        try
        {
            final ByteBuffer hello = StubFrames.receiveSetup(channel);
            if (hello.get() != StubProtocol.EVENTS_HELLO || hello.remaining() != 8 || hello.getLong() != token)
            {
                throw new StubProtocolViolation("its events hello is not the expected one");
            }
        }
        catch (final IOException | StubProtocolViolation | BufferUnderflowException ex)
        {
            fail(name + " did not start its events: " + ex.getMessage());
            throw new StubDomainException(failure.get());
        }
        final Thread reader = Thread.ofPlatform().name("stub-events-" + name.replace(' ', '-')).daemon().unstarted(this::readEvents);
        eventThreads.add(reader);
        reader.start();
    }

    /**
     * Joins device {@code device}, a NIC (a LAN9118 or a virtio-net), to {@code bridge}: frames for it go
     * to the stub (queued, by a sender thread of its own), frames it sends enter the bridge. After
     * {@link #attachEvents}.
     */
    public void connectNic(final int device, final io.javisor.netback.bridge.Bridge bridge)
    {
        if (device < 0 || device >= devices.size() || !devices.get(device).isNic() || events == null)
        {
            throw new IllegalArgumentException(name + ": device " + device + " is no NIC with an events channel");
        }
        final byte kind = devices.get(device).kind();
        final RemoteNic nic = new RemoteNic(device, devices.get(device).mac(), name.replace("stub domain of ", "stub-") +
            (kind == StubProtocol.KIND_LAN9118 ? ".lan" : ".virtio-net") + device, bridge, StubProtocol.maxFrame(kind));
        nics.put(device, nic);
        final Thread sender = Thread.ofPlatform().name("stub-frames-" + name.replace(' ', '-') + "-" + device).daemon()
            .unstarted(() -> sendFrames(nic));
        eventThreads.add(sender);
        sender.start();
        nic.attach();
    }

    private void sendFrames(final RemoteNic nic)
    {
        try
        {
            while (failure.get() == null)
            {
                final byte[] frame = nic.toStub().take();
                final ByteBuffer message = StubFrames.setupMessage(StubProtocol.FRAME_IN, 1 + frame.length);
                message.put((byte)nic.device()).put(frame);
                synchronized (eventsWriteLock)
                {
                    StubFrames.sendSetup(events, message);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            // Closed: the guest is gone.
        }
        catch (final IOException ex)
        {
            fail(name + " lost its events channel while sending a frame: " + ex.getMessage());
        }
    }

    private void readEvents()
    {
        try
        {
            while (true)
            {
                final ByteBuffer message = StubFrames.receiveSetup(events);
                final byte type = message.get();
                if (type == StubProtocol.IRQ && message.remaining() == 8)
                {
                    final int version = message.getInt();
                    final int levels = message.getInt();
                    if ((levels & unusedLines) != 0)
                    {
                        throw new StubProtocolViolation("an IRQ event sets line 0x" + Integer.toHexString(levels));
                    }
                    report(version, levels);
                    kick.run();
                }
                else if (type == StubProtocol.FRAME_OUT && message.remaining() >= 1)
                {
                    final RemoteNic nic = nics.get(Byte.toUnsignedInt(message.get()));
                    if (nic == null)
                    {
                        throw new StubProtocolViolation("a frame from a device that is no connected NIC");
                    }
                    if (message.remaining() > nic.maxFrame())
                    {
                        throw new StubProtocolViolation("a frame of " + message.remaining() + " bytes from a NIC that sends " +
                            nic.maxFrame() + " at most");
                    }
                    final byte[] frame = new byte[message.remaining()];
                    message.get(frame);
                    nic.forward(frame);
                }
                else
                {
                    throw new StubProtocolViolation("event type " + type + " of " + message.limit() + " bytes");
                }
            }
        }
        catch (final StubProtocolViolation | BufferUnderflowException ex)
        {
            fail(name + " sent a garbage event (" + ex.getMessage() + ") and was disconnected");
        }
        catch (final IOException ex)
        {
            if (failure.get() == null)
            {
                final String explained = lossExplainer.get();
                fail(name + " lost its events channel: " + (explained != null ? explained : ex.getMessage()));
            }
        }
    }

    /** @return the name reasons begin with, e.g. "stub domain of web1" */
    public String name()
    {
        return name;
    }

    /** @return the devices, in order; device k drives line k */
    public List<RemoteDeviceSpec> devices()
    {
        return devices;
    }

    /** @return the register windows of device {@code device}, in the order its model lists them */
    public List<MmioDevice> windowsOf(final int device)
    {
        final List<MmioDevice> of = new ArrayList<>();
        for (final RemoteWindow window : windows)
        {
            if (window.device() == device)
            {
                of.add(window);
            }
        }
        return of;
    }

    /** @return the device indices of the given kind, in order (e.g. the ATA disks) */
    public int[] devicesOfKind(final byte kind)
    {
        return IntStream.range(0, devices.size()).filter(k -> devices.get(k).kind() == kind).toArray();
    }

    /**
     * Connects the models' interrupt lines ({@code lines[k]} for device k) and how to get a sleeping or
     * running vCPU to look again ({@link #poll}) when the stub is lost. Before the guest runs.
     */
    public void attach(final IrqLine[] lines, final Runnable kick)
    {
        if (lines.length != devices.size())
        {
            throw new IllegalArgumentException(name + ": " + devices.size() + " interrupt lines needed, got " + lines.length);
        }
        this.lines = lines.clone();
        this.kick = kick;
        if (failure.get() != null)
        {
            kick.run();
        }
    }

    /** {@code listener} hears the reason once the stub is lost (at once if it already is); it must not block. */
    public void onFailure(final Consumer<String> listener)
    {
        failureListeners.add(listener);
        final String reason = failure.get();
        if (reason != null)
        {
            listener.accept(reason);
        }
    }

    /**
     * What to say when the channel breaks: the supervisor's account of the process (e.g. its exit
     * status), or null when it has none; asked on the thread that saw the break.
     */
    public void explainLossWith(final Supplier<String> explainer)
    {
        this.lossExplainer = explainer;
    }

    /**
     * The stub is lost for {@code reason} (the first reason given wins): the channel is closed, the
     * listeners told, the vCPU kicked so that it crashes at its next look. Any thread.
     */
    public void fail(final String reason)
    {
        if (!failure.compareAndSet(null, reason))
        {
            return;
        }
        closeChannel();
        for (final Consumer<String> listener : failureListeners)
        {
            listener.accept(reason);
        }
        kick.run();
    }

    /** @return the reason the stub was lost, or null while it serves */
    public String failure()
    {
        return failure.get();
    }

    /**
     * @return how long the access in flight has waited for its answer at {@code nowNanos}, or 0 while
     * none is in flight (any thread: a watchdog fails a stub that takes too long)
     */
    public long accessWaitingNanos(final long nowNanos)
    {
        final long since = accessSince;
        return since == 0 ? 0 : Math.max(1, nowNanos - since);
    }

    /** @return register accesses that went to the stub (read racily) */
    public long accesses()
    {
        return accesses;
    }

    /** Sets the interrupt lines the stub reported meanwhile. @throws StubDomainException once the stub is lost; vCPU thread. */
    @Override
    public void poll()
    {
        final String reason = failure.get();
        if (reason != null)
        {
            throw new StubDomainException(reason);
        }
        applyLevels((int)reported.get());
    }

    /** Keeps {@code levels} of {@code version} if it is newer than what was reported. Any thread. */
    private void report(final int version, final int levels)
    {
        final long offered = Integer.toUnsignedLong(version) << 32 | Integer.toUnsignedLong(levels);
        long current = reported.get();
        while (Long.compareUnsigned(offered >>> 32, current >>> 32) > 0 && !reported.compareAndSet(current, offered))
        {
            current = reported.get();
        }
    }

    /** One register access, a round trip to the stub; vCPU thread. */
    long access(final RemoteWindow window, final byte type, final long offset, final int size, final long value)
    {
        poll();
        final int seq = ++sequence;
        request.clear();
        request.put(type).put((byte)window.index()).put((byte)size).put((byte)0).putInt(seq).putLong(offset).putLong(value);
        request.flip();
        reply.clear();
        accessSince = System.nanoTime() | 1; // never 0, which means none in flight
        try
        {
            transport.exchange(request, reply);
        }
        catch (final StubProtocolViolation ex)
        {
            throw garbage(window, type, offset, ex.getMessage());
        }
        catch (final IOException ex)
        {
            final String explained = failure.get() == null ? lossExplainer.get() : null;
            fail(name + " lost during " + describe(window, type, offset) + ": " +
                (explained != null ? explained : "the channel broke (" + ex.getMessage() + ")"));
            throw new StubDomainException(failure.get());
        }
        finally
        {
            accessSince = 0;
        }
        accesses++;
        final byte replyType = reply.get(0);
        final int replySeq = reply.getInt(4);
        if (replyType == StubProtocol.REPLY && replySeq == seq)
        {
            final int levels = reply.getInt(8);
            final long result = reply.getLong(16);
            if ((levels & unusedLines) != 0 || type == StubProtocol.READ && size < 8 && result >>> (8 * size) != 0)
            {
                throw garbage(window, type, offset, "lines 0x" + Integer.toHexString(levels) + ", value 0x" +
                    Long.toHexString(result));
            }
            report(reply.getInt(12), levels);
            applyLevels((int)reported.get());
            return result;
        }
        if (replyType == StubProtocol.FAILED && replySeq == seq)
        {
            final int length = reply.getInt(12);
            if (length < 0 || length > StubProtocol.MAX_FAILURE_TEXT)
            {
                throw garbage(window, type, offset, "a failure text of " + length + " bytes");
            }
            final byte[] text;
            try
            {
                text = transport.failureText(length);
            }
            catch (final IOException ex)
            {
                fail(name + " failed during " + describe(window, type, offset) + " and broke the channel");
                throw new StubDomainException(failure.get());
            }
            fail(name + ": its device model failed during " + describe(window, type, offset) + ": " +
                StubFrames.printable(new String(text, StandardCharsets.UTF_8)));
            throw new StubDomainException(failure.get());
        }
        throw garbage(window, type, offset, "message type " + replyType + " for request " + seq + " of " + replySeq);
    }

    private StubDomainException garbage(final RemoteWindow window, final byte type, final long offset, final String what)
    {
        fail(name + " answered garbage to " + describe(window, type, offset) + " (" + what + ") and was disconnected");
        return new StubDomainException(failure.get());
    }

    private static String describe(final RemoteWindow window, final byte type, final long offset)
    {
        return (type == StubProtocol.READ ? "a read of " : "a write to ") + window.name() + " + 0x" + Long.toHexString(offset);
    }

    private void applyLevels(final int levels)
    {
        int changed = levels ^ appliedLevels;
        appliedLevels = levels;
        while (changed != 0)
        {
            final int line = Integer.numberOfTrailingZeros(changed);
            changed &= changed - 1;
            lines[line].set((levels >>> line & 1) != 0);
        }
    }

    /**
     * Closes the channel (the stub process sees it end and exits) and unmaps the mailbox. Once no vCPU
     * uses the models (the guest has ended); idempotent.
     */
    @Override
    public synchronized void close()
    {
        failure.compareAndSet(null, name + " was closed");
        closeChannel();
        for (final RemoteNic nic : nics.values())
        {
            nic.detach();
        }
        nics.clear();
        for (final Thread thread : eventThreads)
        {
            thread.interrupt();
            try
            {
                thread.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        eventThreads.clear();
        if (transport instanceof AccessTransport.Shared)
        {
            transport.close();
            transport = new AccessTransport.Socket(channel);
        }
    }

    private void closeChannel()
    {
        try
        {
            channel.close();
            if (events != null)
            {
                events.close();
            }
        }
        catch (final IOException ignored)
        {
            // Closing a socket: nothing to do about a failure.
        }
    }
}
