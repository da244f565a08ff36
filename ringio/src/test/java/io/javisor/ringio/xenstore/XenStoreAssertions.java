package io.javisor.ringio.xenstore;

import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

final class XenStoreAssertions
{
    private XenStoreAssertions()
    {
    }

    static void assertFails(final XenStoreError expected, final Executable operation)
    {
        final XenStoreException ex = assertThrows(XenStoreException.class, operation);
        assertEquals(expected, ex.error(), ex.getMessage());
    }
}
