package io.javisor.emulation.machine;

import io.javisor.blkback.image.DiskImage;
import io.javisor.emulation.fdt.VirtBoardFdt;
import io.javisor.emulation.hypercall.Hypercalls;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.memory.GuestMemory;
import io.javisor.netback.bridge.Bridge;

import java.util.ArrayList;
import java.util.List;

/**
 * What one HVM guest on the virt board is made of. Setters return {@code this};
 * {@link #validate()} names the first problem in one line.
 */
public final class MachineConfig
{
    public static final long MIB = 1024 * 1024;
    /** QEMU's default for {@code -M virt}. */
    public static final long DEFAULT_MEMORY = 128 * MIB;
    /** The smallest RAM that still holds a device tree, and a kernel at 0x8020_0000 with room. */
    public static final long MIN_MEMORY = 4 * MIB;
    /** One domain's RAM is a single off-heap view of at most 2 GiB. */
    public static final long MAX_MEMORY = 2048 * MIB;

    /** Nanoseconds in one second: the time base must divide it, so that mtime is whole host nanoseconds per tick. */
    public static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The finest time base the board offers: one tick per host nanosecond. */
    public static final long MAX_TIMEBASE_HZ = NANOS_PER_SECOND;

    private long memoryBytes = DEFAULT_MEMORY;
    private long timebaseHz = io.javisor.emulation.fdt.VirtBoardFdt.TIMEBASE_HZ;
    private BootMode bootMode = BootMode.BARE;
    private ElfImage kernel;
    private ElfImage firmware;
    private String bootargs;
    private long maxInstructions;
    private Console console = Console.NONE;
    private GuestMemory memory;
    private Board board = Board.VIRT;
    private Hypercalls hypercalls;
    private long reservedTopBytes;
    /** The translator by default; {@code -Djavisor.cpu=interp} makes the interpreter the default. */
    private boolean tierTiming;
    private CpuTier cpuTier = "interp".equalsIgnoreCase(System.getProperty("javisor.cpu", "jit")) ?
        CpuTier.INTERPRETER : CpuTier.JIT;

    public MachineConfig memoryMiB(final long mib)
    {
        this.memoryBytes = mib * MIB;
        return this;
    }

    public MachineConfig memoryBytes(final long bytes)
    {
        this.memoryBytes = bytes;
        return this;
    }

    public MachineConfig bootMode(final BootMode bootMode)
    {
        this.bootMode = bootMode;
        return this;
    }

    /** The program: run in M-mode ({@link BootMode#BARE}) or S-mode (the other two). */
    public MachineConfig kernel(final ElfImage kernel)
    {
        this.kernel = kernel;
        return this;
    }

    /** The M-mode firmware for {@link BootMode#EXTERNAL}. */
    public MachineConfig firmware(final ElfImage firmware)
    {
        this.firmware = firmware;
        return this;
    }

    /** The kernel command line, placed in the device tree's /chosen/bootargs. */
    public MachineConfig bootargs(final String bootargs)
    {
        this.bootargs = bootargs;
        return this;
    }

    /** Which tier runs the guest's code ({@link CpuTier#JIT} by default). */
    public MachineConfig cpuTier(final CpuTier cpuTier)
    {
        this.cpuTier = cpuTier;
        return this;
    }

    public CpuTier cpuTier()
    {
        return cpuTier;
    }

    /**
     * The rate of mtime and of the time CSR, stated in the device tree's /cpus/timebase-frequency:
     * QEMU virt's 10 MHz by default; up to {@link #MAX_TIMEBASE_HZ} (1 GHz) for sub-microsecond
     * guest-side timing. Must divide 10^9; guests that assume 10 MHz need the default.
     */
    public MachineConfig timebaseHz(final long timebaseHz)
    {
        this.timebaseHz = timebaseHz;
        return this;
    }

    public long timebaseHz()
    {
        return timebaseHz;
    }

    /** Host nanoseconds per mtime tick. */
    public long nanosPerTick()
    {
        return NANOS_PER_SECOND / timebaseHz;
    }

    /**
     * Time every call into translated code, so that a report can split the run's time between the
     * tiers ({@code TranslatorStatistics.translatedNanos}); two clock reads per dispatch. Off by default.
     */
    public MachineConfig tierTiming(final boolean on)
    {
        this.tierTiming = on;
        return this;
    }

    public boolean tierTiming()
    {
        return tierTiming;
    }

    /** Stop after this many retired instructions; 0 for no limit. */
    public MachineConfig maxInstructions(final long maxInstructions)
    {
        this.maxInstructions = maxInstructions;
        return this;
    }

