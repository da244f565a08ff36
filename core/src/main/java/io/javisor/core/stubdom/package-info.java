/**
 * Stub domains: an HVM guest's emulated device models in a process of their own
 * ({@code device_model_stubdomain_override = 1}). {@link io.javisor.core.stubdom.StubDomain} starts
 * and supervises the process for one guest and owns its channel; the device side of the channel is
 * {@link io.javisor.emulation.device.remote}.
 */
package io.javisor.core.stubdom;
