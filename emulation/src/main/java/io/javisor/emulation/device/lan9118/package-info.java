/**
 * The emulated SMSC LAN9118 NIC, as Linux's {@code smsc911x} drives it:
 * {@link io.javisor.emulation.device.lan9118.Lan9118Descriptor} (registers, MAC CSRs, PHY, command and
 * status words), {@link io.javisor.emulation.device.lan9118.Lan9118Device} (the model, a port on a
 * netback {@link io.javisor.netback.bridge.Bridge}) and
 * {@link io.javisor.emulation.device.lan9118.Lan9118Statistics} (exits and frames). Register accesses
 * run on the vCPU thread; the bridge's forwarding thread only queues received frames.
 */
package io.javisor.emulation.device.lan9118;
