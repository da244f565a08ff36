package io.javisor.core.toolstack.config;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of a config file as parsed, before any meaning is given to them: key to
 * {@link XlSetting}, in the order they were written, each key at most once. Immutable.
 */
public final class XlSettings
{
    private static final XlSettings EMPTY = new XlSettings(new LinkedHashMap<>());

    private final Map<String, XlSetting> byKey;

    private XlSettings(final LinkedHashMap<String, XlSetting> byKey)
    {
        this.byKey = Collections.unmodifiableMap(byKey);
    }

    public static XlSettings empty()
    {
        return EMPTY;
    }

    /**
     * Collects the settings of one source in order. Not thread-safe: one parser fills one builder.
     */
    static final class Builder
    {
        private final LinkedHashMap<String, XlSetting> byKey = new LinkedHashMap<>();

        /**
         * @throws XlConfigException naming both lines when the key is set already: xl takes the
         *                           last assignment silently, javisor refuses.
         */
        Builder add(final XlSetting setting)
        {
            final XlSetting earlier = byKey.putIfAbsent(setting.key(), setting);
            if (earlier != null)
            {
                throw setting.error("set again (first on " + earlier.where() +
                    "): xl would keep the last one, javisor refuses a key given twice");
            }
            return this;
        }

        XlSettings build()
        {
            return new XlSettings(new LinkedHashMap<>(byKey));
        }
    }

    /**
     * These settings with each of {@code overrides} replacing the setting of its key, or added
     * when there is none: as {@code xl create FILE KEY=VALUE...}, whose arguments come after the file.
     */
    public XlSettings overriddenBy(final XlSettings overrides)
    {
        final LinkedHashMap<String, XlSetting> copy = new LinkedHashMap<>(byKey);
        copy.putAll(overrides.byKey);
        return new XlSettings(copy);
    }

    /** The setting of {@code key}, or null. */
    public XlSetting get(final String key)
    {
        return byKey.get(key);
    }

    public boolean isEmpty()
    {
        return byKey.isEmpty();
    }

    /** In the order written (an override keeps the place of the setting it replaced). */
    public Collection<XlSetting> all()
    {
        return byKey.values();
    }

    /** Key to value, in the order written. */
    public Map<String, XlValue> values()
    {
        final LinkedHashMap<String, XlValue> values = new LinkedHashMap<>();
        byKey.forEach((key, setting) -> values.put(key, setting.value()));
        return Collections.unmodifiableMap(values);
    }

    /** The settings as xl.cfg statements on one line: {@code name = "a"; memory = 64}. */
    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder();
        for (final XlSetting setting : byKey.values())
        {
            text.append(text.isEmpty() ? "" : "; ").append(setting);
        }
        return text.toString();
    }
}
