package io.javisor.emulation.machine;

import io.javisor.emulation.board.Clint;
import io.javisor.emulation.board.IrqLine;
import io.javisor.emulation.board.MmioDevice;
import io.javisor.emulation.board.PlatformBus;
import io.javisor.emulation.board.Plic;
import io.javisor.emulation.board.PolledDevice;
import io.javisor.emulation.board.TestFinisher;
import io.javisor.emulation.board.Uart16550;
import io.javisor.emulation.cpu.CpuState;
import io.javisor.emulation.cpu.Interpreter;
import io.javisor.emulation.cpu.RamBus;
import io.javisor.emulation.cpu.StopReason;
import io.javisor.emulation.device.ata.AtaDevice;
import io.javisor.emulation.device.rtc.GoldfishRtc;
import io.javisor.emulation.device.rtc.GoldfishRtcDescriptor;
import io.javisor.emulation.device.lan9118.Lan9118Device;
import io.javisor.emulation.fdt.VirtBoardFdt;
import io.javisor.emulation.hypercall.HypercallDescriptor;
import io.javisor.emulation.hypercall.Hypercalls;
import io.javisor.emulation.jit.Translator;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.loader.ElfLoader;
import io.javisor.emulation.loader.LoadedExtent;
import io.javisor.emulation.sbi.SbiFirmware;
import io.javisor.memory.FrameAllocator;
import io.javisor.memory.GuestMemory;
import io.javisor.memory.MachineMemory;

import java.util.stream.IntStream;

import java.util.concurrent.locks.LockSupport;

/**
 * One hart on QEMU's {@code virt} board: RAM, the sifive_test finisher, CLINT, PLIC, a 16550 UART
 * with the console behind it, and a device tree, booted in one of three {@link BootMode}s. Not
 * thread-safe: one thread at a time runs the hart, either all of {@link #run()} or one
 * {@link #runSlice} after another (a scheduler may hand the hart from thread to thread between
 * slices, with a happens-before edge at each hand-over); {@link #kick()}, {@link #wakeUp()},
 * {@link #pause()}, {@link #resume()} and {@link #stop()} may be called from any thread.
 * <p>
 * The run loop executes the interpreter in slices of {@link #SLICE} steps and between slices
 * advances the board: console input into the UART, CLINT and supervisor timer levels, the HTIF
 * {@code tohost} word. A hart in WFI waits until an enabled timer is due, the RTC alarm passes,
 * or something {@link #wakeUp() wakes} it (console input, a NIC's frame, an event); it also looks
 * at the console every {@link #MAX_SLEEP_NANOS} while the console may hold input unannounced
 * ({@link Console#pollWhileAsleep()}). {@link #runSlice} never parks the calling thread: it
 * returns {@link SliceOutcome#WAITING} with {@link #wakeDeadline()} instead, and {@link #run()}
 * is the loop that parks its own thread on that answer.
 * <p>
 * With {@link MachineConfig#hypercalls} the builtin firmware answers javisor's hypercalls: the
 * supervisor external interrupt line is then the PLIC's S-mode output or'ed with the domain's event
 * upcall, re-evaluated after every hypercall, between slices and when {@link #kick()}ed; a hypercall
 * that blocks the vCPU makes it wait, as WFI does, until the domain's event arrives. The
 * {@link Board#PV} board has nothing on its bus but RAM.
 */
public final class VirtMachine implements AutoCloseable
{
    /** Where an S-mode kernel starts, as with OpenSBI's fw_jump on QEMU. */
    public static final long KERNEL_BASE = 0x8020_0000L;
    /** Steps per slice: about 0.1–1 ms of guest time, the granularity of timers and input. */
    static final long SLICE = 1 << 16;
    /** A sleeping hart whose console may hold unannounced input still looks at it this often. */
    static final long MAX_SLEEP_NANOS = 10_000_000L;
    /** {@link #wakeDeadline()} when only a {@link #wakeUp()} ends the wait. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    /** The longest finite wait, so that deadlines stay comparable by subtraction. */
    private static final long MAX_FINITE_WAIT_NANOS = 3_600_000_000_000L;
    private static final int DOMID = 1;
    private static final long DTB_ALIGN = 2 * MachineConfig.MIB;

    private final MachineConfig config;
    private final MachineMemory machineMemory;
    /** Where {@link #machineMemory} is a file a stub domain maps, or null (anonymous, or the hypervisor's memory). */
    private final SharedRamDirectory sharedRamDirectory;
    private final GuestMemory memory;
    private final CpuState cpu = new CpuState(0);
    private final PlatformBus bus;
    private final Interpreter interpreter;
    private final TestFinisher finisher = new TestFinisher();
    private final Clint clint;
    private final Plic plic;
    private final Uart16550 uart;
    private final Console console;
    private final Hypercalls hypercalls;
    /** The PLIC's S-mode output, or'ed with the event upcall into SEIP. */
    private boolean plicSeip;
    private final long startNanos = System.nanoTime();
    /** Host nanoseconds per mtime tick: 100 at the default 10 MHz, 1 at 1 GHz. */
    private final long nanosPerTick;
    private long dtbAddress;
    /** Physical address of the HTIF tohost word, or -1 when the ELFs define none. */
    private long tohost;
    private long fromhost;
    private SupervisorTimer supervisorTimer;
    private BuiltinFirmware builtinFirmware;
    /** The thread inside {@link #runSlice} now, or null: no guest instruction runs while null. */
    private volatile Thread runner;
    /** How a waiting hart is told to run again (see {@link #wakeUpWith}); any thread runs it. */
    private volatile Runnable waker;
    private volatile boolean stopRequested;
    /** {@link #endSlice()} was asked: the current (or next) {@link #runSlice} returns after its instruction slice. */
    private volatile boolean sliceEndRequested;
    private volatile boolean paused;
    /** The hart has stopped for {@link #pause()} and runs no guest instruction until resumed. */
    private volatile boolean parked;
    // The state of a run between slices, on the running thread only (handed over with the hart).
    /** A run has begun and not yet ended: the next slice continues it. */
    private boolean inRun;
    private long runStartInstret;
    private long runStartNanos;
    /** What the hart waits for, when the last slice ended {@link SliceOutcome#WAITING}. */
    private Wait waiting = Wait.NONE;
    private long wakeDeadline = NO_DEADLINE;
    private MachineExit lastExit;
    /** Emulated devices from the config, in order; the NICs are also polled between slices. */
    private AtaDevice[] ataDevices = new AtaDevice[0];
    private final GoldfishRtc rtc;
    private Lan9118Device[] lan9118Devices = new Lan9118Device[0];
    /** The device models a stub domain runs for this machine, or null; polled between slices (a lost stub crashes the guest). */
    private io.javisor.emulation.device.remote.RemoteDeviceModels remoteModels;
    /** ATA disks on the board: in-process or in the stub domain. */
    private int ataDisks;
    /** The MACs of the stub domain's LAN9118s, for the device tree. */
    private long[] remoteLan9118Macs = new long[0];
    /** The virtio-mmio slots of the stub domain's virtio devices, for the device tree. */
    private int[] remoteVirtioSlots = new int[0];

