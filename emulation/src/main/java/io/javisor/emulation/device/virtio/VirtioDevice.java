package io.javisor.emulation.device.virtio;

/**
 * A virtio device model behind a {@link VirtioMmioTransport}: the device type's features, queues
 * and configuration space, and what it does when the driver notifies a queue. Every method runs on
 * the vCPU thread of the machine the transport is mapped into (register accesses and board polls);
 * a device that receives data on other threads says so itself.
 */
public interface VirtioDevice
{
    /** @return the virtio device id (1 net, 2 block). */
    int deviceId();

    /** @return a short name for logs, e.g. {@code virtio-blk}. */
    String name();

    /** @return the device-type feature bits offered; the transport adds {@code VERSION_1} and its ring features. */
    long deviceFeatures();

    int queueCount();

    /** @return the largest queue size the device accepts (a power of two). */
    int queueNumMax();

    /** @return the length in bytes of the configuration space. */
    int configSize();

    /** Reads {@code size} bytes (1, 2, 4 or 8) at {@code offset}, inside the configuration space, little-endian. */
    long readConfig(int offset, int size);

    /** Writes to the configuration space; most fields are read-only and ignore writes. */
    default void writeConfig(final int offset, final int size, final long value)
    {
    }

    /** Called once when the transport is built, before any other call. */
    void attach(VirtioMmioTransport transport);

    /** The driver set DRIVER_OK: the queues are live; process what is already available. */
    void activate();

    /** The driver wrote 0 to Status (or the host reset the device): forget all queue state. */
    void reset();

    /** The driver notified queue {@code queue} (ready, the device live and not in NEEDS_RESET). */
    void queueNotify(int queue);

    /** The board's periodic poll on the vCPU thread, between instruction slices; only while live. */
    default void poll()
    {
    }
}
