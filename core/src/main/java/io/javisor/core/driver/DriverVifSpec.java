package io.javisor.core.driver;

/**
 * One virtual network interface a driver domain serves: the front end's domain and vif handle, its
 * MAC address (as text, as xenstore holds it) and the bridge, inside the driver domain, it is switched on.
 */
public record DriverVifSpec(int frontendDomid, int handle, String mac, String bridge)
{
}