    private VirtMachine(final MachineConfig config)
    {
        this.config = config.validate();
        this.console = config.console();
        this.nanosPerTick = config.nanosPerTick();
        if (config.memory() != null)
        {
            this.machineMemory = null;
            this.sharedRamDirectory = null;
            this.memory = config.memory();
        }
        else
        {
            final int frames = (int)(config.memoryBytes() >>> 12);
            // A stub domain running virtio devices maps the guest's RAM: then it is a file only this user reaches.
            this.sharedRamDirectory = config.remoteDeviceModels() != null && config.remoteDeviceModels().needsGuestRam() ?
                SharedRamDirectory.create() : null;
            this.machineMemory = sharedRamDirectory == null ? MachineMemory.anonymous(frames) :
                MachineMemory.fileBacked(sharedRamDirectory.file(), frames);
            final FrameAllocator allocator = new FrameAllocator(machineMemory);
            allocator.setQuota(DOMID, frames);
            this.memory = GuestMemory.allocate(allocator, DOMID, frames);
        }
        this.bus = new PlatformBus(memory);
        this.interpreter = new Interpreter(cpu, bus);
        interpreter.setTierTiming(config.tierTiming());
        // Tier 1 with its defaults, which -Djavisor.jit.threshold=N (0: translate at once), -Djavisor.jit.cap=N
        // (guest instructions per region) and -Djavisor.jit.capacity=N (regions held) override.
        interpreter.setTranslation(config.cpuTier() == CpuTier.JIT ?
            Integer.getInteger("javisor.jit.threshold", Translator.DEFAULT_THRESHOLD) : -1,
            Integer.getInteger("javisor.jit.capacity", Translator.DEFAULT_CAPACITY),
            Integer.getInteger("javisor.jit.cap", Translator.DEFAULT_REGION_CAP));

        this.hypercalls = config.hypercalls();
        this.clint = new Clint(this::mtime, cpu::setPending);
        this.plic = new Plic(this::setPlicOutput);
        this.uart = new Uart16550(console::write, level -> plic.setSource(VirtBoardFdt.UART0_IRQ, level));
        // The guest's wall clock starts at the host's, as on QEMU's virt board.
        this.rtc = new GoldfishRtc(GoldfishRtc::wallClockNanos, level -> plic.setSource(GoldfishRtcDescriptor.IRQ, level != 0));
        if (config.board() == Board.VIRT)
        {
            bus.map(VirtBoardFdt.TEST_BASE, stopAfterWrite(finisher))
                .map(VirtBoardFdt.CLINT_BASE, clint)
                .map(VirtBoardFdt.PLIC_BASE, plic)
                .map(VirtBoardFdt.UART0_BASE, uart);
            bus.map(GoldfishRtcDescriptor.BASE, rtc);
        }
        interpreter.setTimeSource(this::mtime);
        try
        {
            this.virtio = mapVirtioDevices(config);
            mapEmulatedDevices(config);
        }
        catch (final RuntimeException ex)
        {
            releaseMemory();
            throw ex;
        }
    }

    /**
     * Build the machine and load its images.
     *
     * @throws IllegalArgumentException naming the first problem with the configuration or images;
     *                                  nothing is left allocated
     */
    public static VirtMachine create(final MachineConfig config)
    {
        final VirtMachine machine = new VirtMachine(config);
        try
        {
            machine.boot(config);
            return machine;
        }
        catch (final RuntimeException ex)
        {
            machine.close();
            throw ex;
        }
    }

