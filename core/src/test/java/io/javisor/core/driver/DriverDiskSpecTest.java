package io.javisor.core.driver;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DriverDiskSpecTest
{
    @Test
    void theBackendKeyIsTakenOutAndTheRestIsAnXlDiskSpec()
    {
        final DriverDiskSpec spec = DriverDiskSpec.parse("backend=storage, format=raw, vdev=xvdb, access=ro, target=/srv/a,b.img");
        assertEquals("storage", spec.backend());
        assertEquals("xvdb", spec.disk().vdev());
        assertTrue(spec.disk().readOnly());
        assertEquals(Path.of("/srv/a,b.img"), spec.disk().targetPath());
        assertEquals("storage", DriverDiskSpec.parse("format=raw, vdev=xvda, backend=storage, target=/x.img").backend());
    }

    @Test
    void badSpecsAreOneLineNamingTheProblem()
    {
        assertEquals("bad disk spec 'format=raw, vdev=xvda, target=/x.img': no backend (the driver domain's name, e.g. backend=storage)",
            assertThrows(IllegalArgumentException.class, () -> DriverDiskSpec.parse("format=raw, vdev=xvda, target=/x.img")).getMessage());
        assertEquals("bad disk spec 'backend=a, backend=b, vdev=xvda, target=/x.img': backend given twice",
            assertThrows(IllegalArgumentException.class,
                () -> DriverDiskSpec.parse("backend=a, backend=b, vdev=xvda, target=/x.img")).getMessage());
        assertEquals("bad disk spec 'backend=a, format=ram, vdev=xvda, target=64M': a driver domain serves raw images only, not ram",
            assertThrows(IllegalArgumentException.class,
                () -> DriverDiskSpec.parse("backend=a, format=ram, vdev=xvda, target=64M")).getMessage());
        assertEquals("bad disk spec 'backend=a, format=raw, target=/x.img': no vdev (the guest's device name, e.g. vdev=xvda)",
            assertThrows(IllegalArgumentException.class, () -> DriverDiskSpec.parse("backend=a, format=raw, target=/x.img")).getMessage());
    }
}
