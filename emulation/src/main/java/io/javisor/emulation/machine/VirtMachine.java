package io.javisor.emulation.machine;

import io.javisor.emulation.board.Clint;
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

import java.util.concurrent.locks.LockSupport;

/**
 * One hart on QEMU's {@code virt} board: RAM, the sifive_test finisher, CLINT, PLIC, a 16550 UART
 * with the console behind it, and a device tree, booted in one of three {@link BootMode}s. Not
 * thread-safe: {@link #run()} runs the hart on the calling thread; only {@link #wakeUp()} may be
 * called from elsewhere.
 * <p>
 * The run loop executes the interpreter in slices of {@link #SLICE} steps and between slices
 * advances the board: console input into the UART, CLINT and supervisor timer levels, the HTIF
 * {@code tohost} word. A hart in WFI sleeps until the earliest armed timer or console input.
 * <p>
 * With {@link MachineConfig#hypercalls} the builtin firmware answers javisor's hypercalls: the
 * supervisor external interrupt line is then the PLIC's S-mode output or'ed with the domain's event
 * upcall, re-evaluated after every hypercall, between slices and when {@link #kick()}ed; a hypercall
 * that blocks the vCPU parks this thread until the domain's event arrives. The {@link Board#PV}
 * board has nothing on its bus but RAM.
 */
public final class VirtMachine implements AutoCloseable
{
    /** Where an S-mode kernel starts, as with OpenSBI's fw_jump on QEMU. */
    public static final long KERNEL_BASE = 0x8020_0000L;
    /** Steps per slice: about 0.1–1 ms of guest time, the granularity of timers and input. */
    static final long SLICE = 1 << 16;
    /** A sleeping hart still looks at console input this often. */
    private static final long MAX_SLEEP_NANOS = 10_000_000L;
    private static final int DOMID = 1;
    private static final long DTB_ALIGN = 2 * MachineConfig.MIB;

    private final MachineConfig config;
    private final MachineMemory machineMemory;
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
    private volatile Thread runner;
    private volatile boolean stopRequested;
    private volatile boolean paused;
    /** The run thread is parked in {@link #waitWhilePaused()}: no guest instruction runs. */
    private volatile boolean parked;
    /** Emulated devices from the config, in order; the NICs are also polled between slices. */
    private AtaDevice[] ataDevices = new AtaDevice[0];
    private final GoldfishRtc rtc;
    private Lan9118Device[] lan9118Devices = new Lan9118Device[0];

