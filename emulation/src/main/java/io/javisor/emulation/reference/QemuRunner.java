package io.javisor.emulation.reference;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a guest kernel on QEMU's RISC-V {@code virt} machine as a child process:
 * {@code qemu-system-riscv64 -M virt -m <MiB> -nographic -monitor none -serial stdio -nic none
 * -no-reboot -bios <none|firmware> -kernel <elf>}. The console (UART0, or SBI console through the
 * firmware) is QEMU's stdout; the exit status is the sifive_test finisher's code. A run that
 * outlives its timeout is killed (the whole process tree).
 * <p>
 * Immutable; the {@code with*} methods return a configured copy. Not tied to a thread.
 */
public final class QemuRunner
{
    /** Name of the QEMU binary looked up on {@code PATH}. */
    public static final String QEMU_BINARY = "qemu-system-riscv64";

    /** Debian's OpenSBI (package {@code opensbi}) jump firmware: enters S-mode at 0x8020_0000. */
    public static final Path OPENSBI_FW_JUMP = Path.of("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf");

    /** Debian's U-Boot for S-mode under OpenSBI (package {@code u-boot-qemu}). */
    public static final Path UBOOT_SMODE = Path.of("/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf");

    public static final int DEFAULT_MEMORY_MIB = 128;
    public static final long DEFAULT_TIMEOUT_MILLIS = 30_000;

    private final Path binary;
    private final int memoryMib;
    private final Path bios;
    private final long timeoutMillis;
    /** More arguments before {@code -kernel}, e.g. a virtio drive. */
    private final List<String> extraArguments;

    private QemuRunner(final Path binary, final int memoryMib, final Path bios, final long timeoutMillis)
    {
        this(binary, memoryMib, bios, timeoutMillis, List.of());
    }

    private QemuRunner(final Path binary, final int memoryMib, final Path bios, final long timeoutMillis,
        final List<String> extraArguments)
    {
        this.extraArguments = List.copyOf(extraArguments);
        this.binary = binary;
        this.memoryMib = memoryMib;
        this.bios = bios;
        this.timeoutMillis = timeoutMillis;
    }

