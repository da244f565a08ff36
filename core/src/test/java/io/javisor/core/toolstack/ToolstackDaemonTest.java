package io.javisor.core.toolstack;

import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.core.toolstack.cli.ToolstackCommands;
import io.javisor.emulation.guests.GuestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The toolstack as a user meets it: a real daemon on a Unix socket, and the {@code javisor} commands
 * of xl's set run against it in-process (the same picocli classes the launcher registers). Every
 * command's output columns, its error for a missing domain, xl.cfg errors naming file and line, the
 * life-cycle actions, a client that dies mid-request, two clients at once, a second daemon.
 */
class ToolstackDaemonTest
{
    @TempDir
    Path dir;
    private Hypervisor hypervisor;
    private Toolstack toolstack;
    private ToolstackDaemon daemon;
    private Path socket;

    @BeforeEach
    void start()
    {
        // As the real daemon: machine memory in a file, which driver domains map granted frames from.
        hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(256)
            .withMachineMemoryFile(dir.resolve("machine-memory")));
        toolstack = new Toolstack(hypervisor);
        socket = dir.resolve("run").resolve("daemon.sock");
        daemon = ToolstackDaemon.start(toolstack, socket);
    }

    @AfterEach
    void stop()
    {
        daemon.close();
        toolstack.close();
        hypervisor.close();
    }

    /** The launcher's root command, for running subcommands in-process. */
    @Command(name = "javisor")
    static final class Root
    {
    }

    /** What one command printed and returned. */
    record Result(int exit, String out, String err)
    {
    }

    private Result javisor(final String... args)
    {
        final CommandLine root = new CommandLine(new Root());
        for (final Class<?> command : ToolstackCommands.ALL)
        {
            root.addSubcommand(command);
        }
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        root.setOut(new PrintWriter(out));
        root.setErr(new PrintWriter(err));
        final List<String> all = new ArrayList<>(List.of(args));
        all.add(1, "--socket=" + socket);
        final int exit = root.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    private Path config(final String name, final String... lines) throws IOException
    {
        final Path file = dir.resolve(name + ".cfg");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    private Path elf(final String name) throws IOException
    {
        return GuestImages.extract(name, dir);
    }

    @Test
    void theSocketIsTheUsersOnlyAndASecondDaemonOnItRefuses() throws Exception
    {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
        final ToolstackException second = assertThrows(ToolstackException.class, () -> ToolstackDaemon.start(toolstack, socket));
        assertEquals("another javisor daemon is listening on " + socket, second.getMessage());
        assertEquals(0, javisor("list").exit(), "the first one still serves");
    }

    @Test
    void listShowsXlsColumnsWithDomain0First() throws Exception
    {
        final Result list = javisor("list");
        assertEquals(0, list.exit(), list.err());
        final String[] lines = list.out().split("\n");
        assertEquals("Name                                        ID   Mem VCPUs     State   Time(s)", lines[0]);
        assertTrue(lines[1].matches("Domain-0 +0 +\\d+ +\\d+ +r----- +[\\d.]+"), lines[1]);
        assertEquals(2, lines.length);
    }

    @Test
    void aPvDomainFromAConfigFileIsCreatedListedPausedAndDestroyed() throws Exception
    {
        final Path cfg = config("blocked", "# a PV kernel that blocks forever", "name = \"blocked\"", "type = \"pv\"",
            "memory = 16", "kernel = \"" + elf("pv-block") + "\"");
        final Result created = javisor("create", cfg.toString());
        assertEquals(0, created.exit(), created.err());
        assertTrue(created.out().contains("Domain 1 'blocked' created"), created.out());
        assertTrue(javisor("list").out().lines().anyMatch(l -> l.matches("blocked +1 +16 +1 +(r-----|-b----) +[\\d.]+")),
            javisor("list").out());

        assertEquals(0, javisor("pause", "blocked").exit());
        assertTrue(javisor("list", "blocked").out().lines().anyMatch(l -> l.matches("blocked +1 +16 +1 +--p--- +[\\d.]+")));
        assertEquals(0, javisor("unpause", "1").exit());

        final Result longList = javisor("list", "-l", "blocked");
        assertTrue(longList.out().contains("\"type\" : \"pv\"") && longList.out().contains("\"on_crash\" : \"destroy\""),
            longList.out());
        final Result vcpus = javisor("vcpu-list", "blocked");
        assertTrue(vcpus.out().lines().skip(1).anyMatch(l -> l.startsWith("blocked ")), vcpus.out());
        // The scheduler's view: the vCPU blocked in sched block (no worker spends time on it), on a worker
        // it ran on before, at the default weight, woken at least once (its first start).
        final long deadline = System.nanoTime() + 10_000_000_000L;
        Result sched = javisor("vcpu-list", "-s", "blocked");
        while (!sched.out().contains(" -b- ") && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
            sched = javisor("vcpu-list", "-s", "blocked");
        }
        final Result blockedRow = sched;
        assertTrue(blockedRow.out().lines().skip(1).anyMatch(l ->
            l.matches("blocked +1 +0 +\\d+ +-b- +[\\d.]+ +all / all +-?[\\d.]+ +256 +0 +[1-9]\\d* +[1-9]\\d*")), blockedRow.out());
        assertTrue(javisor("vcpu-list").out().lines().anyMatch(l -> l.startsWith("Domain-0 ")), "dom0's CPUs are listed");

        final long freeBefore = hypervisor.freeFrames();
        assertEquals(0, javisor("destroy", "blocked").exit());
        assertFalse(javisor("list").out().contains("blocked"));
        assertTrue(hypervisor.freeFrames() > freeBefore, "its memory came back");
    }

    @Test
    void everyDomainCommandNamesAMissingDomain()
    {
        for (final String[] command : new String[][] {{"destroy", "nope"}, {"pause", "nope"}, {"unpause", "nope"},
            {"shutdown", "nope"}, {"reboot", "nope"}, {"console", "nope"}, {"vcpu-list", "nope"}, {"list", "nope"},
            {"sched-credit", "-d", "nope"}, {"block-attach", "nope", "format=ram, vdev=xvdb, target=1M"},
            {"block-detach", "nope", "xvdb"}, {"network-attach", "nope", "bridge=xenbr0"}, {"network-detach", "nope", "0"}})
        {
            final Result r = javisor(command);
            assertEquals(1, r.exit(), String.join(" ", command));
            assertEquals("javisor " + command[0] + ": domain 'nope' does not exist\n", r.err(), String.join(" ", command));
        }
    }

    @Test
    void aBadConfigIsRefusedNamingTheFileLineAndKeyAndNothingIsCreated() throws Exception
    {
        final Path cfg = config("bad", "name = \"bad\"", "type = \"pv\"", "memory = \"lots\"");
        final Result r = javisor("create", cfg.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("javisor create: " + cfg + ":3:") && r.err().contains("memory"), r.err());
        assertEquals(1, r.err().lines().count(), "one line");
        final Result unknown = javisor("create", config("unknown", "name = \"u\"", "colour = \"blue\"").toString());
        assertTrue(unknown.err().contains(":2:") && unknown.err().contains("colour"), unknown.err());
        assertEquals(2, javisor("list").out().lines().count(), "only Domain-0");
        final Result missing = javisor("create", dir.resolve("none.cfg").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("none.cfg"), missing.err());
    }

    @Test
    void theBuiltInDriverDomainIsCreatedByNameAndServesAGuestsDisk() throws Exception
    {
        final Result created = javisor("driver-domain", "--name", "storage");
        assertEquals(0, created.exit(), created.err());
        assertEquals("Driver domain 1 'storage' created", created.out().strip());
        assertTrue(javisor("list").out().lines().anyMatch(l -> l.startsWith("storage ")), javisor("list").out());

        final Path image = dir.resolve("disk.img");
        Files.write(image, new byte[1 << 20]);
        final Path guest = config("guest", "name = \"guest\"", "type = \"pv\"", "memory = 16",
            "kernel = \"" + elf("pv-block") + "\"",
            "disk = [ \"backend=storage, format=raw, vdev=xvda, target=" + image + "\" ]");
        final Result served = javisor("create", guest.toString());
        assertEquals(0, served.exit(), served.err());

        final Result badKey = javisor("driver-domain", "--name", "other", "colour=\"blue\"");
        assertEquals(1, badKey.exit());
        assertEquals("javisor driver-domain: command line:1: colour: unknown key", badKey.err().strip().replaceAll(" \\(.*", ""),
            badKey.err());
        assertEquals(1, badKey.err().lines().count(), "one line");
        final Result twice = javisor("driver-domain", "--name", "storage");
        assertEquals(1, twice.exit());
        assertTrue(twice.err().contains("storage"), twice.err());

        assertEquals(0, javisor("destroy", "guest").exit());
        assertEquals(0, javisor("destroy", "storage").exit());
        assertEquals(2, javisor("list").out().lines().count(), "only Domain-0 left");
    }

    @Test
    void overridesOnTheCommandLineReplaceTheFilesValues() throws Exception
    {
        final Path cfg = config("over", "name = \"a\"", "type = \"pv\"", "memory = 16", "kernel = \"" + elf("pv-block") + "\"");
        assertEquals(0, javisor("create", cfg.toString(), "name=\"b\"", "memory=24").exit());
        assertTrue(javisor("list").out().lines().anyMatch(l -> l.matches("b +1 +24 +.*")), javisor("list").out());
    }

    @Test
    void aGuestThatPowersOffIsDestroyedOrPreservedAsConfigured() throws Exception
    {
        final Path hello = elf("hello");
        config("gone", "name = \"gone\"", "type = \"hvm\"", "bios = \"none\"", "memory = 16", "kernel = \"" + hello + "\"");
        assertEquals(0, javisor("create", dir.resolve("gone.cfg").toString()).exit());
        final Path kept = config("kept", "name = \"kept\"", "type = \"hvm\"", "bios = \"none\"", "memory = 16",
            "kernel = \"" + hello + "\"", "on_poweroff = \"preserve\"");
        assertEquals(0, javisor("create", kept.toString()).exit());
        awaitList(out -> !out.contains("gone ") && out.lines().anyMatch(l -> l.matches("kept +2 +16 +1 +---s-- +.*")));
        final ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (ToolstackClient client = ToolstackClient.connect(socket))
        {
            client.console("kept", new ConsoleTestKeys("", () -> console.toString(StandardCharsets.ISO_8859_1)
                .equals(GuestImages.expectedOutput("hello"))), console, ConsoleTestKeys.ESCAPE);
        }
        assertEquals(GuestImages.expectedOutput("hello"), console.toString(StandardCharsets.ISO_8859_1),
            "a preserved domain's console history");
        assertTrue(javisor("dmesg").out().contains("domain 1 'gone' powered off"), javisor("dmesg").out());
    }

    @Test
    void aCrashRestartsUnderTheSameNameWithANewIdAndRenameRestartKeepsTheOldOne() throws Exception
    {
        final Path trap = elf("isa-trap");
        final Path cfg = config("crashy", "name = \"crashy\"", "type = \"hvm\"", "bios = \"none\"", "memory = 16",
            "kernel = \"" + trap + "\"", "on_poweroff = \"restart\"");
        assertEquals(0, javisor("create", cfg.toString()).exit());
        // Each power-off restarts it: the name stays, the id grows.
        awaitList(out -> out.lines().anyMatch(l -> l.matches("crashy +([3-9]|\\d\\d+) +.*")));
        assertTrue(javisor("dmesg").out().contains("restarted as domain"), javisor("dmesg").out());
        assertEquals(0, javisor("destroy", "crashy").exit());

        final Path renamed = config("renamed", "name = \"renamed\"", "type = \"hvm\"", "bios = \"none\"", "memory = 16",
            "kernel = \"" + elf("hello") + "\"", "on_poweroff = \"rename-restart\"");
        assertEquals(0, javisor("create", renamed.toString()).exit());
        // The old domain is kept as renamed-ID and a new one runs under the name (xl's rename-restart).
        awaitList(out -> out.lines().anyMatch(l -> l.startsWith("renamed-")) && out.lines().filter(l -> l.startsWith("renamed")).count() >= 2);
        for (final String line : javisor("list").out().lines().filter(l -> l.startsWith("renamed")).toList())
        {
            javisor("destroy", line.split(" +")[0]);
        }
    }

    @Test
    void aJavaGuestFromAConfigFileRunsTakesConsoleInputAndShutsDown() throws Exception
    {
        final Path classes = Path.of(GreeterJavaGuest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        final Path cfg = config("greeter", "name = \"greeter\"", "type = \"java\"",
            "class = \"" + GreeterJavaGuest.class.getName() + "\"", "classpath = [ \"" + classes + "\" ]", "memory = 8",
            "disk = [ \"format=ram, vdev=xvda, target=1M\" ]");
        assertEquals(0, javisor("create", cfg.toString()).exit());
        final ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (ToolstackClient client = ToolstackClient.connect(socket))
        {
            final InputStream keys = new ConsoleTestKeys("x", () -> console.toString(StandardCharsets.UTF_8).contains("got x"));
            client.console("greeter", keys, console, ConsoleTestKeys.ESCAPE);
        }
        assertTrue(console.toString(StandardCharsets.UTF_8).startsWith("greeter: up on domain 1\ngreeter: got x\n"), console.toString());
        final Result shutdown = javisor("shutdown", "-w", "greeter");
        assertEquals(0, shutdown.exit(), shutdown.err());
        awaitList(out -> !out.contains("greeter"));
    }

    @Test
    void garbageGetsAnErrorReplyAndTheConnectionGoesOn() throws Exception
    {
        try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            raw.connect(UnixDomainSocketAddress.of(socket));
            final ToolstackDaemon.LineReader in = new ToolstackDaemon.LineReader(raw);
            for (final String request : new String[] {"this is not json", "{\"version\":2,\"command\":\"list\"}",
                "{\"version\":1,\"command\":\"fly\"}", "{\"version\":1,\"command\":\"destroy\",\"args\":{\"domain\":7}}",
                "[1,2,3]"})
            {
                raw.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
                final String reply = in.readLine();
                assertTrue(reply.contains("\"ok\":false") && reply.contains("\"error\""), request + " -> " + reply);
            }
            raw.write(ByteBuffer.wrap("{\"version\":1,\"command\":\"list\"}\n".getBytes(StandardCharsets.UTF_8)));
            assertTrue(in.readLine().contains("\"ok\":true"), "then a good request is served on the same connection");
        }
        assertEquals(1, javisor("save", "x", "f").exit());
        assertTrue(javisor("save", "x", "f").err().contains("not supported yet"));
    }

    @Test
    void aClientKilledMidRequestAndTwoClientsAtOnceLeaveTheDaemonServing() throws Exception
    {
        try (SocketChannel dying = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            dying.connect(UnixDomainSocketAddress.of(socket));
            dying.write(ByteBuffer.wrap("{\"version\":1,\"comm".getBytes(StandardCharsets.UTF_8)));
        }
        final ExecutorService two = Executors.newFixedThreadPool(2);
        try
        {
            final Callable<Integer> lists = () ->
            {
                for (int i = 0; i < 50; i++)
                {
                    try (ToolstackClient client = ToolstackClient.connect(socket))
                    {
                        assertEquals("Domain-0", ((Map<?, ?>)((List<?>)client.call("list", Map.of())).get(0)).get("name"));
                    }
                }
                return 50;
            };
            final Future<Integer> a = two.submit(lists);
            final Future<Integer> b = two.submit(lists);
            assertEquals(50, a.get(60, TimeUnit.SECONDS));
            assertEquals(50, b.get(60, TimeUnit.SECONDS));
        }
        finally
        {
            two.shutdownNow();
        }
        assertEquals(0, javisor("info").exit());
        assertTrue(javisor("info").out().contains("nr_cpus"), javisor("info").out());
    }

    @Test
    void schedCreditShowsAndSetsWeightAndCap() throws Exception
    {
        final Path cfg = config("w", "name = \"w\"", "type = \"pv\"", "memory = 16", "kernel = \"" + elf("pv-block") + "\"",
            "cpu_weight = 512");
        assertEquals(0, javisor("create", cfg.toString()).exit());
        assertTrue(javisor("sched-credit").out().lines().anyMatch(l -> l.matches("w +1 +512 +0")), javisor("sched-credit").out());
        assertEquals(0, javisor("sched-credit", "-d", "w", "-w", "128", "-c", "50").exit());
        assertTrue(javisor("sched-credit", "-d", "w").out().lines().anyMatch(l -> l.matches("w +1 +128 +50")));
        final Result bad = javisor("sched-credit", "-d", "w", "-w", "0");
        assertEquals("javisor sched-credit: weight 0 is not between 1 and 65535\n", bad.err());
    }

    private void awaitList(final java.util.function.Predicate<String> condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String out = "";
        while (System.nanoTime() < deadline)
        {
            out = javisor("list").out();
            if (condition.test(out))
            {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the list never became what was awaited:\n" + out + "\n" + javisor("dmesg").out());
    }
}
