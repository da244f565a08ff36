package io.javisor.netback.bridge;

import io.javisor.netback.spec.MacAddress;
import io.javisor.netback.wire.EthernetDescriptor;

import org.agrona.DirectBuffer;

/**
 * A port that counts what it is given and remembers the last frame's addresses, allocation-free;
 * it can be told to refuse. Single-threaded, like the forwarding thread that feeds it.
 */
class TestPort implements BridgePort
{
    private final String name;
    boolean refuse;
    int offered;
    int accepted;
    long lastDestination = -1;
    long lastSource = -1;
    int lastLength = -1;

    TestPort(final String name)
    {
        this.name = name;
    }

    @Override
    public boolean deliver(final DirectBuffer frame, final int offset, final int length)
    {
        offered++;
        if (refuse)
        {
            return false;
        }
        accepted++;
        lastDestination = MacAddress.read(frame, offset);
        lastSource = MacAddress.read(frame, offset + EthernetDescriptor.ADDRESS_LENGTH);
        lastLength = length;
        return true;
    }

    @Override
    public String name()
    {
        return name;
    }

    void reset()
    {
        offered = 0;
        accepted = 0;
        lastDestination = -1;
        lastSource = -1;
        lastLength = -1;
    }
}
