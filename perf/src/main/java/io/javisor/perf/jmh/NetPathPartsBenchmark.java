package io.javisor.perf.jmh;

import io.javisor.core.Domain;
import io.javisor.core.DomainConfig;
import io.javisor.core.Hypervisor;
import io.javisor.core.HypervisorConfig;
import io.javisor.memory.GrantCopy;
import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantStatus;
import io.javisor.netback.bridge.Bridge;
import io.javisor.netback.bridge.BridgePort;
import io.javisor.perf.net.NetRig;
import io.javisor.ringio.DomainResources;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * The pieces the network back end does per frame, each on its own and on one thread (no
 * cross-core traffic: the cost of the instructions, locks and atomics alone), to set against the
 * per-frame time of the whole path ({@link NetForwardingBenchmark}, {@code javisor bench net}):
 * <ul>
 * <li>{@link #grantCopyFromGuest}: dom0's {@code GrantMapper.copy} of a frame out of a guest's
 * read-only grant into a dom0 frame (the transmit side's copy);</li>
 * <li>{@link #grantCopyToGuest}: the same into a guest's writable grant (the receive side's);</li>
 * <li>{@link #bridgeForward}: {@code Bridge.forward} of a frame between two learned ports whose
 * delivery does nothing;</li>
 * <li>{@link #plainCopy}: the bytes alone, an {@code UnsafeBuffer} to {@code UnsafeBuffer} copy;</li>
 * <li>{@link #fullFence}: one {@code VarHandle.fullFence()}, what every ring push pays.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NetPathPartsBenchmark
{
    @Param({ "64", "1500" })
    public int frameSize;

    private Hypervisor hypervisor;
    private GrantMapper dom0Mapper;
    private int guestDomid;
    private int dom0Gpfn;
    private final GrantCopy copyIn = new GrantCopy();
    private final GrantCopy copyOut = new GrantCopy();
    private Bridge bridge;
    private int portA;
    private UnsafeBuffer frameAB;
    private UnsafeBuffer source;
    private UnsafeBuffer target;
    private long now;

    @Setup(Level.Trial)
    public void setUp()
    {
        hypervisor = new Hypervisor(HypervisorConfig.defaults().withMachineMemoryMiB(64));
        final Domain guest = hypervisor.createDomain(DomainConfig.pv("parts", 8));
        final DomainResources g = guest.resources();
        final DomainResources dom0 = hypervisor.dom0().resources();
        guestDomid = guest.id();
        final long txPage = g.pages().allocate();
        final long rxPage = g.pages().allocate();
        final int txRef = g.grantReferences().claim();
        final int rxRef = g.grantReferences().claim();
        g.grantTable().grantAccess(txRef, Hypervisor.DOM0, txPage, true);
        g.grantTable().grantAccess(rxRef, Hypervisor.DOM0, rxPage, false);
        dom0Gpfn = (int)dom0.pages().allocate();
        dom0Mapper = dom0.grantMapper();
        final UnsafeBuffer txView = new UnsafeBuffer(0, 0);
        g.memory().wrapFrame(txPage, txView);
        txView.setMemory(0, txView.capacity(), (byte)7);
        copyIn.sourceGrant(guestDomid, txRef, 0).destLocal(dom0Gpfn, 0).length(frameSize);
        copyOut.sourceLocal(dom0Gpfn, 0).destGrant(guestDomid, rxRef, 0).length(frameSize);
        if (dom0Mapper.copy(copyIn) != GrantStatus.OKAY || dom0Mapper.copy(copyOut) != GrantStatus.OKAY)
        {
            throw new IllegalStateException("grant copy failed");
        }

        bridge = new Bridge("parts");
        portA = bridge.attach(new NullPort("a"));
        final int portB = bridge.attach(new NullPort("b"));
        frameAB = NetRig.frame(NetRig.MAC_B, NetRig.MAC_A, frameSize);
        final UnsafeBuffer frameBA = NetRig.frame(NetRig.MAC_A, NetRig.MAC_B, frameSize);
        now = System.nanoTime();
        bridge.forward(portB, frameBA, 0, frameSize, now); // the bridge learns B's port
        source = NetRig.frame(NetRig.MAC_B, NetRig.MAC_A, frameSize);
        target = NetRig.frame(NetRig.MAC_B, NetRig.MAC_A, frameSize);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        hypervisor.close();
    }

    @Benchmark
    public int grantCopyFromGuest()
    {
        return dom0Mapper.copy(copyIn);
    }

    @Benchmark
    public int grantCopyToGuest()
    {
        return dom0Mapper.copy(copyOut);
    }

    @Benchmark
    public int bridgeForward()
    {
        return bridge.forward(portA, frameAB, 0, frameSize, now);
    }

    @Benchmark
    public UnsafeBuffer plainCopy()
    {
        target.putBytes(0, source, 0, frameSize);
        return target;
    }

    @Benchmark
    public void fullFence()
    {
        VarHandle.fullFence();
    }

    /** A port that takes every frame and does nothing with it. */
    private record NullPort(String name) implements BridgePort
    {
        @Override
        public boolean deliver(final DirectBuffer frame, final int offset, final int length)
        {
            return true;
        }
    }
}
