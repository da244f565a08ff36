package io.javisor.emulation.hypercall;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ABI is written down twice, for the two sides: {@code guests/lib/xen-abi.h} for guest code and
 * {@link HypercallDescriptor} for the host. Every number of the Java side (EID, version, function
 * ids, parameters, shutdown reasons, domid self, errors) is in the header with the same value.
 */
class HypercallDescriptorTest
{
    private static final Pattern DEFINE = Pattern.compile(
        "^#define\\s+XEN_(\\w+)\\s+\\(?(-?(?:0x[0-9A-Fa-f]+|\\d+))L?\\)?\\s*(?:/\\*.*)?$");

    @Test
    void theCHeaderHasEveryNumberOfTheJavaDescriptorWithTheSameValue() throws Exception
    {
        final Map<String, Long> header = new HashMap<>();
        for (final String line : Files.readAllLines(Path.of("guests", "lib", "xen-abi.h")))
        {
            final Matcher m = DEFINE.matcher(line.strip());
            if (m.matches())
            {
                header.put(m.group(1), Long.decode(m.group(2)));
            }
        }
        int compared = 0;
        for (final Field field : HypercallDescriptor.class.getFields())
        {
            final String name = field.getName();
            if (!Modifier.isStatic(field.getModifiers()) || field.getType() == String.class ||
                name.startsWith("COPY_") || name.startsWith("EVTCHN_") || name.equals("OK") || name.endsWith("_MAX") ||
                name.endsWith("_BATCH") || name.endsWith("_PORTS"))
            {
                continue; // layouts and limits are documented in the header's comments, not as defines
            }
            final String cName = name.startsWith("FID_") ? name.substring(4) : name;
            final Long value = header.get(cName);
            assertNotNull(value, "xen-abi.h defines XEN_" + cName + " (" + name + ")");
            assertEquals(((Number)field.get(null)).longValue(), value.longValue(), name);
            compared++;
        }
        assertTrue(compared >= 30, "compared " + compared + " numbers");
    }
}
