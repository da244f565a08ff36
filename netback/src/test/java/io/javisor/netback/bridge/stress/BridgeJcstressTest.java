package io.javisor.netback.bridge.stress;

import io.javisor.netback.bridge.Bridge;
import io.javisor.ringio.testing.JcstressRun;

import org.junit.jupiter.api.Test;

/**
 * Runs {@link ForwardingHandOver}'s jcstress tests in a child JVM as part of {@code mvn test};
 * fails if any saw a forbidden outcome or could not run (see {@link JcstressRun}).
 * <p>
 * Every sample builds a bridge, and with it a 1 MiB direct frame queue: the strides stay small so
 * a stride's bridges fit the forked VMs' direct memory.
 * <p>
 * The run has teeth: against a Bridge whose {@code forward} skipped the re-check after queueing,
 * ReleaseVersusSender and SenderVersusSender saw stranded frames in about 1% of their samples, in
 * every VM configuration. ReleaseVersusAttach cannot catch that mutant: a control thread waiting
 * for its acknowledgement keeps re-checking the role, so a command is never left behind silently.
 */
class BridgeJcstressTest
{
    @Test
    void forwardingRoleHandOverStrandsNothingUnderJcstress() throws Exception
    {
        final String handOver = ForwardingHandOver.class.getName();
        JcstressRun.of(BridgeJcstressTest.class)
            .expect(
                handOver + ".ReleaseVersusSender",
                handOver + ".SenderVersusSender",
                handOver + ".ReleaseVersusAttach")
            .snapshotPackageOf(Bridge.class)
            .timeMs(200)
            .iterations(3)
            .timeoutSeconds(300)
            .options("-strideSize", "32", "-strideCount", "2")
            .run();
    }
}