    /** Load the images and the device tree, and put the hart where the boot mode starts it. */
    private void boot(final MachineConfig config)
    {
        final GuestRamTarget target = new GuestRamTarget(memory, interpreter);
        final BootMode mode = config.bootMode();
        LoadedExtent kernelExtent = null;
        if (config.kernel() != null)
        {
            kernelExtent = ElfLoader.load(config.kernel(), target);
        }
        LoadedExtent firmwareExtent = null;
        if (mode == BootMode.EXTERNAL)
        {
            firmwareExtent = ElfLoader.load(config.firmware(), target);
            if (kernelExtent != null && overlaps(kernelExtent, firmwareExtent.start(), firmwareExtent.end()))
            {
                throw new IllegalArgumentException("the firmware ELF (0x" + Long.toHexString(firmwareExtent.start()) +
                    "-0x" + Long.toHexString(firmwareExtent.end()) + ") and the kernel ELF (0x" +
                    Long.toHexString(kernelExtent.start()) + "-0x" + Long.toHexString(kernelExtent.end()) + ") overlap");
            }
        }
        if (mode != BootMode.BARE && kernelExtent != null &&
            (KERNEL_BASE < kernelExtent.start() || KERNEL_BASE >= kernelExtent.end()))
        {
            throw new IllegalArgumentException("the kernel ELF loads at 0x" + Long.toHexString(kernelExtent.start()) +
                "-0x" + Long.toHexString(kernelExtent.end()) + ", but an S-mode kernel is entered at 0x" +
                Long.toHexString(KERNEL_BASE));
        }

        final long[] lan9118Macs = remoteLan9118Macs.length > 0 ? remoteLan9118Macs : new long[lan9118Devices.length];
        for (int i = 0; i < lan9118Devices.length; i++)
        {
            lan9118Macs[i] = lan9118Devices[i].macAddress();
        }
        final long reservedBase = RamBus.RAM_BASE + config.memoryBytes() - config.reservedTopBytes();
        final VirtBoardFdt.Hypervisor hypervisor = hypercalls == null ? null : new VirtBoardFdt.Hypervisor(
            HypercallDescriptor.EID, HypercallDescriptor.ABI_VERSION, reservedBase, config.reservedTopBytes());
        final byte[] dtb = config.board() == Board.PV ?
            VirtBoardFdt.buildPv(config.memoryBytes(), config.bootargs(), config.timebaseHz(), hypervisor) :
            VirtBoardFdt.build(config.memoryBytes(), config.bootargs(), virtioSlots(), ataDisks, lan9118Macs,
                config.timebaseHz(), hypervisor);
        this.dtbAddress = placeDeviceTree(dtb.length, config.memoryBytes() - config.reservedTopBytes());
        for (final LoadedExtent extent : new LoadedExtent[] {kernelExtent, firmwareExtent})
        {
            if (extent != null && overlaps(extent, dtbAddress - FwDynamicInfoDescriptor.LENGTH, dtbAddress + dtb.length))
            {
                throw new IllegalArgumentException("the ELF at 0x" + Long.toHexString(extent.start()) + "-0x" +
                    Long.toHexString(extent.end()) + " reaches the device tree at 0x" + Long.toHexString(dtbAddress) +
                    "; give the guest more memory");
            }
        }
        target.write(dtbAddress, dtb, 0, dtb.length);
        for (final MachineConfig.Preload preload : config.preloads())
        {
            final long start = preload.address();
            final long end = start + preload.bytes().length;
            if (start < RamBus.RAM_BASE || end > reservedBase || end < start)
            {
                throw new IllegalArgumentException("preloaded bytes at 0x" + Long.toHexString(start) + "-0x" +
                    Long.toHexString(end) + " lie outside the guest's RAM (0x" + Long.toHexString(RamBus.RAM_BASE) +
                    "-0x" + Long.toHexString(reservedBase) + ")");
            }
            if (start < dtbAddress + dtb.length && dtbAddress - FwDynamicInfoDescriptor.LENGTH < end)
            {
                throw new IllegalArgumentException("preloaded bytes at 0x" + Long.toHexString(start) + "-0x" +
                    Long.toHexString(end) + " reach the device tree at 0x" + Long.toHexString(dtbAddress) +
                    "; give the guest more memory");
            }
            target.write(start, preload.bytes(), 0, preload.bytes().length);
        }

        final ElfImage htifImage = mode == BootMode.EXTERNAL ? config.firmware() : config.kernel();
        this.tohost = htifImage.symbol("tohost").orElse(-1L);
        this.fromhost = htifImage.symbol("fromhost").orElse(-1L);

        cpu.x[10] = cpu.mhartid;
        cpu.x[11] = dtbAddress;
        switch (mode)
        {
            case BARE ->
            {
                cpu.pc = kernelExtent.entry();
                supervisorTimer = null;
                builtinFirmware = null;
            }
            case BUILTIN ->
            {
                supervisorTimer = new SupervisorTimer(cpu);
                builtinFirmware = new BuiltinFirmware(this);
                interpreter.setFirmware(builtinFirmware.firmware());
                if (hypercalls != null)
                {
                    builtinFirmware.firmware().setHypercalls(hypercalls);
                    hypercalls.attach(this::kick);
                }
                // Nothing is left undelegated for M-mode, whose mtvec stays 0: a trap that does
                // reach M is a trap loop, and the domain crashes with the reason recorded.
                SbiFirmware.enterSupervisor(cpu, KERNEL_BASE, dtbAddress);
            }
            default ->
            {
                final long info = dtbAddress - FwDynamicInfoDescriptor.LENGTH;
                final long at = info - RamBus.RAM_BASE;
                memory.putLong(at + FwDynamicInfoDescriptor.MAGIC, FwDynamicInfoDescriptor.MAGIC_VALUE);
                memory.putLong(at + FwDynamicInfoDescriptor.VERSION, FwDynamicInfoDescriptor.VERSION_VALUE);
                memory.putLong(at + FwDynamicInfoDescriptor.NEXT_ADDR, KERNEL_BASE);
                memory.putLong(at + FwDynamicInfoDescriptor.NEXT_MODE, FwDynamicInfoDescriptor.NEXT_MODE_S);
                memory.putLong(at + FwDynamicInfoDescriptor.OPTIONS, 0);
                memory.putLong(at + FwDynamicInfoDescriptor.BOOT_HART, cpu.mhartid);
                cpu.x[12] = info;
                cpu.pc = firmwareExtent.entry();
                supervisorTimer = null;
                builtinFirmware = null;
            }
        }
    }

