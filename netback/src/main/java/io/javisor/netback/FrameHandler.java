package io.javisor.netback;

import org.agrona.DirectBuffer;

/**
 * Receives the Ethernet frames a {@link NetFront} takes off its receive ring. The buffer is only
 * valid during the call.
 */
@FunctionalInterface
public interface FrameHandler
{
    void onFrame(DirectBuffer frame, int offset, int length);
}
