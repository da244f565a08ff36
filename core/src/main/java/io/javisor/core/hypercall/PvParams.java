package io.javisor.core.hypercall;

/**
 * What a domain's guest code finds through the parameter query (as Xen's HVM params): the frames
 * of its xenstore and console ring pages (guest-physical frame numbers) and its ports bound to
 * xenstore and to the console back end. Immutable; set up by the domain builder.
 */
public record PvParams(long storePfn, int storePort, long consolePfn, int consolePort)
{
}
