package io.javisor.core.toolstack.config;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever the bytes, reading gives a config or one {@link XlConfigException} line, never another
 * exception; and every config read writes back ({@link XlConfig#toString()}) to text that reads to
 * an equal config. Inputs: random bytes, random text over the format's characters, random
 * statements (known and unknown keys with values of every kind, so the typed mapping is reached),
 * and random mutations of the good fixtures, some with random overrides.
 */
@Seeded
class XlConfigFuzzTest
{
    private static final int INPUTS = 100_000;
    private static final String FILE = "fuzz.cfg";
    private static final String CHARACTERS = "abcdefghijklmnopqrstuvwxyz_ABZ0123456789x =[],;#'\"\\\n\t\r-+.:/";
    private static final String[] KEYS = {
        "name", "type", "memory", "vcpus", "cpu_weight", "cap", "kernel", "ramdisk", "cmdline", "root", "extra", "bios",
        "class", "classpath", "disk", "vif", "on_poweroff", "on_reboot", "on_crash", "maxmem", "Name",
    };
    /** Values of the kind each known key takes, some of them out of range or ill-formed. */
    private static final Map<String, String[]> PLAUSIBLE = Map.ofEntries(
        Map.entry("name", new String[]{"'web-1'", "'a b'", "''", "'" + "n".repeat(65) + "'"}),
        Map.entry("memory", new String[]{"64", "0x200", "3", "2049", "1048576"}),
        Map.entry("vcpus", new String[]{"1", "2", "32", "0", "33"}),
        Map.entry("cpu_weight", new String[]{"1", "256", "65535", "0", "65536"}),
        Map.entry("cap", new String[]{"0", "50", "100", "150", "3200"}),
        Map.entry("kernel", new String[]{"'/boot/vmlinux'", "'rel/vmlinux'", "''"}),
        Map.entry("ramdisk", new String[]{"'/boot/initrd'", "'initrd'"}),
        Map.entry("cmdline", new String[]{"'console=hvc0'", "'a\\tb # c'"}),
        Map.entry("root", new String[]{"'/dev/xvda1'"}),
        Map.entry("extra", new String[]{"'quiet'"}),
        Map.entry("bios", new String[]{"'none'", "'builtin'", "'fw_jump.elf'", "''"}),
        Map.entry("class", new String[]{"'a.B'", "'io.example.Guest$Inner'", "'a..B'", "'1a'"}),
        Map.entry("classpath", new String[]{"[]", "[ 'lib/a.jar', '/opt/b' ]", "[ '' ]"}),
        Map.entry("disk", new String[]{"[ 'vdev=xvda, target=/a' ]", "[ 'vdev=hda, target=d.img', 'vdev=vda, target=/v', ]",
            "[ 'format=ram, vdev=xvdb, target=1M', 'vdev=xvdb, target=/b' ]", "[ 'vdev=sda, target=/s' ]", "[ 'xvdc' ]"}),
        Map.entry("vif", new String[]{"[ 'mac=00:16:3e:00:00:01' ]", "[ 'model=virtio', 'model=lan9118', 'type=vif' ]",
            "[ 'bridge=xenbr0, rate=10MB/s' ]", "[ '' ]", "[ 'rate=x' ]"}),
        Map.entry("on_poweroff", new String[]{"'destroy'", "'preserve'", "'coredump-destroy'"}),
        Map.entry("on_reboot", new String[]{"'restart'", "'rename-restart'"}),
        Map.entry("on_crash", new String[]{"'destroy'", "'restart'"}));
    private static final String[] TYPES = {"'pv'", "'hvm'", "'java'"};
    private static final String[] VALUES = {
        "0", "1", "2", "64", "150", "256", "0x200", "65535", "2049", "99999999999999999999", "010",
        "'g'", "\"web-1\"", "'a b'", "'pv'", "'hvm'", "'java'", "'pvh'", "'none'", "'builtin'", "'/k'", "'rel/k'", "''", "'a.B'",
        "'a..B'", "'destroy'", "'restart'", "'preserve'", "'rename-restart'", "'\\x41'", "\"a\\\"b\"", "'#'", "'\\t'",
        "'vdev=xvda, target=/a'", "'format=ram, vdev=xvdb, target=1M'", "'vdev=hda, target=d.img'", "'vdev=vda, target=/v'",
        "'vdev=xvda, target=b.img'", "'vdev=sda, target=/s'", "'xvdc'",
        "'mac=00:16:3e:00:00:01'", "'model=virtio'", "'model=lan9118'", "'type=vif'", "'bridge=xenbr0, rate=10MB/s'", "'rate=x'",
        "'mac=01:00:00:00:00:00'", "'lib/a.jar'",
    };
    /** Token-sized pieces: keys, punctuation, line ends, comments and values, one of them a bad escape. */
    private static final String[] WORDS = Stream.of(KEYS,
            new String[]{" = ", "=", "[", "]", ",", ";", "\n", "\n", "# comment\n", " ", "'\\q'"}, VALUES)
        .flatMap(Arrays::stream).toArray(String[]::new);

    /** What one run saw, for the summary line. */
    private int configs;
    private int errors;

    @Test
    void anyInputGivesAConfigOrOneErrorLine(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        final XlConfigReader reader = new XlConfigReader(XlConfigFixtures.WORKING_DIRECTORY, new SplittableRandom(seed.derive(1)));
        final List<byte[]> fixtures = new ArrayList<>();
        for (final String good : XlConfigFixtures.GOOD)
        {
            fixtures.add(good.getBytes(StandardCharsets.UTF_8));
        }
        final long start = System.nanoTime();
        for (int i = 0; i < INPUTS; i++)
        {
            final byte[] text = switch (i % 4)
            {
                case 0 -> randomBytes(random);
                case 1 -> randomText(random);
                case 2 -> statements(random, 1 + random.nextInt(12)).getBytes(StandardCharsets.UTF_8);
                default -> mutate(random, fixtures.get(random.nextInt(fixtures.size())));
            };
            final List<String> overrides = new ArrayList<>();
            if (i % 4 == 3 && random.nextInt(4) == 0)
            {
                for (int n = random.nextInt(3); n >= 0; n--)
                {
                    overrides.add(random.nextBoolean() ? statements(random, 1) : tokens(random, 1 + random.nextInt(6)));
                }
            }
            check(reader, i, text, overrides);
        }
        final long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("XlConfigFuzzTest: %d inputs (%s): %d configs, %d errors, in %d ms%n",
            INPUTS, seed, configs, errors, millis);
        assertTrue(configs > 0, "some mutations leave a good config: the mapping was reached");
        assertEquals(INPUTS, configs + errors);
    }

    private void check(final XlConfigReader reader, final int index, final byte[] text, final List<String> overrides)
    {
        final ConfigSource source = new ConfigSource(FILE, XlConfigFixtures.CONFIG_DIRECTORY);
        try
        {
            final XlConfig config;
            try
            {
                config = reader.read(source, text, overrides);
            }
            catch (final XlConfigException ex)
            {
                final String message = ex.getMessage();
                if (message.chars().anyMatch(c -> XlConfigException.isLineBreak((char)c)) ||
                    !(message.startsWith(FILE + ":") || message.startsWith(ConfigSource.COMMAND_LINE + ":")))
                {
                    throw new AssertionError("not one line naming the file: " + XlValue.quote(message));
                }
                errors++;
                return;
            }
            final String written = config.toString();
            assertEquals(config, reader.read(source, written.getBytes(StandardCharsets.UTF_8), List.of()), written);
            configs++;
        }
        catch (final Throwable failure)
        {
            throw new AssertionError("input " + index + " " + XlValue.quote(new String(text, StandardCharsets.ISO_8859_1)) +
                " with overrides " + overrides + ": " + failure, failure);
        }
    }

    private static byte[] randomBytes(final SplittableRandom random)
    {
        final byte[] bytes = new byte[random.nextInt(120)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] randomText(final SplittableRandom random)
    {
        final StringBuilder text = new StringBuilder();
        for (int n = random.nextInt(200); n > 0; n--)
        {
            text.append(CHARACTERS.charAt(random.nextInt(CHARACTERS.length())));
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code count} statements, often after a name and a type: keys mostly known and not repeated,
     * values mostly of the kind their key takes, now and then a stray word.
     */
    private static String statements(final SplittableRandom random, final int count)
    {
        final StringBuilder text = new StringBuilder();
        final List<String> keys = new ArrayList<>(PLAUSIBLE.keySet());
        if (random.nextBoolean())
        {
            text.append("name = 'g'\n");
            keys.remove("name");
        }
        if (random.nextBoolean())
        {
            text.append("type = ").append(TYPES[random.nextInt(TYPES.length)]).append('\n');
        }
        final boolean repeats = random.nextInt(4) == 0;
        for (int n = 0; n < count && (repeats || !keys.isEmpty()); n++)
        {
            final String key = repeats ? KEYS[random.nextInt(KEYS.length)] : keys.remove(random.nextInt(keys.size()));
            final String[] plausible = PLAUSIBLE.get(key);
            text.append(key).append(" = ");
            if (plausible != null && random.nextInt(4) != 0)
            {
                text.append(plausible[random.nextInt(plausible.length)]);
            }
            else if (random.nextInt(3) == 0)
            {
                text.append("[ ");
                for (int items = random.nextInt(4); items > 0; items--)
                {
                    text.append(VALUES[random.nextInt(VALUES.length)]).append(random.nextBoolean() ? ", " : ",\n  ");
                }
                text.append(']');
            }
            else
            {
                text.append(VALUES[random.nextInt(VALUES.length)]);
            }
            text.append(random.nextInt(4) == 0 ? "; " : "\n");
        }
        if (random.nextInt(8) == 0)
        {
            text.insert(random.nextInt(text.length() + 1), WORDS[random.nextInt(WORDS.length)]);
        }
        return text.toString();
    }

    private static String tokens(final SplittableRandom random, final int count)
    {
        final StringBuilder text = new StringBuilder();
        for (int n = 0; n < count; n++)
        {
            text.append(WORDS[random.nextInt(WORDS.length)]);
        }
        return text.toString();
    }

    /** One to four edits of a good file: a byte changed, a range dropped, words inserted, lines swapped or doubled. */
    private static byte[] mutate(final SplittableRandom random, final byte[] good)
    {
        byte[] text = good.clone();
        for (int edits = 1 + random.nextInt(4); edits > 0 && text.length > 0; edits--)
        {
            final int at = random.nextInt(text.length);
            text = switch (random.nextInt(5))
            {
                case 0 ->
                {
                    text[at] = (byte)(random.nextInt(4) == 0 ? random.nextInt(256) : CHARACTERS.charAt(random.nextInt(CHARACTERS.length())));
                    yield text;
                }
                case 1 -> splice(text, at, Math.min(text.length, at + 1 + random.nextInt(12)), new byte[0]);
                case 2 -> splice(text, at, at, tokens(random, 1 + random.nextInt(3)).getBytes(StandardCharsets.UTF_8));
                case 3 -> moveLine(random, text, false);
                default -> moveLine(random, text, true);
            };
        }
        return text;
    }

    private static byte[] splice(final byte[] text, final int from, final int to, final byte[] insert)
    {
        final byte[] result = new byte[text.length - (to - from) + insert.length];
        System.arraycopy(text, 0, result, 0, from);
        System.arraycopy(insert, 0, result, from, insert.length);
        System.arraycopy(text, to, result, from + insert.length, text.length - to);
        return result;
    }

    /** A random line copied (kept) or moved (dropped at its place) to another line start. */
    private static byte[] moveLine(final SplittableRandom random, final byte[] text, final boolean keep)
    {
        final String[] lines = new String(text, StandardCharsets.ISO_8859_1).split("\n", -1);
        final List<String> result = new ArrayList<>(List.of(lines));
        final int from = random.nextInt(lines.length);
        final String line = keep ? result.get(from) : result.remove(from);
        result.add(random.nextInt(result.size() + 1), line);
        return String.join("\n", result).getBytes(StandardCharsets.ISO_8859_1);
    }
}
