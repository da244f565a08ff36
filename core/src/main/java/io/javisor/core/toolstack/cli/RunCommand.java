package io.javisor.core.toolstack.cli;

import io.javisor.blkback.image.DiskImageException;
import io.javisor.blkback.image.DiskSpec;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.core.toolstack.DomainEnd;
import io.javisor.core.toolstack.ForegroundDomain;
import io.javisor.core.toolstack.GuestBoot;
import io.javisor.core.toolstack.Toolstack;
import io.javisor.core.toolstack.ToolstackException;
import io.javisor.core.toolstack.config.Bios;
import io.javisor.core.toolstack.config.GuestType;
import io.javisor.core.toolstack.config.ShutdownAction;
import io.javisor.core.toolstack.config.XlConfig;
import io.javisor.emulation.jit.Translator;
import io.javisor.emulation.jit.TranslatorStatistics;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.Console;
import io.javisor.emulation.machine.CpuTier;
import io.javisor.emulation.machine.HvmDeviceSpecs;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.VirtMachine;
import io.javisor.netback.spec.VifSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code javisor run}: one HVM guest in the foreground, as a toolstack domain of a hypervisor of this
 * process's own: the options become an xl config ({@code type = "hvm"}, {@code on_reboot = "restart"},
 * so an SBI reboot restarts the guest as QEMU does, with the same name and a new id), its console is
 * this terminal (raw, as {@code qemu -nographic}; Ctrl-A x quits), and the process exits with the code
 * of the guest's last run.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
        "Run one RISC-V HVM guest on the QEMU-virt-compatible board, console on this terminal "
            + "(Ctrl-A x quits); a reboot restarts it. Exits with the guest's finisher or HTIF code, 0 after an SBI "
            + "shutdown, 124 when --max-instructions runs out, 125 when the hart halts for good, 126 when the guest crashes."
    })
public final class RunCommand implements Callable<Integer>
{
    private static final int CTRL_A = 1;
    /** The foreground domain's name, as {@code xl list} would show it. */
    static final String NAME = "run";

    @Spec
    private CommandSpec spec;

    @Option(names = "--kernel", paramLabel = "ELF", description = "The guest program (RISC-V ELF64 or kernel Image).")
    private Path kernel;

    @Option(names = "--bios", paramLabel = "none|builtin|FILE", defaultValue = "builtin",
        description = "none: run the kernel in M-mode (as qemu -bios none); builtin (default): javisor's "
            + "SBI firmware, kernel in S-mode at 0x80200000; FILE: an M-mode firmware ELF such as "
            + "OpenSBI's fw_jump.elf, with the kernel as its payload.")
    private String bios;

    @Option(names = "--memory", paramLabel = "MiB", defaultValue = "128", description = "Guest RAM (default 128).")
    private int memoryMiB;

    @Option(names = "--append", paramLabel = "ARGS", description = "Kernel command line (device tree /chosen/bootargs).")
    private String bootargs;

    @Option(names = "--max-instructions", paramLabel = "N", defaultValue = "0",
        description = "Stop the guest after N retired instructions (0: no limit).")
    private long maxInstructions;

    @Option(names = "--disk", paramLabel = "SPEC",
        description = "A disk as in xl.cfg, e.g. 'format=raw, vdev=vda, target=disk.img': vdX is virtio-blk, hdX an "
            + "emulated ATA disk (repeatable).")
    private List<String> disks = new ArrayList<>();

    @Option(names = "--vif", paramLabel = "SPEC",
        description = "A NIC as in xl.cfg, e.g. 'model=virtio, bridge=br0, mac=00:16:3e:00:00:01': model=virtio or "
            + "model=lan9118 (repeatable).")
    private List<String> vifs = new ArrayList<>();

    @Option(names = "--stats", description = "Print how the run ended, instructions and MIPS on stderr.")
    private boolean stats;

