/**
 * The bridge: an L2 learning switch joining the vifs of guests, as xl's {@code bridge=xenbr0}
 * joins them on a Linux host. {@link io.javisor.netback.bridge.Bridges} names the bridges,
 * {@link io.javisor.netback.bridge.Bridge} switches frames between the
 * {@link io.javisor.netback.bridge.BridgePort}s attached to it.
 */
package io.javisor.netback.bridge;
