package io.javisor.emulation.device.virtionet;

import io.javisor.emulation.device.virtio.DescriptorChain;
import io.javisor.emulation.device.virtio.GuestRam;
import io.javisor.emulation.device.virtio.SplitVirtqueue;
import io.javisor.emulation.device.virtio.VirtioDevice;
import io.javisor.emulation.device.virtio.VirtioMmioTransport;
import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.bridge.BridgePort;
import io.javisor.netback.spec.MacAddress;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.javisor.emulation.device.virtionet.VirtioNetDescriptor.*;

/**
 * A virtio-net device (virtio 1.x, 5.1) attached as a port to a netback {@link Bridge}: one receive
 * and one transmit queue, a MAC address, link status (always up), and receive buffers mergeable or
 * not, as the driver negotiates. No checksum or segmentation offload: frames are whole Ethernet frames.
 * <p>
 * <b>Threads.</b>
 * <ul>
 * <li><b>vCPU thread</b> (the single writer of the queues and of guest memory): register accesses,
 * transmit (a notify of the transmit queue copies each frame out of guest RAM and hands it to
 * {@link Bridge#forward}, which switches it at once if this thread may forward, or queues it for the
 * bridge's forwarding thread), and receive into guest buffers: frames waiting in {@link #rxFrames} are
 * copied into the receive queue's buffers at every notify (the driver just posted buffers or sent) and
 * at the board's poll between instruction slices ({@link #poll}).</li>
 * <li><b>the bridge's forwarding thread</b> calls {@link #deliver}, which must not block or touch guest
 * memory the vCPU thread owns: it copies the frame into {@link #rxFrames}, a bounded
 * ({@link #RX_QUEUE_BYTES} bytes of frames, allocation-free) one-to-one ring buffer whose one producer is
 * whichever thread holds the forwarding role (the role hands over with a happens-before edge) and whose
 * consumer is the vCPU thread; a full ring refuses the frame and the bridge counts the drop. It then
 * wakes the vCPU thread through the wake-up hook (a hart in WFI sleeps otherwise until its next timer).</li>
 * </ul>
 * Frames wait in the ring, in order, while the guest has posted no receive buffer; the ring's bound is
 * the back-pressure.
 */
public final class VirtioNet implements VirtioDevice, BridgePort
{
    public static final int QUEUE_NUM_MAX = 256;
    /** The longest frame carried: an IP datagram of 64 KiB in one frame, as a bridge with offloads may pass on. */
    public static final int MAX_FRAME = 65_535 + ETHERNET_HEADER;
    /** Bytes of queued received frames (with the ring's 8-byte record headers), at most. */
    public static final int RX_QUEUE_BYTES = 1 << 20;
    private static final int FRAME_MSG = 1;

    private final Bridge bridge;
    private final long mac;
    private final String portName;
    private final long features;
    private final UnsafeBuffer config = new UnsafeBuffer(new byte[CONFIG_SIZE]);
    private final OneToOneRingBuffer rxFrames = new OneToOneRingBuffer(
        new UnsafeBuffer(ByteBuffer.allocateDirect(RX_QUEUE_BYTES + RingBufferDescriptor.TRAILER_LENGTH)));
    private final UnsafeBuffer txFrame = new UnsafeBuffer(ByteBuffer.allocateDirect(HDR_SIZE + MAX_FRAME));
    private final UnsafeBuffer header = new UnsafeBuffer(ByteBuffer.allocateDirect(HDR_SIZE).order(ByteOrder.LITTLE_ENDIAN));
    private final ControlledMessageHandler rxHandler = this::receive;
    private final VirtioNetStatistics statistics = new VirtioNetStatistics();
    /** The used entries of the frame being received with mergeable buffers. */
    private final int[] mergedHeads = new int[QUEUE_NUM_MAX];
    private final long[] mergedLengths = new long[QUEUE_NUM_MAX];
    private volatile Runnable wakeUp = () -> { };
    private VirtioMmioTransport transport;
    private GuestRam ram;
    private DescriptorChain chain;
    private int portNumber;
    /** Receive buffers were used since the last interrupt decision. */
    private boolean usedSinceInterrupt;
    /** RAM offsets of the two bytes of num_buffers in the first buffer of the frame being received. */
    private long firstNumBuffersLow;
    private long firstNumBuffersHigh;

