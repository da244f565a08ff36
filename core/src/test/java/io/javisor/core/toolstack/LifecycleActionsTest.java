package io.javisor.core.toolstack;

import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.core.toolstack.config.Bios;
import io.javisor.core.toolstack.config.GuestType;
import io.javisor.core.toolstack.config.ShutdownAction;
import io.javisor.core.toolstack.config.XlConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each of a guest's three ends (power-off, reboot, crash) under each action xl.cfg offers for it
 * (destroy, restart, preserve, rename-restart), carried out by the toolstack: a destroyed domain is
 * gone; a restarted one keeps its name and gets a new id; a preserved one stays listed as shut down or
 * crashed with its console history; a renamed one stays as NAME-ID beside a new NAME.
 */
class LifecycleActionsTest
{
    enum End
    {
        POWEROFF(TestKernels.SBI_SHUTDOWN, 's'),
        REBOOT(TestKernels.SBI_REBOOT, 's'),
        CRASH(TestKernels.CRASH, 'c');

        final int[] code;
        /** xl's state letter of a preserved domain that ended this way. */
        final char letter;

        End(final int[] code, final char letter)
        {
            this.code = code;
            this.letter = letter;
        }
    }

    static Stream<Arguments> endsAndActions()
    {
        return Stream.of(End.values()).flatMap(end -> Stream.of(ShutdownAction.values()).map(action -> Arguments.of(end, action)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("endsAndActions")
    void theConfiguredActionIsCarriedOut(final End end, final ShutdownAction action, @TempDir final Path dir) throws Exception
    {
        final Path kernel = TestKernels.image(dir, "Image", TestKernels.PUT_B_NEWLINE, end.code);
        try (Hypervisor hv = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(512));
             Toolstack toolstack = new Toolstack(hv))
        {
            final XlConfig spec = config(kernel, end, action);
            final int first = toolstack.create(spec, false).id();
            switch (action)
            {
                case DESTROY ->
                {
                    await(() -> names(toolstack).equals(List.of("Domain-0")), "destroyed", toolstack);
                    assertTrue(log(toolstack).contains("domain " + first + " 'guest' "), log(toolstack));
                }
                case RESTART ->
                {
                    await(() -> find(toolstack, "guest").map(d -> d.id() != first).orElse(false), "restarted", toolstack);
                    assertTrue(log(toolstack).contains("'guest' restarted as domain "), log(toolstack));
                    assertTrue(toolstack.list().stream().noneMatch(d -> d.id() == first), "the old domain is gone");
                }
                case PRESERVE ->
                {
                    await(() -> find(toolstack, "guest").map(d -> d.state().indexOf(end.letter) >= 0).orElse(false),
                        "preserved as " + end.letter, toolstack);
                    final DomainInfo kept = toolstack.domain("guest");
                    assertEquals(first, kept.id(), "the same domain, kept");
                    assertEquals("b\n", new String(toolstack.console("guest").history(), StandardCharsets.US_ASCII),
                        "its console history is readable");
                }
                case RENAME_RESTART ->
                {
                    // The log, not the list, shows the new 'guest': a guest that reboots at once restarts in a loop
                    // that ends only when the machine's memory is used up, and then no 'guest' is left to list.
                    await(() -> find(toolstack, "guest-" + first).isPresent() &&
                        log(toolstack).contains("domain 'guest' restarted as domain " + (first + 1) + " (was " + first + ")"),
                        "renamed and restarted", toolstack);
                    final DomainInfo renamed = toolstack.domain("guest-" + first);
                    assertEquals(first, renamed.id());
                    assertTrue(renamed.state().indexOf(end.letter) >= 0, renamed.state());
                }
            }
            // A destroy by command ends a restart loop: nothing of the name is left. A rename-restart may
            // leave one more NAME-ID between the listing and the destroy of NAME, so destroy until none is.
            await(() ->
            {
                for (final String name : names(toolstack))
                {
                    if (!name.equals("Domain-0"))
                    {
                        destroyQuietly(toolstack, name);
                    }
                }
                return names(toolstack).equals(List.of("Domain-0"));
            }, "all destroyed", toolstack);
        }
    }

    private static XlConfig config(final Path kernel, final End end, final ShutdownAction action)
    {
        final ShutdownAction poweroff = end == End.POWEROFF ? action : ShutdownAction.DESTROY;
        final ShutdownAction reboot = end == End.REBOOT ? action : ShutdownAction.DESTROY;
        final ShutdownAction crash = end == End.CRASH ? action : ShutdownAction.DESTROY;
        return new XlConfig("guest", GuestType.HVM, 16, 1, XlConfig.DEFAULT_CPU_WEIGHT, XlConfig.NO_CAP, kernel, null, null,
            Bios.BUILTIN, null, List.of(), List.of(), List.of(), poweroff, reboot, crash);
    }

    private static void destroyQuietly(final Toolstack toolstack, final String name)
    {
        try
        {
            toolstack.destroy(name);
        }
        catch (final ToolstackException gone)
        {
            // It ended and was replaced meanwhile (a restart loop): the next round finds its successor.
        }
    }

    private static List<String> names(final Toolstack toolstack)
    {
        return toolstack.list().stream().map(DomainInfo::name).toList();
    }

    private static Optional<DomainInfo> find(final Toolstack toolstack, final String name)
    {
        return toolstack.list().stream().filter(d -> d.name().equals(name)).findFirst();
    }

    private static String log(final Toolstack toolstack)
    {
        return String.join("\n", toolstack.dmesg());
    }

    private static void await(final BooleanSupplier condition, final String what, final Toolstack toolstack)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out waiting until " + what + "; list " + toolstack.list() + "; log\n" + log(toolstack));
            }
            Thread.sleep(2);
        }
    }
}
