package io.javisor.core;

/**
 * How a guest may use an attached disk (xl.cfg {@code access=}).
 */
public enum DiskAccess
{
    READ_ONLY, READ_WRITE
}