    /** Place the DTB as QEMU does: at the top of RAM, aligned down to 2 MiB when that fits. */
    private static long placeDeviceTree(final int length, final long memorySize)
    {
        final long end = RamBus.RAM_BASE + memorySize;
        final long aligned = (end - length) & ~(DTB_ALIGN - 1);
        return aligned - FwDynamicInfoDescriptor.LENGTH >= RamBus.RAM_BASE + memorySize / 2 ?
            aligned : (end - length) & ~15L;
    }

    private static boolean overlaps(final LoadedExtent extent, final long start, final long end)
    {
        return extent.start() < end && start < extent.end();
    }

    /** A finisher write stops the hart at once, as it stops QEMU. */
    private MmioDevice stopAfterWrite(final MmioDevice device)
    {
        return new MmioDevice()
        {
            @Override
            public String name()
            {
                return device.name();
            }

            @Override
            public long size()
            {
                return device.size();
            }

            @Override
            public boolean supports(final long offset, final int size)
            {
                return device.supports(offset, size);
            }

            @Override
            public long read(final long offset, final int size)
            {
                return device.read(offset, size);
            }

            @Override
            public void write(final long offset, final int size, final long value)
            {
                device.write(offset, size, value);
                if (finisher.finished())
                {
                    interpreter.requestStop();
                }
            }
        };
    }

    /** mtime: ticks of the configured time base since the machine was built (the CLINT adds the guest's offset). */
    long mtime()
    {
        return (System.nanoTime() - startNanos) / nanosPerTick;
    }

    /**
     * Run the guest until it ends: finisher, HTIF, SBI shutdown or reset, budget, halt, or crash.
     * Any exception a device model or the CPU throws is a crash of this guest, recorded in the exit.
     * The calling thread runs one {@link #runSlice} after another and parks while the hart waits.
     */
    public MachineExit run()
    {
        final Thread self = Thread.currentThread();
        waker = () -> LockSupport.unpark(self);
        while (true)
        {
            switch (runSlice(Long.MAX_VALUE))
            {
                case EXITED ->
                {
                    return lastExit;
                }
                case WAITING ->
                {
                    // A wakeUp() since the slice decided to wait leaves a permit: this returns at once.
                    final long deadline = wakeDeadline;
                    if (deadline == NO_DEADLINE)
                    {
                        LockSupport.park(this);
                    }
                    else
                    {
                        final long left = deadline - System.nanoTime();
                        if (left > 0)
                        {
                            LockSupport.parkNanos(this, left);
                        }
                    }
                }
                case RUNNABLE ->
                {
                    // Its time ran out: this thread is its own scheduler, so it simply goes on.
                }
            }
        }
    }

    /**
     * Run the hart on the calling thread for about {@code maxNanos} (it stops at the first
     * {@link #SLICE} boundary after them) and say what it wants next, never parking: the same loop
     * as {@link #run()}, cut into pieces. A run begins with the first call and ends with the call
     * that returns {@link SliceOutcome#EXITED} (its exit in {@link #lastExit()}); a later call begins
     * another. After {@link SliceOutcome#WAITING}, call again once {@link #wakeUp()} has been called
     * (through {@link #wakeUpWith the waker}) or {@link #wakeDeadline()} has passed; an earlier call
     * only looks and waits again.
     */
    public SliceOutcome runSlice(final long maxNanos)
    {
        runner = Thread.currentThread();
        try
        {
            if (!inRun)
            {
                inRun = true;
                runStartInstret = cpu.instret;
                runStartNanos = System.nanoTime();
                waiting = Wait.NONE;
                lastExit = null;
            }
            final long sliceStart = System.nanoTime();
            final long budget = config.maxInstructions();
            while (true)
            {
                if (waiting == Wait.BLOCK || waiting == Wait.INTERRUPT)
                {
                    // Woken or due: move what arrived meanwhile, then look again.
                    advanceBoard();
                    if (waiting == Wait.BLOCK ? !blockEnds() : !interruptArrives())
                    {
                        return SliceOutcome.WAITING;
                    }
                }
                long slice = SLICE;
                if (budget > 0)
                {
                    final long left = budget - (cpu.instret - runStartInstret);
                    if (left <= 0)
                    {
                        return end(exit(MachineExit.Kind.BUDGET_EXHAUSTED, 124,
                            "instruction budget of " + budget + " used up at pc 0x" + Long.toHexString(cpu.pc),
                            runStartInstret, runStartNanos));
                    }
                    slice = Math.min(slice, left);
                }
                if (paused)
                {
                    if (stopRequested)
                    {
                        return end(exit(MachineExit.Kind.STOPPED, 0, "stopped by the host", runStartInstret, runStartNanos));
                    }
                    if (waiting != Wait.PAUSE)
                    {
                        console.flush();
                        waiting = Wait.PAUSE;
                    }
                    parked = true;
                    wakeDeadline = NO_DEADLINE;
                    return SliceOutcome.WAITING;
                }
                parked = false;
                waiting = Wait.NONE;
                final StopReason stop = interpreter.run(slice);
                advanceBoard();
                final MachineExit exit = checkExit(stop, runStartInstret, runStartNanos);
                if (exit != null)
                {
                    return end(exit);
                }
                if (stop == StopReason.WFI && builtinFirmware != null && builtinFirmware.firmware().takeBlocked())
                {
                    console.flush();
                    waiting = Wait.BLOCK;
                    if (!blockEnds())
                    {
                        return SliceOutcome.WAITING;
                    }
                }
                else if (stop == StopReason.WFI)
                {
                    if (cpu.mie == 0)
                    {
                        return end(exit(MachineExit.Kind.HALTED, 125,
                            "WFI with every interrupt disabled in mie at pc 0x" + Long.toHexString(cpu.pc - 4),
                            runStartInstret, runStartNanos));
                    }
                    console.flush();
                    waiting = Wait.INTERRUPT;
                    if (!interruptArrives())
                    {
                        return SliceOutcome.WAITING;
                    }
                }
                if (sliceEndRequested || System.nanoTime() - sliceStart >= maxNanos)
                {
                    sliceEndRequested = false;
                    return SliceOutcome.RUNNABLE;
                }
            }
        }
        catch (final RuntimeException ex)
        {
            return end(exit(MachineExit.Kind.CRASHED, 126, "device model or CPU failed at pc 0x" +
                Long.toHexString(cpu.pc) + ": " + ex, runStartInstret, runStartNanos));
        }
        finally
        {
            runner = null;
        }
    }

