package io.javisor.core.driver;

import io.javisor.netback.spec.VifSpec;

/**
 * One virtual network interface a driver domain serves: the front end's domain and vif handle, and
 * the vif spec it was attached with (its MAC, the bridge inside the driver domain it is switched on,
 * and its rate limits), crossing the channel as the spec's canonical text.
 */
public record DriverVifSpec(int frontendDomid, int handle, VifSpec spec)
{
    /** The MAC address as text, as xenstore holds it. */
    public String mac()
    {
        return spec.macText();
    }

    public String bridge()
    {
        return spec.bridge();
    }
}
