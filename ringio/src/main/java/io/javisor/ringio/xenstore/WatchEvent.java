package io.javisor.ringio.xenstore;

/**
 * An event waiting to be delivered to a watch.
 *
 * @param watch the watch that fired.
 * @param path  the path to report.
 */
record WatchEvent(Watch watch, String path)
{
}