    private SliceOutcome end(final MachineExit exit)
    {
        console.flush();
        lastExit = exit;
        inRun = false;
        waiting = Wait.NONE;
        return SliceOutcome.EXITED;
    }

    /** @return how the last run ended, or null while one goes on (on the thread that runs the hart) */
    public MachineExit lastExit()
    {
        return lastExit;
    }

    /**
     * @return after {@link SliceOutcome#WAITING}: the {@link System#nanoTime()} at which the hart wants
     * to run again even if nothing wakes it (a timer, a hypercall's deadline, a console poll), or
     * {@link #NO_DEADLINE}
     */
    public long wakeDeadline()
    {
        return wakeDeadline;
    }

    /**
     * Have the current {@link #runSlice} return {@link SliceOutcome#RUNNABLE} at the next instruction
     * boundary it checks (or the next one, if none runs now), so that its thread can run something
     * else. Any thread.
     */
    public void endSlice()
    {
        sliceEndRequested = true;
        interpreter.requestStop();
    }

    /**
     * Tell {@code waker} (run on any thread, possibly while the hart runs) whenever the waiting hart
     * should run again; a scheduler that calls {@link #runSlice} sets this before the first slice.
     * {@link #run()} installs its own, which unparks its thread.
     */
    public void wakeUpWith(final Runnable waker)
    {
        this.waker = waker;
    }

    MachineExit exit(final MachineExit.Kind kind, final int code, final String detail,
        final long startInstret, final long start)
    {
        return new MachineExit(kind, code, detail, cpu.instret - startInstret, System.nanoTime() - start);
    }

    private MachineExit checkExit(final StopReason stop, final long startInstret, final long start)
    {
        if (stopRequested)
        {
            return exit(MachineExit.Kind.STOPPED, 0, "stopped by the host", startInstret, start);
        }
        switch (finisher.state())
        {
            case PASS:
                return exit(MachineExit.Kind.FINISHER, 0, "finisher: pass", startInstret, start);
            case FAIL:
                return exit(MachineExit.Kind.FINISHER, finisher.exitCode(),
                    "finisher: fail with code " + finisher.exitCode(), startInstret, start);
            case RESET:
                return exit(MachineExit.Kind.RESET, 0, "finisher: reset requested", startInstret, start);
            default:
                break;
        }
        if (tohost >= 0)
        {
            final MachineExit htif = pollHtif(startInstret, start);
            if (htif != null)
            {
                return htif;
            }
        }
        if (stop == StopReason.FIRMWARE_STOP && builtinFirmware != null)
        {
            return builtinFirmware.exit(startInstret, start);
        }
        if (stop == StopReason.TRAP_LOOP)
        {
            final boolean toS = cpu.priv == CpuState.PRIV_S;
            return exit(MachineExit.Kind.CRASHED, 126, String.format(
                "trap loop: the %s-mode handler at 0x%x traps itself (cause %d, epc 0x%x, tval 0x%x)",
                toS ? "S" : "M", cpu.pc, toS ? cpu.scause : cpu.mcause, toS ? cpu.sepc : cpu.mepc,
                toS ? cpu.stval : cpu.mtval), startInstret, start);
        }
        return null;
    }

    /**
     * HTIF as Spike and riscv-tests use it: an odd value v for device 0 in tohost ends the run with
     * code v >> 1;
     * device 1 command 1 prints the low byte (acknowledged in fromhost); anything else is ignored.
     */
    private MachineExit pollHtif(final long startInstret, final long start)
    {
        final long off = tohost - RamBus.RAM_BASE;
        if (off < 0 || off > memory.size() - 8)
        {
            return null;
        }
        final long value = memory.getLong(off);
        if (value == 0)
        {
            return null;
        }
        memory.putLong(off, 0);
        final int device = (int)(value >>> 56);
        final int command = (int)(value >>> 48) & 0xFF;
        if (device == 0 && (value & 1) != 0)
        {
            final long code = value >>> 1;
            return exit(MachineExit.Kind.HTIF, (int)Math.min(code, 255),
                "htif: exit with code " + code, startInstret, start);
        }
        if (device == 1 && command == 1)
        {
            console.write((int)value & 0xFF);
            final long fromOff = fromhost - RamBus.RAM_BASE;
            if (fromhost >= 0 && fromOff >= 0 && fromOff <= memory.size() - 8)
            {
                memory.putLong(fromOff, 1L << 56 | 1L << 48);
            }
        }
        return null;
    }

    /** Between slices: console output pushed out, input into the UART, timer levels. */
    private void advanceBoard()
    {
        console.flush();
        while (uart.rxAvailable() < Uart16550.DEFAULT_FIFO)
        {
            final int b = console.read();
            if (b < 0)
            {
                break;
            }
            uart.receive((byte)b);
        }
        for (final PolledDevice nic : lan9118Devices)
        {
            nic.poll(); // frames the bridge queued: into the RX FIFOs, on this (the vCPU) thread
        }
        if (remoteModels != null)
        {
            remoteModels.poll(); // a lost stub domain crashes the guest here, even one asleep in WFI
        }
        rtc.poll();
        clint.tick();
        pollVirtio();
        if (supervisorTimer != null)
        {
            supervisorTimer.tick(mtime());
        }
        sampleUpcall();
    }

