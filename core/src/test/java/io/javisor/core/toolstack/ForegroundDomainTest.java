package io.javisor.core.toolstack;

import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.core.toolstack.config.Bios;
import io.javisor.core.toolstack.config.GuestType;
import io.javisor.core.toolstack.config.ShutdownAction;
import io.javisor.core.toolstack.config.XlConfig;
import io.javisor.emulation.machine.MachineExit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A foreground domain ({@code javisor run}): a reboot restarts the guest with the same name and a new id,
 * its console following; a power-off ends the run with the guest's code; quitting destroys it.
 */
class ForegroundDomainTest
{
    @Test
    void aRebootRestartsTheGuestUnderItsNameWithANewIdAndTheConsoleFollows(@TempDir final Path dir) throws Exception
    {
        final Path kernel = TestKernels.image(dir, "Image", TestKernels.PUT_B_NEWLINE, TestKernels.SBI_REBOOT);
        try (Hypervisor hv = new Hypervisor(HypervisorConfig.defaults()); Toolstack toolstack = new Toolstack(hv))
        {
            final ByteArrayOutputStream terminal = new ByteArrayOutputStream();
            final ForegroundDomain domain = new ForegroundDomain(toolstack, Channels.newChannel(syncOut(terminal)));
            final CompletableFuture<DomainEnd> run = CompletableFuture.supplyAsync(() -> runQuietly(domain, kernel));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (boots(terminal) < 3 && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertTrue(boots(terminal) >= 3, "three boots seen: " + text(terminal));
            domain.quit();
            assertNull(run.get(30, TimeUnit.SECONDS), "quitting ends the run without a guest's exit");
            assertTrue(domain.quitByUser());

            final List<String> restarts = toolstack.dmesg().stream().filter(l -> l.contains("restarted as domain")).toList();
            assertTrue(restarts.size() >= 2, String.join("\n", toolstack.dmesg()));
            assertTrue(restarts.get(0).contains("'run' restarted as domain 2 (was 1)"), restarts.get(0));
            assertTrue(restarts.get(1).contains("'run' restarted as domain 3 (was 2)"), restarts.get(1));
            assertEquals(List.of("Domain-0"), toolstack.list().stream().map(DomainInfo::name).toList(),
                "nothing is left after quitting");
        }
    }

    @Test
    void aPowerOffEndsTheRunWithEveryByteTheGuestWrote(@TempDir final Path dir) throws Exception
    {
        final Path kernel = TestKernels.image(dir, "Image", TestKernels.PUT_B_NEWLINE, TestKernels.SBI_SHUTDOWN);
        try (Hypervisor hv = new Hypervisor(HypervisorConfig.defaults()); Toolstack toolstack = new Toolstack(hv))
        {
            final ByteArrayOutputStream terminal = new ByteArrayOutputStream();
            final ForegroundDomain domain = new ForegroundDomain(toolstack, Channels.newChannel(syncOut(terminal)));
            final DomainEnd end = domain.run(config(kernel), GuestBoot.of(config(kernel)));
            assertEquals(ShutdownAction.DESTROY, end.action());
            assertEquals(-1, end.restartedAs());
            assertEquals(MachineExit.Kind.SHUTDOWN, end.exit().kind());
            assertEquals(0, end.exit().exitCode());
            assertEquals("b\n", text(terminal));
            assertEquals(List.of("Domain-0"), toolstack.list().stream().map(DomainInfo::name).toList());
        }
    }

    private static DomainEnd runQuietly(final ForegroundDomain domain, final Path kernel)
    {
        try
        {
            return domain.run(config(kernel), GuestBoot.of(config(kernel)));
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static XlConfig config(final Path kernel)
    {
        return new XlConfig("run", GuestType.HVM, 16, 1, XlConfig.DEFAULT_CPU_WEIGHT, XlConfig.NO_CAP, kernel, null, null,
            Bios.BUILTIN, null, List.of(), List.of(), List.of(), ShutdownAction.DESTROY, ShutdownAction.RESTART,
            ShutdownAction.DESTROY);
    }

    private static java.io.OutputStream syncOut(final ByteArrayOutputStream terminal)
    {
        return new java.io.OutputStream()
        {
            @Override
            public void write(final int b)
            {
                synchronized (terminal)
                {
                    terminal.write(b);
                }
            }
        };
    }

    private static String text(final ByteArrayOutputStream terminal)
    {
        synchronized (terminal)
        {
            return terminal.toString(StandardCharsets.US_ASCII);
        }
    }

    private static int boots(final ByteArrayOutputStream terminal)
    {
        return (int)text(terminal).chars().filter(c -> c == 'b').count();
    }
}