    @Option(names = "--cpu", paramLabel = "interp|jit", defaultValue = "jit",
        description = "CPU tier: the interpreter alone, or the translator of hot code above it (default jit).")
    private String cpu;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter err = spec.commandLine().getErr();
        final XlConfig config;
        final GuestBoot boot;
        try
        {
            final CpuTier tier = switch (cpu)
            {
                case "interp" -> CpuTier.INTERPRETER;
                case "jit" -> CpuTier.JIT;
                default -> throw new IllegalArgumentException("--cpu must be interp or jit, not " + cpu);
            };
            final Bios firmware = switch (bios)
            {
                case "none" -> Bios.NONE;
                case "builtin" -> Bios.BUILTIN;
                default -> Bios.external(Path.of(bios));
            };
            if (kernel == null && firmware.mode() != BootMode.EXTERNAL)
            {
                throw new IllegalArgumentException("no kernel given (--kernel ELF)");
            }
            boot = load(firmware).tuned(tier, maxInstructions, stats);
            config = config(firmware, boot);
        }
        catch (final IllegalArgumentException | ToolstackException | DiskImageException ex)
        {
            return fail(err, ex.getMessage());
        }
        try (Hypervisor hypervisor = new Hypervisor(HypervisorConfig.defaults());
             Toolstack toolstack = new Toolstack(hypervisor);
             RawTerminal ignored = RawTerminal.enter())
        {
            final ForegroundDomain domain = new ForegroundDomain(toolstack,
                Channels.newChannel(new FileOutputStream(FileDescriptor.out)));
            Thread.ofPlatform().name("javisor-run-input").daemon().start(() -> readInput(System.in, domain));
            final DomainEnd end;
            try
            {
                end = domain.run(config, boot);
            }
            catch (final ToolstackException ex)
            {
                return fail(err, ex.getMessage());
            }
            if (end == null)
            {
                err.println("javisor run: quit from the console");
                err.flush();
                return 0;
            }
            report(end, err);
            return end.exit().exitCode();
        }
    }

    /** The options as xl would have read them from a config file; the specs are checked here, one line each. */
    private XlConfig config(final Bios firmware, final GuestBoot boot)
    {
        // The board's own limits, named as the machine names them, before a domain is built.
        final MachineConfig board = new MachineConfig().memoryMiB(memoryMiB).bootMode(firmware.mode()).console(Console.NONE);
        if (boot.kernel() != null)
        {
            board.kernel(boot.kernel());
        }
        if (boot.firmware() != null)
        {
            board.firmware(boot.firmware());
        }
        board.validate();
        final List<DiskSpec> diskSpecs = new ArrayList<>();
        for (final String disk : disks)
        {
            final DiskSpec parsed = DiskSpec.parse(disk);
            HvmDeviceSpecs.diskKind(parsed); // a PV vdev is refused before any image is opened
            diskSpecs.add(parsed);
        }
        final List<VifSpec> vifSpecs = new ArrayList<>();
        for (final String vif : vifs)
        {
            final VifSpec parsed = VifSpec.parse(vif);
            HvmDeviceSpecs.nicKind(parsed);
            vifSpecs.add(parsed);
        }
        return new XlConfig(NAME, GuestType.HVM, memoryMiB, 1, XlConfig.DEFAULT_CPU_WEIGHT, XlConfig.NO_CAP,
            kernel == null ? null : kernel.toAbsolutePath(), null, bootargs, firmware, null, List.of(), diskSpecs, vifSpecs,
            ShutdownAction.DESTROY, ShutdownAction.RESTART, ShutdownAction.DESTROY);
    }

    private GuestBoot load(final Bios firmware)
    {
        return new GuestBoot(kernel == null ? null : GuestBoot.load("kernel", kernel),
            firmware.firmware() == null ? null : GuestBoot.load("firmware", firmware.firmware()), null, 0, false);
    }

    /** Typed bytes go to the guest; Ctrl-A x quits; Ctrl-A Ctrl-A sends one Ctrl-A. */
    private static void readInput(final InputStream in, final ForegroundDomain domain)
    {
        boolean escape = false;
        try
        {
            int b;
            while ((b = in.read()) >= 0)
            {
                if (escape)
                {
                    escape = false;
                    if (b == 'x' || b == 'X')
                    {
                        domain.quit();
                        return;
                    }
                    if (b != CTRL_A)
                    {
                        continue;
                    }
                }
                else if (b == CTRL_A)
                {
                    escape = true;
                    continue;
                }
                domain.type(b);
            }
        }
        catch (final IOException ignored)
        {
            // stdin closed: no more input.
        }
    }

    /** How the run ended, on stderr: always for a crash, a halt or a spent budget; with --stats, also the translator's figures. */
    private void report(final DomainEnd end, final PrintWriter err)
    {
        final MachineExit exit = end.exit();
        if (!stats && exit.kind() != MachineExit.Kind.CRASHED && exit.kind() != MachineExit.Kind.HALTED &&
            exit.kind() != MachineExit.Kind.BUDGET_EXHAUSTED)
        {
            return;
        }
        err.printf("javisor run: %s (%,d instructions in %.3f s, %.1f MIPS)%n", exit.detail(), exit.instructions(),
            exit.nanos() / 1e9, exit.mips());
        if (stats)
        {
            final VirtMachine machine = end.guest().machine();
            final Translator translator = machine.interpreter().translator();
            if (translator != null)
            {
                final TranslatorStatistics t = translator.statistics();
                err.printf("javisor run: jit: %,d regions (%,d guest instructions, %,d bytes of bytecode, " +
                    "%,d held now), %,d untranslatable entries, %,d invalidations, %,d evictions, " +
                    "%.1f ms translating; %,d instructions (%.1f%%) in translated code over %,d dispatches, " +
                    "%,d in the interpreter%n",
                    t.regionsTranslated(), t.instructionsTranslated(), t.bytecodeBytes(),
                    translator.cachedRegions(), t.untranslatable(), t.invalidations(), t.evictions(),
                    t.compileNanos() / 1e6, t.instructionsRetired(),
                    exit.instructions() == 0 ? 0.0 : 100.0 * t.instructionsRetired() / exit.instructions(),
                    t.dispatches(), exit.instructions() - t.instructionsRetired());
                err.printf("javisor run: time: %.3f s in translated code, %.3f s in the interpreter and " +
                    "devices; %,d inline TLB misses; %,d regions reused from identical translations%n",
                    t.translatedNanos() / 1e9, Math.max(0, exit.nanos() - t.translatedNanos()) / 1e9,
                    t.inlineTlbMisses(), t.sharedHits());
            }
            final StringBuilder exits = new StringBuilder("javisor run: exits by device:");
            machine.bus().forEachDevice((base, device, accesses) ->
                exits.append(String.format(" %s@0x%x %,d;", device.name(), base, accesses)));
            err.println(exits);
        }
        err.flush();
    }

    private static int fail(final PrintWriter err, final String message)
    {
        err.println("javisor run: " + message);
        err.flush();
        return 2;
    }
}
