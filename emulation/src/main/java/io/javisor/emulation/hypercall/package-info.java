/**
 * javisor's hypercall ABI for RISC-V guests: an SBI firmware-specific extension whose numbers are
 * {@link io.javisor.emulation.hypercall.HypercallDescriptor}, answered through
 * {@link io.javisor.emulation.hypercall.Hypercalls}, which the hypervisor (module {@code core})
 * implements for each domain. The C side is {@code emulation/guests/lib/xen-abi.h}.
 */
package io.javisor.emulation.hypercall;