    /** The PLIC drives MEIP directly; its SEIP output is or'ed with the event upcall. */
    private void setPlicOutput(final int bit, final boolean level)
    {
        if (bit == CpuState.IRQ_SEIP)
        {
            plicSeip = level;
            cpu.setPending(bit, level || hypercalls != null && hypercalls.upcallLevel());
        }
        else
        {
            cpu.setPending(bit, level);
        }
    }

    /** SEIP = the PLIC's S-mode output or the domain's event upcall; on the run thread only. */
    void sampleUpcall()
    {
        if (hypercalls != null)
        {
            cpu.setPending(CpuState.IRQ_SEIP, plicSeip || hypercalls.upcallLevel());
        }
    }

    /**
     * Something arrived for the hart from another thread (an event for the domain, a frame for a
     * NIC): a blocked or sleeping vCPU wakes, a running one leaves its slice at the next instruction
     * boundary, so that the upcall line is re-evaluated and the devices polled between slices move
     * what arrived, instead of at the slice's end (up to a millisecond of guest time later).
     */
    public void kick()
    {
        if (runner != null && !parked)
        {
            interpreter.requestStop();
        }
        wakeUp();
    }

    /**
     * A hypercall blocked the vCPU: it may go on once the domain's event (or poll port) is pending,
     * its deadline passes, an enabled interrupt is pending (HVM board), or the host stops or pauses
     * the hart; a pause ends the block early, which the ABI allows. When it may, the block ends here
     * (its result written into the registers); when not, {@link #wakeDeadline} is set. Console input
     * and the board's devices are served each time the hart looks again.
     */
    private boolean blockEnds()
    {
        boolean timedOut = false;
        if (!hypercalls.wakeable() && (cpu.mip & cpu.mie) == 0 && !stopRequested && !paused)
        {
            long wait = sleepLimitNanos();
            final long deadline = hypercalls.wakeDeadline();
            if (deadline >= 0)
            {
                final long left = deadline - mtime();
                timedOut = left <= 0;
                wait = Math.min(wait, ticksToNanos(left));
            }
            if (!timedOut)
            {
                wakeDeadline = deadlineAfter(wait);
                return false;
            }
        }
        hypercalls.endBlock(cpu.x, timedOut);
        sampleUpcall();
        waiting = Wait.NONE;
        return true;
    }

    /**
     * A hart in WFI may go on once an enabled interrupt is pending or the host stops or pauses it;
     * when not, {@link #wakeDeadline} is set to when its timers are due.
     */
    private boolean interruptArrives()
    {
        while ((cpu.mip & cpu.mie) == 0 && !stopRequested && !paused)
        {
            final long wait = sleepLimitNanos();
            if (wait > 0)
            {
                wakeDeadline = deadlineAfter(wait);
                return false;
            }
            advanceBoard(); // a timer is due now: its level rises here
        }
        waiting = Wait.NONE;
        return true;
    }

    /**
     * Nanoseconds a sleeping hart may go without looking again when nothing wakes it: until its
     * enabled machine or supervisor timer is due, the RTC alarm passes, or (while the console may
     * hold input nothing announces) {@link #MAX_SLEEP_NANOS}; {@link #NO_DEADLINE} for never.
     */
    private long sleepLimitNanos()
    {
        long wait = console.pollWhileAsleep() ? MAX_SLEEP_NANOS : NO_DEADLINE;
        if ((cpu.mie & 1L << CpuState.IRQ_MTIP) != 0)
        {
            wait = Math.min(wait, ticksToNanos(ticksUntil(clint.mtimecmp(), clint.mtime())));
        }
        if (supervisorTimer != null && (cpu.mie & 1L << CpuState.IRQ_STIP) != 0)
        {
            wait = Math.min(wait, ticksToNanos(ticksUntil(supervisorTimer.compare(), mtime())));
        }
        return Math.min(wait, rtc.nanosUntilAlarm());
    }

    /** Ticks from {@code now} until {@code compare} (unsigned, as the timers compare), 0 when due. */
    private static long ticksUntil(final long compare, final long now)
    {
        if (Long.compareUnsigned(now, compare) >= 0)
        {
            return 0;
        }
        final long ticks = compare - now;
        return ticks < 0 ? Long.MAX_VALUE : ticks; // "never" (all ones) and the like
    }

    private long ticksToNanos(final long ticks)
    {
        if (ticks <= 0)
        {
            return 0;
        }
        return ticks >= NO_DEADLINE / nanosPerTick ? NO_DEADLINE : ticks * nanosPerTick;
    }

    /** The deadline {@code nanos} from now; a wait beyond an hour is cut to one (the hart then just looks again). */
    private static long deadlineAfter(final long nanos)
    {
        if (nanos == NO_DEADLINE)
        {
            return NO_DEADLINE;
        }
        final long deadline = System.nanoTime() + Math.min(nanos, MAX_FINITE_WAIT_NANOS);
        return deadline == NO_DEADLINE ? deadline - 1 : deadline;
    }

    /**
     * Stop running guest instructions until {@link #resume()}, as {@code xl pause} does; devices
     * and time go on. From another thread it returns once no guest instruction runs: the hart has
     * stopped for the pause, or no thread is inside {@link #runSlice} (the next one stops at once).
     */
    public void pause()
    {
        paused = true;
        interpreter.requestStop();
        wakeUp();
        if (Thread.currentThread() == runner)
        {
            return;
        }
        while (runner != null && !parked)
        {
            LockSupport.parkNanos(50_000);
        }
    }