    /**
     * Run on this RAM (a domain's, zeroed, owned by the caller, who closes it after the machine)
     * instead of allocating its own; the memory size then comes from it.
     */
    public MachineConfig memory(final GuestMemory memory)
    {
        this.memory = memory;
        this.memoryBytes = memory.size();
        return this;
    }

    public GuestMemory memory()
    {
        return memory;
    }

    /** The board ({@link Board#VIRT} by default). */
    public MachineConfig board(final Board board)
    {
        this.board = board;
        return this;
    }

    public Board board()
    {
        return board;
    }

    /**
     * Answer javisor's hypercalls with {@code hypercalls} (builtin firmware only); the device tree then
     * has the {@code hypervisor} node. Null (the default): no hypercalls.
     */
    public MachineConfig hypercalls(final Hypercalls hypercalls)
    {
        this.hypercalls = hypercalls;
        return this;
    }

    public Hypercalls hypercalls()
    {
        return hypercalls;
    }

    /** Bytes the machine writes into RAM at a guest-physical address once the images are loaded. */
    public record Preload(long address, byte[] bytes)
    {
    }

    private final List<Preload> preloads = new ArrayList<>();

    /**
     * Writes {@code bytes} into guest RAM at {@code address} after the ELF images are loaded and
     * before the first instruction (QEMU's generic loader, {@code -device loader,addr=}): how a host
     * hands a guest its input, e.g. a disk-io job. The machine refuses a range outside RAM, in the
     * reserved top or over the device tree when it boots. The array is kept, not copied.
     */
    public MachineConfig preload(final long address, final byte[] bytes)
    {
        if (bytes == null)
        {
            throw new IllegalArgumentException("no bytes given to preload at 0x" + Long.toHexString(address));
        }
        preloads.add(new Preload(address, bytes));
        return this;
    }

    public List<Preload> preloads()
    {
        return List.copyOf(preloads);
    }

    /**
     * Keep the top {@code bytes} of RAM for the hypervisor's pages (a domain's xenstore and console
     * rings): the device tree goes below them and lists them under {@code /reserved-memory}.
     */
    public MachineConfig reservedTopBytes(final long bytes)
    {
        this.reservedTopBytes = bytes;
        return this;
    }

    public long reservedTopBytes()
    {
        return reservedTopBytes;
    }

    public MachineConfig console(final Console console)
    {
        this.console = console;
        return this;
    }

    public long memoryBytes()
    {
        return memoryBytes;
    }

    public BootMode bootMode()
    {
        return bootMode;
    }

    public ElfImage kernel()
    {
        return kernel;
    }

    public ElfImage firmware()
    {
        return firmware;
    }

    public String bootargs()
    {
        return bootargs;
    }

    public long maxInstructions()
    {
        return maxInstructions;
    }

    public Console console()
    {
        return console;
    }

