/**
 * Device models in a process of their own (a stub domain, as Xen's {@code device_model_stubdomain_override}):
 * the vCPU side's {@link io.javisor.emulation.device.remote.RemoteDeviceModels} maps one proxy
 * {@link io.javisor.emulation.device.remote.RemoteWindow} per register window of the models on the
 * guest's platform bus, and every access crosses a Unix domain socket ({@link io.javisor.emulation.device.remote.StubProtocol})
 * to the stub side's {@link io.javisor.emulation.device.remote.StubDeviceHost}, which runs the real
 * models and answers with the value and its interrupt lines. Virtio models run there too, on the stub's
 * mapping of exactly its guest's RAM ({@link io.javisor.emulation.device.remote.MappedGuestRam}). A stub that dies, fails or answers
 * garbage ends its guest with a {@link io.javisor.emulation.device.remote.StubDomainException}, and
 * nothing else.
 */
package io.javisor.emulation.device.remote;