    /**
     * @param bridge the bridge to join ({@link #connect()} attaches the port)
     * @param mac    the device's MAC address (48 bits, first byte most significant)
     * @param name   the port's name in bridge listings, e.g. {@code vif1.0-virtio}
     */
    public VirtioNet(final Bridge bridge, final long mac, final String name)
    {
        this.bridge = bridge;
        this.mac = mac & MacAddress.MASK;
        this.portName = name;
        this.features = 1L << F_MAC | 1L << F_STATUS | 1L << F_MRG_RXBUF;
        MacAddress.write(this.mac, config, CONFIG_MAC);
        config.putShort(CONFIG_STATUS, (short)STATUS_LINK_UP, ByteOrder.LITTLE_ENDIAN);
        config.putShort(CONFIG_MAX_VIRTQUEUE_PAIRS, (short)1, ByteOrder.LITTLE_ENDIAN);
    }

    /** Attaches the port to the bridge; frames may arrive from then on. Any thread, once. */
    public VirtioNet connect()
    {
        portNumber = bridge.attach(this);
        return this;
    }

    /** Detaches the port; on return no delivery runs or will start. Any thread. */
    public void disconnect()
    {
        if (portNumber > 0)
        {
            bridge.detach(portNumber);
            portNumber = 0;
        }
    }

    /** How {@link #deliver} wakes the vCPU thread (the machine's {@code wakeUp}); must not block. */
    public void wakeUpWith(final Runnable wakeUp)
    {
        this.wakeUp = wakeUp;
    }

    public VirtioNetStatistics statistics()
    {
        return statistics;
    }

    public Bridge bridge()
    {
        return bridge;
    }

    public int portNumber()
    {
        return portNumber;
    }

    // ---- BridgePort: the forwarding thread ----

    @Override
    public boolean deliver(final DirectBuffer frame, final int offset, final int length)
    {
        if (length < ETHERNET_HEADER || length > MAX_FRAME || !rxFrames.write(FRAME_MSG, frame, offset, length))
        {
            statistics.rxQueueFull++;
            return false;
        }
        wakeUp.run();
        return true;
    }

    @Override
    public String name()
    {
        return portName;
    }

    @Override
    public long macAddress()
    {
        return mac;
    }

    // ---- VirtioDevice: the vCPU thread ----

    @Override
    public int deviceId()
    {
        return DEVICE_ID;
    }

    @Override
    public long deviceFeatures()
    {
        return features;
    }

    @Override
    public int queueCount()
    {
        return 2;
    }

    @Override
    public int queueNumMax()
    {
        return QUEUE_NUM_MAX;
    }

    @Override
    public int configSize()
    {
        return CONFIG_SIZE;
    }