    /** Let a paused hart run again. Any thread. */
    public void resume()
    {
        paused = false;
        wakeUp();
    }

    /** End the run with {@link MachineExit.Kind#STOPPED} soon. Any thread. */
    public void stop()
    {
        stopRequested = true;
        interpreter.requestStop();
        wakeUp();
        if (remoteModels != null && remoteModels.accessWaitingNanos(System.nanoTime()) > 0)
        {
            // A vCPU waiting on its stub domain's answer must not keep the stop waiting (the stub may hang).
            remoteModels.fail(remoteModels.name() + ": its guest was stopped");
        }
    }

    /**
     * Have a waiting hart look again (console input arrived, say): tells the {@link #wakeUpWith
     * waker}, if any. Any thread.
     */
    public void wakeUp()
    {
        final Runnable w = waker;
        if (w != null)
        {
            w.run();
        }
    }

    public CpuState cpu()
    {
        return cpu;
    }

    public Interpreter interpreter()
    {
        return interpreter;
    }

    public PlatformBus bus()
    {
        return bus;
    }

    public GuestMemory memory()
    {
        return memory;
    }

    public Uart16550 uart()
    {
        return uart;
    }

    public Clint clint()
    {
        return clint;
    }

    public long deviceTreeAddress()
    {
        return dtbAddress;
    }

    Console console()
    {
        return console;
    }

    SupervisorTimer supervisorTimer()
    {
        return supervisorTimer;
    }

    /**
     * The ATA disks and LAN9118 NICs of the config, mapped on the platform bus with their PLIC
     * sources; each NIC joins its bridge now (received frames wake the hart from WFI).
     */
    private void mapEmulatedDevices(final MachineConfig config)
    {
        final var disks = config.ataDisks();
        ataDevices = new AtaDevice[disks.size()];
        for (int i = 0; i < ataDevices.length; i++)
        {
            final int irq = VirtBoardFdt.ataIrq(i);
            ataDevices[i] = new AtaDevice(disks.get(i), VirtBoardFdt.ATA_REG_SHIFT,
                level -> plic.setSource(irq, level), null, null);
            bus.map(VirtBoardFdt.ataBase(i), ataDevices[i].commandBlock())
                .map(VirtBoardFdt.ataBase(i) + VirtBoardFdt.ATA_CONTROL_OFFSET, ataDevices[i].controlBlock());
        }
        ataDisks = ataDevices.length;
        mapRemoteDeviceModels(config);
        final var nics = config.lan9118s();
        lan9118Devices = new Lan9118Device[nics.size()];
        for (int i = 0; i < lan9118Devices.length; i++)
        {
            final int irq = VirtBoardFdt.lan9118Irq(i);
            lan9118Devices[i] = new Lan9118Device(nics.get(i).mac(), level -> plic.setSource(irq, level), this::kick);
            bus.map(VirtBoardFdt.lan9118Base(i), lan9118Devices[i]);
        }
        for (int i = 0; i < lan9118Devices.length; i++)
        {
            lan9118Devices[i].attach(nics.get(i).bridge());
        }
    }

    /** The ATA disks and LAN9118s of a stub domain's models, at their slots, their lines on the PLIC. */
    private void mapRemoteDeviceModels(final MachineConfig config)
    {
        remoteModels = config.remoteDeviceModels();
        if (remoteModels == null)
        {
            if (config.deviceModelStubDomain() && (!config.ataDisks().isEmpty() || !config.virtioDevices().isEmpty()))
            {
                throw new IllegalArgumentException("device_model_stubdomain_override needs the hypervisor to start the stub " +
                    "domain (Hypervisor.startHvm); a machine alone has no stub");
            }
            return;
        }
        final int[] disks = remoteModels.devicesOfKind(io.javisor.emulation.device.remote.StubProtocol.KIND_ATA);
        final IrqLine[] lines = new IrqLine[remoteModels.devices().size()];
        java.util.Arrays.fill(lines, IrqLine.NONE);
        for (int i = 0; i < disks.length; i++)
        {
            final int irq = VirtBoardFdt.ataIrq(i);
            lines[disks[i]] = level -> plic.setSource(irq, level);
            final var windows = remoteModels.windowsOf(disks[i]);
            bus.map(VirtBoardFdt.ataBase(i), windows.get(0))
                .map(VirtBoardFdt.ataBase(i) + VirtBoardFdt.ATA_CONTROL_OFFSET, windows.get(1));
        }
        ataDisks = disks.length;
        final int[] nics = remoteModels.devicesOfKind(io.javisor.emulation.device.remote.StubProtocol.KIND_LAN9118);
        remoteLan9118Macs = new long[nics.length];
        for (int i = 0; i < nics.length; i++)
        {
            final int irq = VirtBoardFdt.lan9118Irq(i);
            lines[nics[i]] = level -> plic.setSource(irq, level);
            bus.map(VirtBoardFdt.lan9118Base(i), remoteModels.windowsOf(nics[i]).get(0));
            remoteLan9118Macs[i] = remoteModels.devices().get(nics[i]).mac();
        }
        // Virtio devices take the slots QEMU would give them, from 7 downwards, in the models' order.
        final int[] remoteVirtio = IntStream.range(0, remoteModels.devices().size())
            .filter(k -> remoteModels.devices().get(k).needsGuestRam()).toArray();
        remoteVirtioSlots = new int[remoteVirtio.length];
        for (int i = 0; i < remoteVirtio.length; i++)
        {
            final int slot = VirtBoardFdt.VIRTIO_SLOTS - 1 - i;
            final int irq = VirtBoardFdt.VIRTIO_IRQ + slot;
            lines[remoteVirtio[i]] = level -> plic.setSource(irq, level);
            bus.map(VirtBoardFdt.VIRTIO_BASE + VirtBoardFdt.VIRTIO_STRIDE * slot, remoteModels.windowsOf(remoteVirtio[i]).get(0));
            remoteVirtioSlots[i] = slot;
        }
        remoteModels.attach(lines, this::kick);
        if (remoteModels.needsGuestRam())
        {
            if (memory.sharedFile() == null)
            {
                throw new IllegalArgumentException("the stub domain's virtio devices need the guest's RAM in a file it can map, " +
                    "and this machine's memory is anonymous: give the hypervisor a machine memory file " +
                    "(HypervisorConfig.withMachineMemoryFile)");
            }
            remoteModels.shareGuestRam(memory.sharedFile(), memory.sharedFileOffset(), memory.size());
        }
    }

