package io.javisor.core.driver;

import java.nio.file.Path;

/**
 * One virtual block device a driver domain serves: the front end's domain and device id, the raw
 * image the driver domain opens itself, and whether the device is read-only.
 */
public record DriverVbdSpec(int frontendDomid, int deviceId, Path image, boolean readOnly)
{
}
