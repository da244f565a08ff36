package io.javisor.emulation.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * A RAM image (handlers, subroutines, many regions' code, data) and the regions to run on it,
 * back to back, on the same two machines: the code pages stay put between regions, so a
 * translator compiles a page once for all the regions in it.
 */
final class FuzzImage
{
    final String name;
    final byte[] ram = new byte[FuzzLayout.RAM_SIZE];
    final byte[] device = new byte[ScratchDevice.REGISTERS];
    final List<Region> regions = new ArrayList<>();

    FuzzImage(final String name)
    {
        this.name = name;
    }
}
