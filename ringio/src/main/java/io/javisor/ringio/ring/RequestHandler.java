package io.javisor.ringio.ring;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Serves one request of a ring served by {@link RingServiceAgent}.
 */
@FunctionalInterface
public interface RequestHandler
{
    /**
     * @param request        the back end's private copy of the request: validate and use only this.
     * @param ring           the shared ring page, to write the response into.
     * @param responseOffset where the response entry goes; the handler writes every byte of it.
     */
    void onRequest(DirectBuffer request, MutableDirectBuffer ring, int responseOffset);
}