    /** @throws IllegalArgumentException naming the first problem, in one line */
    public MachineConfig validate()
    {
        if (memoryBytes < MIN_MEMORY || memoryBytes > MAX_MEMORY)
        {
            throw new IllegalArgumentException("memory must be between " + MIN_MEMORY / MIB + " and " +
                MAX_MEMORY / MIB + " MiB, got " + describe(memoryBytes));
        }
        if (memoryBytes % 4096 != 0)
        {
            throw new IllegalArgumentException("memory must be a whole number of 4 KiB pages, got " +
                memoryBytes + " bytes");
        }
        if (bootMode == null)
        {
            throw new IllegalArgumentException("no boot mode given");
        }
        if (maxInstructions < 0)
        {
            throw new IllegalArgumentException("instruction budget must not be negative, got " + maxInstructions);
        }
        if (timebaseHz <= 0 || timebaseHz > MAX_TIMEBASE_HZ || NANOS_PER_SECOND % timebaseHz != 0)
        {
            throw new IllegalArgumentException("time base must divide 1 GHz (1 Hz to 1 GHz), got " + timebaseHz + " Hz");
        }
        if (console == null)
        {
            throw new IllegalArgumentException("no console given");
        }
        if (board == null)
        {
            throw new IllegalArgumentException("no board given");
        }
        if (reservedTopBytes < 0 || reservedTopBytes % 4096 != 0 || reservedTopBytes > memoryBytes / 2)
        {
            throw new IllegalArgumentException("reserved top of RAM must be whole pages and at most half of RAM, got " +
                reservedTopBytes + " bytes");
        }
        if (hypercalls != null && bootMode != BootMode.BUILTIN)
        {
            throw new IllegalArgumentException("hypercalls are answered by the builtin firmware: boot mode " +
                name(bootMode) + " has none");
        }
        if (board == Board.PV)
        {
            if (bootMode != BootMode.BUILTIN)
            {
                throw new IllegalArgumentException("a PV board runs an S-mode kernel under the builtin firmware, not boot mode " +
                    name(bootMode));
            }
            if (!ataDisks.isEmpty() || !lan9118s.isEmpty() || !virtioDevices.isEmpty() || remoteDeviceModels != null)
            {
                throw new IllegalArgumentException("a PV board has no emulated or virtio devices; its disks and NICs are PV");
            }
        }
        if (remoteDeviceModels != null && !ataDisks.isEmpty())
        {
            throw new IllegalArgumentException("a machine's ATA disks are all in its stub domain or all in-process, not both");
        }
        if (remoteDeviceModels != null && !lan9118s.isEmpty() &&
            remoteDeviceModels.devicesOfKind(io.javisor.emulation.device.remote.StubProtocol.KIND_LAN9118).length > 0)
        {
            throw new IllegalArgumentException("a machine's LAN9118s are all in its stub domain or all in-process, not both");
        }
        if (remoteDeviceModels != null && remoteDeviceModels.needsGuestRam() && !virtioDevices.isEmpty())
        {
            throw new IllegalArgumentException("a machine's virtio devices are all in its stub domain or all in-process, not both");
        }
        if (remoteDeviceModels != null && remoteDeviceModels.devices().stream().filter(d -> d.needsGuestRam()).count() >
            VirtBoardFdt.VIRTIO_SLOTS)
        {
            throw new IllegalArgumentException("at most " + VirtBoardFdt.VIRTIO_SLOTS + " virtio devices");
        }
        if (remoteDeviceModels != null && remoteDeviceModels.devicesOfKind(
            io.javisor.emulation.device.remote.StubProtocol.KIND_ATA).length > VirtBoardFdt.MAX_ATA)
        {
            throw new IllegalArgumentException("at most " + VirtBoardFdt.MAX_ATA + " ATA disks");
        }
        switch (bootMode)
        {
            case BARE, BUILTIN ->
            {
                if (kernel == null)
                {
                    throw new IllegalArgumentException("boot mode " + name(bootMode) + " needs a kernel ELF");
                }
                if (firmware != null)
                {
                    throw new IllegalArgumentException("boot mode " + name(bootMode) +
                        " takes no firmware ELF (use the external firmware mode)");
                }
            }
            case EXTERNAL ->
            {
                if (firmware == null)
                {
                    throw new IllegalArgumentException("external firmware mode needs a firmware ELF");
                }
            }
        }
        return this;
    }

    // ---------------------------------------------------------------------------------------------
    // Emulated devices: ATA disks and LAN9118 NICs.
    // ---------------------------------------------------------------------------------------------

    /** A LAN9118 to give the guest: the bridge it joins and its MAC (48 bits, first byte most significant). */
    public record Lan9118Config(Bridge bridge, long mac)
    {
    }

    private final List<DiskImage> ataDisks = new ArrayList<>();
    private final List<Lan9118Config> lan9118s = new ArrayList<>();

    /**
     * Give the guest an emulated ATA disk (PIO, Linux {@code pata_of_platform}) on {@code image}, on
     * its own channel; the caller owns the image and closes it after the machine.
     *
     * @throws IllegalArgumentException past {@link VirtBoardFdt#MAX_ATA} disks
     */
    public MachineConfig addAtaDisk(final DiskImage image)
    {
        if (image == null)
        {
            throw new IllegalArgumentException("no disk image given for the ATA disk");
        }
        if (ataDisks.size() == VirtBoardFdt.MAX_ATA)
        {
            throw new IllegalArgumentException("at most " + VirtBoardFdt.MAX_ATA + " ATA disks");
        }
        ataDisks.add(image);
        return this;
    }