    @Override
    public long readConfig(final int offset, final int size)
    {
        // Config fields are naturally aligned; an 8-byte read would run past the 10 bytes.
        return switch (size)
        {
            case 1 -> config.getByte(offset) & 0xFFL;
            case 2 -> config.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFFL;
            case 4 -> config.getInt(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
            default -> 0;
        };
    }

    @Override
    public void attach(final VirtioMmioTransport transport)
    {
        this.transport = transport;
        this.ram = transport.ram();
        this.chain = new DescriptorChain(QUEUE_NUM_MAX);
    }

    @Override
    public void activate()
    {
        transmit();
        receive();
    }

    /** Frames already queued stay queued for the next driver: they are traffic, not device state. */
    @Override
    public void reset()
    {
    }

    @Override
    public void queueNotify(final int queue)
    {
        if (queue == TX_QUEUE)
        {
            transmit();
        }
        receive();
    }

    @Override
    public void poll()
    {
        receive();
    }

    private void transmit()
    {
        final SplitVirtqueue tx = transport.queue(TX_QUEUE);
        if (!tx.isReady())
        {
            return;
        }
        boolean completed = false;
        while (tx.pop(chain) == SplitVirtqueue.CHAIN)
        {
            final long frameLength = chain.readableBytes() - HDR_SIZE;
            if (frameLength < ETHERNET_HEADER || frameLength > MAX_FRAME)
            {
                statistics.txDropped++;
            }
            else
            {
                chain.readOut(ram, HDR_SIZE, txFrame, 0, (int)frameLength);
                final int accepted = bridge.forward(portNumber, txFrame, 0, (int)frameLength, System.nanoTime());
                if (accepted == Bridge.QUEUE_FULL || portNumber == 0)
                {
                    statistics.txDropped++;
                }
                else
                {
                    statistics.txFrames++;
                    statistics.txBytes += frameLength;
                }
            }
            tx.pushUsed(chain.head(), 0);
            completed = true;
        }
        if (completed)
        {
            transport.usedBuffers(TX_QUEUE);
        }
    }

    /** Copies waiting frames into the guest's receive buffers while there are both. */
    private void receive()
    {
        if (!transport.isLive() || !transport.queue(RX_QUEUE).isReady())
        {
            return;
        }
        rxFrames.controlledRead(rxHandler);
        if (usedSinceInterrupt)
        {
            usedSinceInterrupt = false;
            transport.usedBuffers(RX_QUEUE);
        }
    }

    private ControlledMessageHandler.Action receive(
        final int msgType, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (!transport.isLive())
        {
            return ControlledMessageHandler.Action.ABORT;
        }
        final SplitVirtqueue rx = transport.queue(RX_QUEUE);
        final boolean mergeable = transport.driverHasFeature(F_MRG_RXBUF);
        final long needed = HDR_SIZE + (long)length;
        header.setMemory(0, HDR_SIZE, (byte)0);
        int chains = 0;
        long copied = 0; // frame bytes placed so far
        while (copied < length || chains == 0)
        {
            final int r = rx.pop(chain);
            if (r != SplitVirtqueue.CHAIN)
            {
                // No buffer (wait for the driver to post more) or a bad chain (NEEDS_RESET): keep the frame.
                rx.unpop(chains);
                return ControlledMessageHandler.Action.ABORT;
            }
            if (chain.readableCount() != 0)
            {
                transport.deviceError("receive chain from head " + chain.head() + " has device-readable buffers");
                return ControlledMessageHandler.Action.ABORT;
            }
            final long room = chain.writableBytes();
            if (chains == 0 && (room < (mergeable ? HDR_SIZE : needed)))
            {
                // Too small for the header (mergeable) or for the whole frame (not mergeable): drop the
                // frame and leave the buffer to the driver for the next one.
                rx.unpop(1);
                statistics.rxDropped++;
                return ControlledMessageHandler.Action.CONTINUE;
            }
            final long headerPart = chains == 0 ? HDR_SIZE : 0;
            if (chains == 0)
            {
                header.putShort(HDR_NUM_BUFFERS, (short)1, ByteOrder.LITTLE_ENDIAN);
                chain.writeIn(ram, 0, header, 0, HDR_SIZE);
            }
            final int n = (int)Math.min(room - headerPart, length - copied);
            chain.writeIn(ram, headerPart, buffer, index + (int)copied, n);
            copied += n;
            mergedHeads[chains] = chain.head();
            mergedLengths[chains] = headerPart + n;
            if (chains == 0)
            {
                firstNumBuffersLow = chain.writableOffset(HDR_NUM_BUFFERS);
                firstNumBuffersHigh = chain.writableOffset(HDR_NUM_BUFFERS + 1);
            }
            chains++;
            if (!mergeable || chains == mergedHeads.length)
            {
                break;
            }
        }
        if (copied < length)
        {
            // Mergeable, but the frame needs more buffers than the queue holds: drop it.
            rx.unpop(chains);
            statistics.rxDropped++;
            return ControlledMessageHandler.Action.CONTINUE;
        }
        if (chains > 1)
        {
            ram.putByte(firstNumBuffersLow, (byte)chains);
            ram.putByte(firstNumBuffersHigh, (byte)(chains >>> 8));
        }
        for (int i = 0; i < chains; i++)
        {
            rx.pushUsed(mergedHeads[i], mergedLengths[i]);
        }
        usedSinceInterrupt = true;
        statistics.rxBuffersUsed += chains;
        statistics.rxFrames++;
        statistics.rxBytes += length;
        return ControlledMessageHandler.Action.CONTINUE;
    }
}