    /** @return the device models a stub domain runs for this machine, or null (for their counts) */
    public io.javisor.emulation.device.remote.RemoteDeviceModels remoteDeviceModels()
    {
        return remoteModels;
    }

    /** The emulated ATA disks, in config order (for statistics). */
    public AtaDevice[] ataDevices()
    {
        return ataDevices.clone();
    }

    /** The emulated LAN9118 NICs, in config order (for statistics). */
    public Lan9118Device[] lan9118Devices()
    {
        return lan9118Devices.clone();
    }

    @Override
    public void close()
    {
        if (hypercalls != null)
        {
            hypercalls.attach(null);
        }
        disconnectVirtio();
        for (final Lan9118Device nic : lan9118Devices)
        {
            nic.detach();
        }
        releaseMemory();
    }

    /** The memory this machine allocated itself, and its file's directory; idempotent. */
    private void releaseMemory()
    {
        if (machineMemory != null)
        {
            memory.close();
            machineMemory.close();
        }
        if (sharedRamDirectory != null)
        {
            sharedRamDirectory.close();
        }
    }

    // ---- virtio-mmio devices ----

    /** The transports, in the order the configuration added their devices; mapped at construction. */
    private final io.javisor.emulation.device.virtio.VirtioMmioTransport[] virtio;

    /**
     * Maps one virtio-mmio transport per configured device at its slot, its interrupt on PLIC source
     * 1 + slot. Register accesses and queue work run on this machine's run thread; a virtio-net port's
     * receive ring is filled by the bridge's forwarding thread, which wakes this hart (see VirtioNet),
     * and is drained here at notifies and in {@link #pollVirtio} between slices.
     */
    private io.javisor.emulation.device.virtio.VirtioMmioTransport[] mapVirtioDevices(final MachineConfig config)
    {
        final java.util.List<VirtioDeviceSpec> specs = config.virtioDevices();
        final var transports = new io.javisor.emulation.device.virtio.VirtioMmioTransport[specs.size()];
        if (specs.isEmpty())
        {
            return transports;
        }
        final var ram = new io.javisor.emulation.device.virtio.GuestRam(memory);
        for (int i = 0; i < transports.length; i++)
        {
            final VirtioDeviceSpec spec = specs.get(i);
            final long base = VirtBoardFdt.VIRTIO_BASE + VirtBoardFdt.VIRTIO_STRIDE * spec.slot();
            final int irq = VirtBoardFdt.VIRTIO_IRQ + spec.slot();
            final io.javisor.emulation.device.virtio.VirtioDevice device;
            if (spec.isBlock())
            {
                device = new io.javisor.emulation.device.virtioblk.VirtioBlk(spec.disk(),
                    spec.serial() == null ? "" : spec.serial());
            }
            else
            {
                final var net = new io.javisor.emulation.device.virtionet.VirtioNet(spec.bridge(), spec.mac(),
                    "hvm" + DOMID + ".virtio" + spec.slot());
                net.wakeUpWith(this::kick); // a frame waits: leave the slice so that the next poll delivers it
                device = net;
            }
            transports[i] = new io.javisor.emulation.device.virtio.VirtioMmioTransport(ram, device,
                level -> plic.setSource(irq, level), io.javisor.memory.log.HostLog.HOST,
                device.name() + "@" + Long.toHexString(base));
            bus.map(base, transports[i]);
        }
        for (final var t : transports)
        {
            if (t.device() instanceof io.javisor.emulation.device.virtionet.VirtioNet net)
            {
                net.connect();
            }
        }
        return transports;
    }

    private int[] virtioSlots()
    {
        final java.util.List<VirtioDeviceSpec> specs = config.virtioDevices();
        final int[] slots = java.util.Arrays.copyOf(remoteVirtioSlots, remoteVirtioSlots.length + specs.size());
        for (int i = 0; i < specs.size(); i++)
        {
            slots[remoteVirtioSlots.length + i] = specs.get(i).slot();
        }
        return slots;
    }

    /** Between slices, on the run thread: lets devices move data that arrived on other threads. */
    private void pollVirtio()
    {
        for (final var t : virtio)
        {
            t.poll();
        }
    }

    private void disconnectVirtio()
    {
        if (virtio == null)
        {
            return;
        }
        for (final var t : virtio)
        {
            if (t.device() instanceof io.javisor.emulation.device.virtionet.VirtioNet net)
            {
                net.disconnect();
            }
        }
    }

    /** @return the virtio-mmio transports, in the order the configuration added their devices. */
    public java.util.List<io.javisor.emulation.device.virtio.VirtioMmioTransport> virtioTransports()
    {
        return java.util.List.of(virtio);
    }

    /** What a waiting hart waits for. */
    private enum Wait
    {
        NONE,
        /** WFI: an enabled interrupt. */
        INTERRUPT,
        /** A blocking hypercall: the domain's event, a deadline, or an interrupt. */
        BLOCK,
        /** {@link #pause()}: {@link #resume()}. */
        PAUSE
    }
}
