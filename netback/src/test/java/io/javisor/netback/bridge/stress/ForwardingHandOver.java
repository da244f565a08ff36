package io.javisor.netback.bridge.stress;

import io.javisor.netback.bridge.Bridge;

import org.agrona.DirectBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

import static io.javisor.netback.bridge.stress.BridgeFixture.FRAME_LENGTH;
import static io.javisor.netback.bridge.stress.BridgeFixture.MAC_A;
import static io.javisor.netback.bridge.stress.BridgeFixture.MAC_B;
import static io.javisor.netback.bridge.stress.BridgeFixture.MAC_C;
import static io.javisor.netback.bridge.stress.BridgeFixture.frame;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The hand-over of {@link Bridge}'s forwarding role never strands work: a frame or command queued
 * while the holder gives the role up is served, by the holder or by the thread that queued it,
 * and a frame is delivered exactly once.
 * <p>
 * This is a Dekker pattern. A sender that finds the role held stores the frame into the queue (a
 * CAS of the ring buffer's tail), then reads the holder again and, if it is null, takes the role
 * and drains the queue. The holder, giving up, stores null (volatile), then reads the queues and,
 * if they are not empty, takes the role back. Both are volatile accesses, totally ordered, so at
 * least one side sees the other's store. Were either side's load to move before its store (a
 * plain or release store where a volatile one is needed), both could miss each other: the frame
 * would stay queued with nobody holding the role, outcome 0 deliveries.
 * <p>
 * The holder is either an actor that takes the free role in {@link Bridge#serve} (one duty cycle)
 * and gives it up in {@link Bridge#releaseForwarding}, as a network back-end agent does from its
 * first duty cycle to its close, or, with no agent, a sender that finds the role free and holds
 * it for its own {@link Bridge#forward}. The arbiter also checks that the role is free at the end.
 * <p>
 * Two actors per test: jcstress 0.16 does not schedule a test with more actors than CPUs, and
 * the suite must run on two cores.
 */
public final class ForwardingHandOver
{
    private ForwardingHandOver()
    {
    }

    @JCStressTest
    @Description("A holder releasing the role against a sender forwarding A -> B: B gets the frame once.")
    @Outcome(id = "1, 1, 2, 1", expect = ACCEPTABLE,
        desc = "The sender found the role free (before the holder's serve or after its release) and switched the frame itself.")
    @Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE,
        desc = "The sender queued the frame; the holder's last duty cycle (or its re-check after the release) switched it.")
    @Outcome(id = "1, 0, 2, 1", expect = ACCEPTABLE,
        desc = "The sender queued the frame; the holder released without seeing it; the sender's re-check took the role and switched it.")
    @Outcome(id = "0, .*", expect = FORBIDDEN,
        desc = "Stranded: the frame stayed queued with nobody holding the role.")
    @Outcome(expect = FORBIDDEN, desc = "Delivered twice, on an unknown thread, or the role left held.")
    @State
    public static class ReleaseVersusSender
    {
        private final BridgeFixture fixture = new BridgeFixture();
        private final DirectBuffer frame = frame(MAC_B, MAC_A);
        private Thread holder;
        private Thread sender;

        @Actor
        public void holder()
        {
            holder = Thread.currentThread();
            fixture.bridge.serve(fixture.now);
            fixture.bridge.releaseForwarding();
        }

        @Actor
        public void sender(final IIII_Result r)
        {
            sender = Thread.currentThread();
            r.r2 = fixture.bridge.forward(fixture.aNo, frame, 0, FRAME_LENGTH, fixture.now);
        }

        @Arbiter
        public void settled(final IIII_Result r)
        {
            final Thread deliveredOn = fixture.b.deliveredOn;
            r.r1 = fixture.b.delivered;
            r.r3 = deliveredOn == holder ? 1 : deliveredOn == sender ? 2 : 0;
            r.r4 = fixture.roleIsFree() ? 1 : 0;
        }
    }

    @JCStressTest
    @Description("Two senders (A -> B, C -> B) and no agent: each may find the role free, take it, switch its frame, " +
        "drain the queue and release, while the other queues. B gets each frame once.")
    @Outcome(id = "2, 1, 1, 1", expect = ACCEPTABLE,
        desc = "One after the other: each sender found the role free and switched its own frame.")
    @Outcome(id = "2, 1, 0, 1", expect = ACCEPTABLE,
        desc = "C queued while A held the role; A's drain, or C's re-check after A's release, switched it.")
    @Outcome(id = "2, 0, 1, 1", expect = ACCEPTABLE,
        desc = "A queued while C held the role; C's drain, or A's re-check after C's release, switched it.")
    @Outcome(id = "[01], .*", expect = FORBIDDEN,
        desc = "Stranded: a frame stayed queued with nobody holding the role.")
    @Outcome(expect = FORBIDDEN, desc = "A frame delivered twice, both queued with none switched, or the role left held.")
    @State
    public static class SenderVersusSender
    {
        private final BridgeFixture fixture = new BridgeFixture();
        private final DirectBuffer fromA = frame(MAC_B, MAC_A);
        private final DirectBuffer fromC = frame(MAC_B, MAC_C);
        private final int cNo = fixture.bridge.attach(new BridgeFixture.CountingPort("c"));

        @Actor
        public void senderA(final IIII_Result r)
        {
            r.r2 = fixture.bridge.forward(fixture.aNo, fromA, 0, FRAME_LENGTH, fixture.now);
        }

        @Actor
        public void senderC(final IIII_Result r)
        {
            r.r3 = fixture.bridge.forward(cNo, fromC, 0, FRAME_LENGTH, fixture.now);
        }

        @Arbiter
        public void settled(final IIII_Result r)
        {
            r.r1 = fixture.b.delivered;
            r.r4 = fixture.roleIsFree() ? 1 : 0;
        }
    }

    @JCStressTest
    @Description("A holder releasing the role against an attach through the command queue: executed once, acknowledged.")
    @Outcome(id = "3, 3, 1", expect = ACCEPTABLE,
        desc = "The attach ran (by the holder, or by the control thread once the role was free) and returned port 3.")
    @Outcome(id = "-1, .*", expect = FORBIDDEN,
        desc = "Stranded: the command was not acknowledged within Bridge.COMMAND_TIMEOUT_NANOS.")
    @Outcome(expect = FORBIDDEN, desc = "The attach ran twice or not at all, or the role left held.")
    @State
    public static class ReleaseVersusAttach
    {
        private final BridgeFixture fixture = new BridgeFixture();
        private final BridgeFixture.CountingPort c = new BridgeFixture.CountingPort("c");

        @Actor
        public void holder()
        {
            fixture.bridge.serve(fixture.now);
            fixture.bridge.releaseForwarding();
        }

        @Actor
        public void control(final III_Result r)
        {
            try
            {
                r.r1 = fixture.bridge.attach(c);
            }
            catch (final IllegalStateException ex)
            {
                r.r1 = -1;
            }
        }

        @Arbiter
        public void settled(final III_Result r)
        {
            r.r2 = fixture.bridge.portCount();
            r.r3 = fixture.roleIsFree() ? 1 : 0;
        }
    }
}