    private VirtMachine(final MachineConfig config)
    {
        this.config = config.validate();
        this.console = config.console();
        this.nanosPerTick = config.nanosPerTick();
        if (config.memory() != null)
        {
            this.machineMemory = null;
            this.memory = config.memory();
        }
        else
        {
            final int frames = (int)(config.memoryBytes() >>> 12);
            this.machineMemory = MachineMemory.anonymous(frames);
            final FrameAllocator allocator = new FrameAllocator(machineMemory);
            allocator.setQuota(DOMID, frames);
            this.memory = GuestMemory.allocate(allocator, DOMID, frames);
        }
        this.bus = new PlatformBus(memory);
        this.interpreter = new Interpreter(cpu, bus);
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
        this.virtio = mapVirtioDevices(config);
        mapEmulatedDevices(config);
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

        final long[] lan9118Macs = new long[lan9118Devices.length];
        for (int i = 0; i < lan9118Macs.length; i++)
        {
            lan9118Macs[i] = lan9118Devices[i].macAddress();
        }
        final long reservedBase = RamBus.RAM_BASE + config.memoryBytes() - config.reservedTopBytes();
        final VirtBoardFdt.Hypervisor hypervisor = hypercalls == null ? null : new VirtBoardFdt.Hypervisor(
            HypercallDescriptor.EID, HypercallDescriptor.ABI_VERSION, reservedBase, config.reservedTopBytes());
        final byte[] dtb = config.board() == Board.PV ?
            VirtBoardFdt.buildPv(config.memoryBytes(), config.bootargs(), config.timebaseHz(), hypervisor) :
            VirtBoardFdt.build(config.memoryBytes(), config.bootargs(), virtioSlots(), ataDevices.length, lan9118Macs,
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
     */
    public MachineExit run()
    {
        runner = Thread.currentThread();
        final long startInstret = cpu.instret;
        final long start = System.nanoTime();
        final long budget = config.maxInstructions();
        try
        {
            while (true)
            {
                long slice = SLICE;
                if (budget > 0)
                {
                    final long left = budget - (cpu.instret - startInstret);
                    if (left <= 0)
                    {
                        return exit(MachineExit.Kind.BUDGET_EXHAUSTED, 124,
                            "instruction budget of " + budget + " used up at pc 0x" + Long.toHexString(cpu.pc),
                            startInstret, start);
                    }
                    slice = Math.min(slice, left);
                }
                if (paused)
                {
                    waitWhilePaused();
                    if (stopRequested)
                    {
                        return exit(MachineExit.Kind.STOPPED, 0, "stopped by the host", startInstret, start);
                    }
                    continue;
                }
                final StopReason stop = interpreter.run(slice);
                advanceBoard();
                final MachineExit exit = checkExit(stop, startInstret, start);
                if (exit != null)
                {
                    return exit;
                }
                if (stop == StopReason.WFI && builtinFirmware != null && builtinFirmware.firmware().takeBlocked())
                {
                    block();
                }
                else if (stop == StopReason.WFI)
                {
                    if (cpu.mie == 0)
                    {
                        return exit(MachineExit.Kind.HALTED, 125,
                            "WFI with every interrupt disabled in mie at pc 0x" + Long.toHexString(cpu.pc - 4),
                            startInstret, start);
                    }
                    sleepUntilInterrupt();
                }
            }
        }
        catch (final RuntimeException ex)
        {
            return exit(MachineExit.Kind.CRASHED, 126, "device model or CPU failed at pc 0x" +
                Long.toHexString(cpu.pc) + ": " + ex, startInstret, start);
        }
        finally
        {
            console.flush();
            runner = null;
        }
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
     * A hypercall blocked the vCPU: park until the domain's event (or poll port) is pending, its
     * deadline passes, an enabled interrupt is pending (HVM board), or the host stops or pauses the
     * hart; a pause ends the block early, which the ABI allows. Console input and the board's
     * devices are still served meanwhile.
     */
    private void block()
    {
        console.flush();
        boolean timedOut = false;
        while (!hypercalls.wakeable() && (cpu.mip & cpu.mie) == 0 && !stopRequested && !paused)
        {
            long wait = MAX_SLEEP_NANOS;
            final long deadline = hypercalls.wakeDeadline();
            if (deadline >= 0)
            {
                final long left = deadline - mtime();
                if (left <= 0)
                {
                    timedOut = true;
                    break;
                }
                wait = Math.min(wait, ticksToNanos(left));
            }
            LockSupport.parkNanos(this, wait);
            advanceBoard();
        }
        hypercalls.endBlock(cpu.x, timedOut);
        sampleUpcall();
    }

    private void sleepUntilInterrupt()
    {
        console.flush();
        while ((cpu.mip & cpu.mie) == 0 && !stopRequested && !paused)
        {
            long wait = MAX_SLEEP_NANOS;
            final long now = mtime();
            if ((cpu.mie & 1L << CpuState.IRQ_MTIP) != 0)
            {
                wait = Math.min(wait, ticksToNanos(clint.mtimecmp() - now));
            }
            if (supervisorTimer != null && (cpu.mie & 1L << CpuState.IRQ_STIP) != 0)
            {
                wait = Math.min(wait, ticksToNanos(supervisorTimer.compare() - now));
            }
            if (wait > 0)
            {
                LockSupport.parkNanos(this, wait);
            }
            advanceBoard();
        }
    }

    private long ticksToNanos(final long ticks)
    {
        // mtimecmp may be far in the future (or "never", all ones): cap before multiplying.
        if (ticks <= 0)
        {
            return 0;
        }
        return ticks >= MAX_SLEEP_NANOS / nanosPerTick ? MAX_SLEEP_NANOS : ticks * nanosPerTick;
    }

    /**
     * Stop running guest instructions until {@link #resume()}, as {@code xl pause} does; devices
     * and time go on. From another thread it returns once the hart is parked (or the run ended).
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

    private void waitWhilePaused()
    {
        console.flush();
        parked = true;
        while (paused && !stopRequested)
        {
            LockSupport.park(this);
        }
        parked = false;
    }

    /** End {@link #run()} with {@link MachineExit.Kind#STOPPED} soon. Any thread. */
    public void stop()
    {
        stopRequested = true;
        interpreter.requestStop();
        wakeUp();
    }

    /** Wake a hart sleeping in WFI, e.g. because console input arrived. Any thread. */
    public void wakeUp()
    {
        final Thread t = runner;
        if (t != null)
        {
            LockSupport.unpark(t);
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
        if (machineMemory != null)
        {
            memory.close();
            machineMemory.close();
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
        final int[] slots = new int[specs.size()];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = specs.get(i).slot();
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
}
