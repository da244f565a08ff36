package io.javisor.netback.spec;

import io.javisor.ringio.xenstore.BackendName;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * One entry of an xl.cfg {@code vif = [ ... ]} list, in the syntax of xl-network-configuration(5):
 * comma-separated {@code key=value} pairs, every key optional, the empty string a valid spec.
 * <pre>
 *   mac=00:16:3e:12:34:56, bridge=xenbr0, rate=10MB/s
 *   bridge=xenbr1, rate=1GB/s@20ms, pps=100000, burst=1MB
 * </pre>
 * <ul>
 *   <li>{@code mac}: six hex byte pairs separated by ':' or '-'; a group (multicast) or all-zero
 *   address is refused, since no NIC may own one. Without it, a random address in Xen's OUI is
 *   drawn once, at parse time, and kept: {@link #toString()} writes it, so the guest keeps its
 *   MAC through a re-parse.</li>
 *   <li>{@code bridge}: default {@value #DEFAULT_BRIDGE}.</li>
 *   <li>{@code rate}: {@code RATE/s} or {@code RATE/s@INTERVAL}, as xl parses it. RATE is a decimal
 *   number with an optional K, M or G (powers of 1000, upper case only) and B for bytes or b for
 *   bits; a bit rate is divided by 8, rounding down. INTERVAL, the period at which xl's credit is
 *   replenished (default 50 ms), is a number with {@code s}, {@code ms} or {@code us}; a bare
 *   number is seconds, as in xl's parser (its manual says microseconds, its code reads seconds),
 *   and {@code m} or {@code u} without the {@code s} mean ms and us. The credit per interval is
 *   {@code bytes/s × interval / 1 s}, rounded down: {@code 1MB/s@20ms} gives 20,000 bytes every
 *   20,000 us. Unlike xl, the number is not capped at 2^32 − 1: any rate that fits 63 bits of
 *   bytes per second is taken.</li>
 *   <li>{@code ip}, {@code vifname}, {@code model}: kept as written, unused by javisor.
 *   {@code type}: {@code ioemu} or {@code vif}, kept, unused.</li>
 *   <li>javisor's own: {@code pps=N}, a limit of N packets per second; {@code burst=BYTES}, a
 *   one-time byte allowance on top of {@code rate} (a number with an optional K, M or G, powers
 *   of 1000, and an optional B).</li>
 *   <li>A key may be given once; an empty value means the default. Whitespace around keys, values
 *   and commas is ignored, and so are empty entries.</li>
 * </ul>
 * {@link #toString()} writes every given key in a canonical form that parses back to an equal spec.
 *
 * @param mac                 the guest's address, as {@link MacAddress} encodes it.
 * @param bridge              the bridge the vif joins.
 * @param rateBytesPerSecond  0 when unlimited.
 * @param rateIntervalMicros  the replenish interval; 0 exactly when the rate is.
 * @param ip                  as written, or null.
 * @param vifname             as written, or null.
 * @param model               as written, or null.
 * @param type                {@code ioemu}, {@code vif} or null.
 * @param pps                 packets per second; 0 when unlimited.
 * @param burst               one-time burst in bytes; 0 for none, and only with a rate.
 * @param backend             {@code backend=NAME}: the driver domain that serves it, or null for dom0.
 */
public record VifSpec(
    long mac,
    String bridge,
    long rateBytesPerSecond,
    long rateIntervalMicros,
    String ip,
    String vifname,
    String model,
    String type,
    long pps,
    long burst,
    String backend)
{
    public static final String DEFAULT_BRIDGE = "xenbr0";
    public static final long DEFAULT_RATE_INTERVAL_MICROS = 50_000;
    /** xl keeps the interval in a u32 of microseconds. */
    public static final long MAX_RATE_INTERVAL_MICROS = 0xFFFF_FFFFL;

    private static final long MICROS_PER_SECOND = 1_000_000;
    private static final String[] KEYS = {"mac", "bridge", "rate", "ip", "vifname", "model", "type", "pps", "burst", "backend"};
    private static final int MAC = 0;
    private static final int BRIDGE = 1;
    private static final int RATE = 2;
    private static final int IP = 3;
    private static final int VIFNAME = 4;
    private static final int MODEL = 5;
    private static final int TYPE = 6;
    private static final int PPS = 7;
    private static final int BURST = 8;
    private static final int BACKEND = 9;
    private static final long[] DECIMAL_UNITS = {1_000_000_000L, 1_000_000L, 1_000L};
    private static final String[] DECIMAL_PREFIXES = {"G", "M", "K"};

    public VifSpec
    {
        final String problem = problem(mac, bridge, rateBytesPerSecond, rateIntervalMicros, ip, vifname, model, type, pps, burst,
            backend);
        if (problem != null)
        {
            throw new IllegalArgumentException("bad vif spec: " + problem);
        }
    }

    /**
     * A spec that draws a missing MAC from a thread-local generator.
     *
     * @throws IllegalArgumentException with a one-line message naming the bad part.
     */
    public static VifSpec parse(final String spec)
    {
        return parse(spec, ThreadLocalRandom.current());
    }

    /**
     * @param random draws the MAC when {@code mac=} is absent.
     * @throws IllegalArgumentException with a one-line message naming the bad part.
     */
    public static VifSpec parse(final String spec, final RandomGenerator random)
    {
        if (spec == null)
        {
            throw new IllegalArgumentException("bad vif spec: null");
        }
        final String[] values = new String[KEYS.length];
        int from = 0;
        while (from <= spec.length())
        {
            final int comma = spec.indexOf(',', from);
            final int end = comma < 0 ? spec.length() : comma;
            final String token = spec.substring(from, end).strip();
            from = end + 1;
            if (token.isEmpty())
            {
                continue;
            }
            final int equals = token.indexOf('=');
            if (equals < 0)
            {
                throw bad(spec, "expected key=value, got '" + token + "'");
            }
            final String key = token.substring(0, equals).strip();
            final int slot = slotOf(key);
            if (slot < 0)
            {
                throw bad(spec, "unknown key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
            }
            if (values[slot] != null)
            {
                throw bad(spec, key + " given twice");
            }
            values[slot] = token.substring(equals + 1).strip();
        }

        final long mac = given(values[MAC]) ? parseMac(spec, values[MAC]) : MacAddress.randomXen(random);
        final String bridge = given(values[BRIDGE]) ? values[BRIDGE] : DEFAULT_BRIDGE;
        long bytesPerSecond = 0;
        long intervalMicros = 0;
        if (given(values[RATE]))
        {
            final String rate = values[RATE];
            final int at = rate.indexOf('@');
            bytesPerSecond = parseBytesPerSecond(spec, at < 0 ? rate : rate.substring(0, at));
            intervalMicros = at < 0 ? DEFAULT_RATE_INTERVAL_MICROS : parseIntervalMicros(spec, rate.substring(at + 1));
        }
        final long pps = given(values[PPS]) ? parseCount(spec, "pps", values[PPS], false) : 0;
        final long burst = given(values[BURST]) ? parseCount(spec, "burst", values[BURST], true) : 0;

        final String problem = problem(mac, bridge, bytesPerSecond, intervalMicros,
            orNull(values[IP]), orNull(values[VIFNAME]), orNull(values[MODEL]), orNull(values[TYPE]), pps, burst,
            orNull(values[BACKEND]));
        if (problem != null)
        {
            throw bad(spec, problem);
        }
        return new VifSpec(mac, bridge, bytesPerSecond, intervalMicros,
            orNull(values[IP]), orNull(values[VIFNAME]), orNull(values[MODEL]), orNull(values[TYPE]), pps, burst,
            orNull(values[BACKEND]));
    }

    private static long parseMac(final String spec, final String text)
    {
        try
        {
            return MacAddress.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw bad(spec, ex.getMessage());
        }
    }

    /**
     * xl's {@code ^[0-9]+[GMK]?[Bb]/s$}.
     */
    private static long parseBytesPerSecond(final String spec, final String text)
    {
        final String why = "rate '" + text + "' is not RATE/s with RATE like 100Mb/s or 10MB/s (K, M, G; B bytes, b bits)";
        if (!text.endsWith("/s"))
        {
            throw bad(spec, why);
        }
        int end = text.length() - 2;
        if (end < 1)
        {
            throw bad(spec, why);
        }
        final char unit = text.charAt(end - 1);
        if (unit != 'B' && unit != 'b')
        {
            throw bad(spec, why);
        }
        end--;
        final long multiplier = end > 0 ? decimalMultiplier(text.charAt(end - 1)) : 1;
        if (multiplier > 1)
        {
            end--;
        }
        final long number = parseDigits(text, 0, end);
        if (number < 0)
        {
            throw bad(spec, why);
        }
        if (number == 0)
        {
            throw bad(spec, "rate '" + text + "' is zero (leave rate= out for no limit)");
        }
        if (number > Long.MAX_VALUE / multiplier)
        {
            throw bad(spec, "rate '" + text + "' overflows");
        }
        final long rate = number * multiplier;
        final long bytes = unit == 'b' ? rate / 8 : rate;
        if (bytes == 0)
        {
            throw bad(spec, "rate '" + text + "' is less than one byte per second");
        }
        return bytes;
    }

    /**
     * xl's {@code ^[0-9]+[mu]?s?$}.
     */
    private static long parseIntervalMicros(final String spec, final String text)
    {
        final String why = "rate interval '" + text + "' is not a number with s, ms or us (e.g. @20ms)";
        int end = text.length();
        if (end > 0 && text.charAt(end - 1) == 's')
        {
            end--;
        }
        long unitMicros = MICROS_PER_SECOND;
        if (end > 0 && text.charAt(end - 1) == 'm')
        {
            unitMicros = 1_000;
            end--;
        }
        else if (end > 0 && text.charAt(end - 1) == 'u')
        {
            unitMicros = 1;
            end--;
        }
        final long number = parseDigits(text, 0, end);
        if (number < 0)
        {
            throw bad(spec, why);
        }
        if (number == 0 || number > MAX_RATE_INTERVAL_MICROS / unitMicros)
        {
            throw bad(spec, "rate interval '" + text + "' is not between 1us and " + MAX_RATE_INTERVAL_MICROS + "us");
        }
        return number * unitMicros;
    }

    /**
     * A positive decimal number; with {@code units}, an optional K, M or G and an optional B.
     */
    private static long parseCount(final String spec, final String key, final String text, final boolean units)
    {
        int end = text.length();
        long multiplier = 1;
        if (units)
        {
            if (end > 0 && text.charAt(end - 1) == 'B')
            {
                end--;
            }
            if (end > 0 && decimalMultiplier(text.charAt(end - 1)) > 1)
            {
                multiplier = decimalMultiplier(text.charAt(end - 1));
                end--;
            }
        }
        final long number = parseDigits(text, 0, end);
        if (number <= 0 || number > Long.MAX_VALUE / multiplier)
        {
            throw bad(spec, key + " '" + text + "' is not a positive number" + (units ? " of bytes (e.g. 64K, 1MB)" : ""));
        }
        return number * multiplier;
    }

    private static long decimalMultiplier(final char prefix)
    {
        return switch (prefix)
        {
            case 'K' -> 1_000L;
            case 'M' -> 1_000_000L;
            case 'G' -> 1_000_000_000L;
            default -> 1;
        };
    }

    /**
     * The ASCII decimal number in {@code text[from, to)}, or −1 when it is empty, holds anything
     * but digits, or overflows a long.
     */
    private static long parseDigits(final String text, final int from, final int to)
    {
        if (to <= from)
        {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9' || value > (Long.MAX_VALUE - (c - '0')) / 10)
            {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static int slotOf(final String key)
    {
        for (int i = 0; i < KEYS.length; i++)
        {
            if (KEYS[i].equals(key))
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean given(final String value)
    {
        return value != null && !value.isEmpty();
    }

    private static String orNull(final String value)
    {
        return given(value) ? value : null;
    }

    private static String problem(
        final long mac, final String bridge, final long rateBytesPerSecond, final long rateIntervalMicros,
        final String ip, final String vifname, final String model, final String type, final long pps, final long burst,
        final String backend)
    {
        if (backend != null && !BackendName.isValid(backend))
        {
            return "backend '" + backend + "' " + BackendName.RULE;
        }
        if (!MacAddress.isValidUnicast(mac))
        {
            return "mac " + ((mac & ~MacAddress.MASK) != 0 ? Long.toHexString(mac) : MacAddress.toString(mac)) +
                " is not a unicast address a vif can own";
        }
        String problem = textProblem("bridge", bridge);
        if (problem == null && bridge == null)
        {
            problem = "no bridge";
        }
        if (problem == null)
        {
            problem = textProblem("ip", ip);
        }
        if (problem == null)
        {
            problem = textProblem("vifname", vifname);
        }
        if (problem == null)
        {
            problem = textProblem("model", model);
        }
        if (problem != null)
        {
            return problem;
        }
        if (type != null && !type.equals("ioemu") && !type.equals("vif"))
        {
            return "type '" + type + "' is not ioemu or vif";
        }
        if (rateBytesPerSecond < 0 || rateIntervalMicros < 0 || (rateBytesPerSecond == 0) != (rateIntervalMicros == 0))
        {
            return "rate of " + rateBytesPerSecond + " bytes/s every " + rateIntervalMicros + "us: both or neither must be positive";
        }
        if (rateIntervalMicros > MAX_RATE_INTERVAL_MICROS)
        {
            return "rate interval " + rateIntervalMicros + "us is over " + MAX_RATE_INTERVAL_MICROS + "us";
        }
        if (rateBytesPerSecond > 0 && Math.multiplyHigh(rateBytesPerSecond, rateIntervalMicros) != 0 ||
            rateBytesPerSecond * rateIntervalMicros < 0)
        {
            return "rate of " + rateBytesPerSecond + " bytes/s every " + rateIntervalMicros + "us overflows";
        }
        if (rateBytesPerSecond > 0 && rateBytesPerSecond * rateIntervalMicros < MICROS_PER_SECOND)
        {
            return "rate of " + rateBytesPerSecond + " bytes/s gives no whole byte every " + rateIntervalMicros + "us";
        }
        if (pps < 0)
        {
            return "pps " + pps + " is negative";
        }
        if (burst < 0)
        {
            return "burst " + burst + " is negative";
        }
        if (burst > 0 && rateBytesPerSecond == 0)
        {
            return "burst= needs rate= (it is a one-time allowance on top of the byte rate)";
        }
        return null;
    }

    /**
     * Free text must survive {@link #toString()}: no commas, nothing that would be stripped.
     */
    private static String textProblem(final String key, final String value)
    {
        if (value == null)
        {
            return null;
        }
        if (value.isEmpty() || !value.strip().equals(value) || value.indexOf(',') >= 0 || value.indexOf('=') >= 0 ||
            value.chars().anyMatch(Character::isISOControl))
        {
            return key + " '" + oneLine(value) + "' is empty or holds ',', '=', a control character or edge whitespace";
        }
        return null;
    }

    private static IllegalArgumentException bad(final String spec, final String why)
    {
        return new IllegalArgumentException("bad vif spec '" + oneLine(spec) + "': " + why);
    }

    private static String oneLine(final String text)
    {
        final StringBuilder line = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            line.append(Character.isISOControl(c) ? '?' : c);
        }
        return line.toString();
    }

    /**
     * A rate limit is set.
     */
    public boolean hasRate()
    {
        return rateBytesPerSecond > 0;
    }

    /**
     * xl's credit: the bytes that may be sent per {@link #rateIntervalMicros()}, rounded down;
     * 0 when unlimited.
     */
    public long rateBytesPerInterval()
    {
        return rateBytesPerSecond * rateIntervalMicros / MICROS_PER_SECOND;
    }

    /**
     * The back end's xenstore {@code rate} value, {@code "BYTES,USEC"} (bytes per interval,
     * interval in microseconds), as libxl writes it; null when unlimited.
     */
    public String xenstoreRate()
    {
        return hasRate() ? rateBytesPerInterval() + "," + rateIntervalMicros : null;
    }

    /**
     * The rate in the canonical form {@code NxB/s[@I(s|ms|us)]}: the largest of G, M, K that
     * divides the byte rate exactly, the interval left out when it is the 50 ms default.
     */
    public String rate()
    {
        if (!hasRate())
        {
            return null;
        }
        final StringBuilder text = new StringBuilder();
        appendDecimal(text, rateBytesPerSecond);
        text.append("B/s");
        if (rateIntervalMicros != DEFAULT_RATE_INTERVAL_MICROS)
        {
            text.append('@');
            if (rateIntervalMicros % MICROS_PER_SECOND == 0)
            {
                text.append(rateIntervalMicros / MICROS_PER_SECOND).append('s');
            }
            else if (rateIntervalMicros % 1_000 == 0)
            {
                text.append(rateIntervalMicros / 1_000).append("ms");
            }
            else
            {
                text.append(rateIntervalMicros).append("us");
            }
        }
        return text.toString();
    }

    private static void appendDecimal(final StringBuilder text, final long value)
    {
        for (int i = 0; i < DECIMAL_UNITS.length; i++)
        {
            if (value % DECIMAL_UNITS[i] == 0)
            {
                text.append(value / DECIMAL_UNITS[i]).append(DECIMAL_PREFIXES[i]);
                return;
            }
        }
        text.append(value);
    }

    /**
     * The MAC in lower-case colon form.
     */
    public String macText()
    {
        return MacAddress.toString(mac);
    }

    /**
     * Every set key, mac first: {@code mac=00:16:3e:12:34:56, bridge=xenbr0, rate=10MB/s}.
     */
    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder(96);
        text.append("mac=").append(macText()).append(", bridge=").append(bridge);
        if (hasRate())
        {
            text.append(", rate=").append(rate());
        }
        append(text, "ip", ip);
        append(text, "vifname", vifname);
        append(text, "model", model);
        append(text, "type", type);
        if (pps > 0)
        {
            text.append(", pps=").append(pps);
        }
        if (burst > 0)
        {
            text.append(", burst=").append(burst);
        }
        append(text, "backend", backend);
        return text.toString();
    }

    private static void append(final StringBuilder text, final String key, final String value)
    {
        if (value != null)
        {
            text.append(", ").append(key).append('=').append(value);
        }
    }
}
