package io.javisor.ringio.event;

/**
 * Receives the ports found pending by {@link EventChannels#poll}.
 */
@FunctionalInterface
public interface EventHandler
{
    void onEvent(int port);
}