    /** @return {@code qemu-system-riscv64} on {@code PATH}, if there is one. */
    public static Optional<Path> findBinary()
    {
        final String path = System.getenv("PATH");
        if (null == path)
        {
            return Optional.empty();
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            if (!dir.isEmpty())
            {
                final Path candidate = Path.of(dir, QEMU_BINARY);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** @return whether {@code qemu-system-riscv64} is on {@code PATH}. */
    public static boolean isAvailable()
    {
        return findBinary().isPresent();
    }

    /**
     * A runner for bare-metal guests ({@code -bios none}, {@value #DEFAULT_MEMORY_MIB} MiB, a
     * {@value #DEFAULT_TIMEOUT_MILLIS} ms timeout).
     *
     * @return the runner.
     * @throws IllegalStateException when QEMU is not installed.
     */
    public static QemuRunner create()
    {
        final Path binary = findBinary().orElseThrow(() -> new IllegalStateException(
            QEMU_BINARY + " not found on PATH (Debian: apt-get install qemu-system-misc)"));
        return new QemuRunner(binary, DEFAULT_MEMORY_MIB, null, DEFAULT_TIMEOUT_MILLIS);
    }

    /**
     * @param memoryMib guest RAM in MiB.
     * @return a copy with that RAM size.
     */
    public QemuRunner withMemoryMib(final int memoryMib)
    {
        if (memoryMib <= 0)
        {
            throw new IllegalArgumentException("memoryMib must be positive: " + memoryMib);
        }
        return new QemuRunner(binary, memoryMib, bios, timeoutMillis, extraArguments);
    }

    /**
     * @param firmware the M-mode firmware ({@code -bios}), or {@code null} for {@code -bios none}.
     * @return a copy with that firmware.
     */
    public QemuRunner withBios(final Path firmware)
    {
        return new QemuRunner(binary, memoryMib, firmware, timeoutMillis, extraArguments);
    }

    /**
     * @param timeoutMillis how long a run may take before it is killed.
     * @return a copy with that timeout.
     */
    public QemuRunner withTimeoutMillis(final long timeoutMillis)
    {
        if (timeoutMillis <= 0)
        {
            throw new IllegalArgumentException("timeoutMillis must be positive: " + timeoutMillis);
        }
        return new QemuRunner(binary, memoryMib, bios, timeoutMillis, extraArguments);
    }

    /**
     * @param arguments more QEMU arguments (devices, drives), placed before {@code -kernel}.
     * @return a copy with those arguments added.
     */
    public QemuRunner withArguments(final String... arguments)
    {
        final List<String> all = new ArrayList<>(extraArguments);
        all.addAll(List.of(arguments));
        return new QemuRunner(binary, memoryMib, bios, timeoutMillis, all);
    }

    /**
     * @param kernel the guest ELF ({@code -kernel}).
     * @return the QEMU command line for it.
     */
    public List<String> command(final Path kernel)
    {
        final List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of("-M", "virt", "-m", Integer.toString(memoryMib)));
        command.addAll(List.of("-nographic", "-monitor", "none", "-serial", "stdio"));
        command.addAll(List.of("-nic", "none", "-no-reboot"));
        command.addAll(List.of("-bios", null == bios ? "none" : bios.toString()));
        command.addAll(extraArguments);
        command.addAll(List.of("-kernel", kernel.toString()));
        return command;
    }

    /**
     * Runs the kernel to completion or to the timeout.
     *
     * @param kernel the guest ELF.
     * @return output, exit code and wall time.
     * @throws IOException          when QEMU cannot be started.
     * @throws InterruptedException when interrupted while waiting (the child is killed).
     */
    public QemuRun run(final Path kernel) throws IOException, InterruptedException
    {
        if (!Files.isRegularFile(kernel))
        {
            throw new IOException("no such kernel: " + kernel);
        }
        final ProcessBuilder builder = new ProcessBuilder(command(kernel))
            .redirectInput(ProcessBuilder.Redirect.PIPE);
        final long start = System.nanoTime();
        final Process process = builder.start();
        process.getOutputStream().close();
        final Drain stdout = Drain.start(process.getInputStream(), "qemu-stdout");
        final Drain stderr = Drain.start(process.getErrorStream(), "qemu-stderr");
        boolean timedOut = false;
        try
        {
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS))
            {
                timedOut = true;
                kill(process);
            }
        }
        catch (final InterruptedException ex)
        {
            kill(process);
            throw ex;
        }
        final long elapsedNanos = System.nanoTime() - start;
        // A killed child's pipes may be closed under the reader: then what was read is the output.
        final byte[] output = stdout.join(timedOut);
        final String diagnostics = new String(stderr.join(timedOut), StandardCharsets.UTF_8);
        return new QemuRun(output, diagnostics, timedOut ? -1 : process.exitValue(), elapsedNanos, timedOut);
    }

    private static void kill(final Process process) throws InterruptedException
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
    }

    /** Reads a child's stream to its end on its own thread. */
    private static final class Drain implements Runnable
    {
        private final InputStream in;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;
        private IOException failure;

        private Drain(final InputStream in, final String name)
        {
            this.in = in;
            this.thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        static Drain start(final InputStream in, final String name)
        {
            final Drain drain = new Drain(in, name);
            drain.thread.start();
            return drain;
        }

        @Override
        public void run()
        {
            final byte[] buffer = new byte[8192];
            try (InputStream stream = in)
            {
                int n;
                while ((n = stream.read(buffer)) >= 0)
                {
                    synchronized (bytes)
                    {
                        bytes.write(buffer, 0, n);
                    }
                }
            }
            catch (final IOException ex)
            {
                failure = ex;
            }
        }

        byte[] join(final boolean killed) throws InterruptedException
        {
            thread.join();
            if (null != failure && !killed)
            {
                throw new UncheckedIOException("reading QEMU output", failure);
            }
            synchronized (bytes)
            {
                return bytes.toByteArray();
            }
        }
    }
}
