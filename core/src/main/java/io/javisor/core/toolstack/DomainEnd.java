package io.javisor.core.toolstack;

import io.javisor.core.HvmGuest;
import io.javisor.core.toolstack.config.ShutdownAction;
import io.javisor.emulation.machine.MachineExit;

/**
 * A guest that ended, and what the toolstack did about it ({@link Toolstack#onDomainEnd}). Immutable.
 *
 * @param name        the domain's configured name
 * @param id          the id it had
 * @param exit        how its machine ended, or null for a Java guest
 * @param guest       its guest-code vCPU (statistics stay readable), or null for a Java guest
 * @param action      the configured action carried out
 * @param restartedAs the new domain's id after a restart, else -1
 */
public record DomainEnd(String name, int id, MachineExit exit, HvmGuest guest, ShutdownAction action, int restartedAs)
{
}
