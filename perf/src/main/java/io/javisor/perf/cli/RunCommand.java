package io.javisor.perf.cli;

import io.javisor.emulation.loader.ElfFormatException;
import io.javisor.emulation.loader.ElfImage;
import io.javisor.emulation.loader.RiscvKernelImage;
import io.javisor.emulation.jit.Translator;
import io.javisor.emulation.jit.TranslatorStatistics;
import io.javisor.emulation.machine.BootMode;
import io.javisor.emulation.machine.CpuTier;
import io.javisor.emulation.machine.MachineConfig;
import io.javisor.emulation.machine.MachineExit;
import io.javisor.emulation.machine.VirtMachine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.javisor.blkback.image.DiskImage;
import io.javisor.blkback.image.DiskImageException;
import io.javisor.blkback.image.DiskImages;
import io.javisor.blkback.image.DiskSpec;
import io.javisor.emulation.machine.HvmDeviceSpecs;
import io.javisor.netback.bridge.Bridges;
import io.javisor.netback.spec.VifSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code javisor run}: one HVM guest on the virt board in the foreground, its serial console on
 * the terminal (raw, as {@code qemu -nographic}; Ctrl-A x quits), exiting with the guest's code.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
        "Run one RISC-V HVM guest on the QEMU-virt-compatible board, console on this terminal "
            + "(Ctrl-A x quits). Exits with the guest's finisher or HTIF code, 0 after an SBI shutdown, "
            + "124 when --max-instructions runs out, 125 when the hart halts for good, 126 when the guest crashes."
    })
final class RunCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--kernel", paramLabel = "ELF", description = "The guest program (RISC-V ELF64).")
    private Path kernel;

    @Option(names = "--bios", paramLabel = "none|builtin|FILE", defaultValue = "builtin",
        description = "none: run the kernel in M-mode (as qemu -bios none); builtin (default): javisor's "
            + "SBI firmware, kernel in S-mode at 0x80200000; FILE: an M-mode firmware ELF such as "
            + "OpenSBI's fw_jump.elf, with the kernel as its payload.")
    private String bios;

    @Option(names = "--memory", paramLabel = "MiB", defaultValue = "128", description = "Guest RAM (default 128).")
    private long memoryMiB;

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
    public Integer call()
    {
        final PrintWriter err = spec.commandLine().getErr();
        final MachineConfig config = new MachineConfig()
            .memoryMiB(memoryMiB)
            .bootargs(bootargs)
            .maxInstructions(maxInstructions);
        switch (cpu)
        {
            case "interp" -> config.cpuTier(CpuTier.INTERPRETER);
            case "jit" -> config.cpuTier(CpuTier.JIT);
            default ->
            {
                return fail(err, "--cpu must be interp or jit, not " + cpu);
            }
        }
        try
        {
            switch (bios)
            {
                case "none" -> config.bootMode(BootMode.BARE).kernel(readElf("kernel", kernel));
                case "builtin" -> config.bootMode(BootMode.BUILTIN).kernel(readElf("kernel", kernel));
                default ->
                {
                    config.bootMode(BootMode.EXTERNAL).firmware(readElf("firmware", Path.of(bios)));
                    if (kernel != null)
                    {
                        config.kernel(readElf("kernel", kernel));
                    }
                }
            }
        }
        catch (final IllegalArgumentException ex)
        {
            return fail(err, ex.getMessage());
        }
        final List<DiskImage> images = new ArrayList<>();
        try
        {
            final Bridges bridges = new Bridges();
            for (final String disk : disks)
            {
                final DiskSpec parsed = DiskSpec.parse(disk);
                HvmDeviceSpecs.diskKind(parsed); // refuse a PV vdev before any image is opened
                final DiskImage image = DiskImages.open(parsed);
                images.add(image);
                HvmDeviceSpecs.addDisk(config, parsed, image);
            }
            for (final String vif : vifs)
            {
                final VifSpec parsed = VifSpec.parse(vif);
                HvmDeviceSpecs.addVif(config, parsed, bridges.getOrCreate(parsed.bridge()));
            }
            return runMachine(config, err);
        }
        catch (final IllegalArgumentException | DiskImageException ex)
        {
            return fail(err, ex.getMessage());
        }
        finally
        {
            images.forEach(DiskImage::close);
        }
    }

    private int runMachine(final MachineConfig config, final PrintWriter err)
    {
        try (TerminalConsole console = TerminalConsole.open())
        {
            config.console(console);
            final VirtMachine machine;
            try
            {
                machine = VirtMachine.create(config);
            }
            catch (final IllegalArgumentException | ElfFormatException ex)
            {
                console.close();
                return fail(err, ex.getMessage());
            }
            try (machine)
            {
                console.attach(machine);
                machine.interpreter().setTierTiming(stats);
                final MachineExit exit = machine.run();
                console.close();
                if (stats || exit.kind() == MachineExit.Kind.CRASHED || exit.kind() == MachineExit.Kind.HALTED ||
                    exit.kind() == MachineExit.Kind.BUDGET_EXHAUSTED || console.quitByUser())
                {
                    err.printf("javisor run: %s (%,d instructions in %.3f s, %.1f MIPS)%n",
                        console.quitByUser() ? "quit from the console" : exit.detail(), exit.instructions(),
                        exit.nanos() / 1e9, exit.mips());
                    final Translator translator = machine.interpreter().translator();
                    if (stats && translator != null)
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
                    if (stats)
                    {
                        final StringBuilder exits = new StringBuilder("javisor run: exits by device:");
                        machine.bus().forEachDevice((base, device, accesses) ->
                            exits.append(String.format(" %s@0x%x %,d;", device.name(), base,
                                accesses)));
                        err.println(exits);
                    }
                    err.flush();
                }
                return console.quitByUser() ? 0 : exit.exitCode();
            }
        }
    }

    private static int fail(final PrintWriter err, final String message)
    {
        err.println("javisor run: " + message);
        err.flush();
        return 2;
    }

    private static ElfImage readElf(final String what, final Path path)
    {
        if (path == null)
        {
            throw new IllegalArgumentException("no " + what + " given (--" + what + " ELF)");
        }
        if (!Files.isRegularFile(path))
        {
            throw new IllegalArgumentException(what + " " + path + ": no such file");
        }
        try
        {
            final byte[] bytes = Files.readAllBytes(path);
            // A raw kernel Image (make Image) loads where QEMU's -kernel puts one: the S-mode kernel address.
            if ("kernel".equals(what) && RiscvKernelImage.isImage(bytes))
            {
                return RiscvKernelImage.toElf(bytes, VirtMachine.KERNEL_BASE);
            }
            return ElfImage.parse(bytes);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException(what + " " + path + ": cannot read: " + ex.getMessage());
        }
        catch (final ElfFormatException ex)
        {
            throw new IllegalArgumentException(what + " " + path + ": not a RISC-V ELF64 image or kernel Image: " + ex.getMessage());
        }
    }
}