    /**
     * Give the guest an emulated LAN9118 NIC (Linux {@code smsc911x}) joined to {@code bridge}.
     *
     * @throws IllegalArgumentException past {@link VirtBoardFdt#MAX_LAN9118} NICs or for a group MAC
     */
    public MachineConfig addLan9118(final Bridge bridge, final long mac)
    {
        if (bridge == null)
        {
            throw new IllegalArgumentException("no bridge given for the LAN9118");
        }
        if ((mac & 1L << 40) != 0 || (mac & ~0xFFFF_FFFF_FFFFL) != 0)
        {
            throw new IllegalArgumentException("LAN9118 MAC 0x" + Long.toHexString(mac) + " is not a unicast address");
        }
        if (lan9118s.size() == VirtBoardFdt.MAX_LAN9118)
        {
            throw new IllegalArgumentException("at most " + VirtBoardFdt.MAX_LAN9118 + " LAN9118 NICs");
        }
        lan9118s.add(new Lan9118Config(bridge, mac));
        return this;
    }

    public List<DiskImage> ataDisks()
    {
        return List.copyOf(ataDisks);
    }

    public List<Lan9118Config> lan9118s()
    {
        return List.copyOf(lan9118s);
    }

    // ---------------------------------------------------------------------------------------------
    // Stub domain: the emulated device models in a process of their own.

    private boolean deviceModelStubDomain;
    private io.javisor.emulation.device.remote.RemoteDeviceModels remoteDeviceModels;

    /**
     * Run the guest's emulated and virtio device models (its ATA disks, LAN9118s, virtio-blk and virtio-net) in a stub domain process, as xl.cfg's
     * {@code device_model_stubdomain_override = 1}: the hypervisor starts the process when the guest
     * starts and gives the machine {@link #remoteDeviceModels}.
     */
    public MachineConfig deviceModelStubDomain(final boolean stubDomain)
    {
        this.deviceModelStubDomain = stubDomain;
        return this;
    }

    public boolean deviceModelStubDomain()
    {
        return deviceModelStubDomain;
    }

    /**
     * The device models a stub domain runs for this machine, mapped in place of in-process ones (its
     * ATA disks at the ATA slots, its LAN9118s at theirs, its virtio devices at the virtio-mmio slots
     * from 7 downwards); set by whoever started the stub. With virtio devices the stub maps the
     * guest's RAM: a machine given {@link #memory} needs it file-backed, one that allocates its own
     * keeps it in a file of a private directory (on /dev/shm), removed when it closes.
     */
    public MachineConfig remoteDeviceModels(final io.javisor.emulation.device.remote.RemoteDeviceModels models)
    {
        this.remoteDeviceModels = models;
        return this;
    }

    public io.javisor.emulation.device.remote.RemoteDeviceModels remoteDeviceModels()
    {
        return remoteDeviceModels;
    }

    private static String name(final BootMode mode)
    {
        return mode.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String describe(final long bytes)
    {
        return bytes % MIB == 0 ? bytes / MIB + " MiB" : bytes + " bytes";
    }

    // ---- virtio-mmio devices ----

    private final java.util.List<VirtioDeviceSpec> virtioDevices = new java.util.ArrayList<>();

    /**
     * Adds a virtio-blk device on {@code image} (which the caller owns and closes after the machine);
     * GET_ID answers {@code serial}. Devices take QEMU virt's virtio-mmio slots as QEMU plugs
     * {@code -device virtio-*-device}: the first in slot 7 (0x1000_8000, irq 8), then downwards.
     *
     * @throws IllegalArgumentException when all 8 slots are taken
     */
    public MachineConfig virtioBlk(final io.javisor.blkback.image.DiskImage image, final String serial)
    {
        virtioDevices.add(new VirtioDeviceSpec(nextVirtioSlot(), java.util.Objects.requireNonNull(image), serial, null, 0));
        return this;
    }

    /**
     * Adds a virtio-net device as a port of {@code bridge} with MAC address {@code mac} (48 bits,
     * first byte most significant); slots as {@link #virtioBlk}.
     *
     * @throws IllegalArgumentException when all 8 slots are taken
     */
    public MachineConfig virtioNet(final io.javisor.netback.bridge.Bridge bridge, final long mac)
    {
        virtioDevices.add(new VirtioDeviceSpec(nextVirtioSlot(), null, null, java.util.Objects.requireNonNull(bridge), mac));
        return this;
    }

    public java.util.List<VirtioDeviceSpec> virtioDevices()
    {
        return java.util.List.copyOf(virtioDevices);
    }

    private int nextVirtioSlot()
    {
        final int slot = io.javisor.emulation.fdt.VirtBoardFdt.VIRTIO_SLOTS - 1 - virtioDevices.size();
        if (slot < 0)
        {
            throw new IllegalArgumentException("all " + io.javisor.emulation.fdt.VirtBoardFdt.VIRTIO_SLOTS +
                " virtio-mmio slots are taken");
        }
        return slot;
    }
}
