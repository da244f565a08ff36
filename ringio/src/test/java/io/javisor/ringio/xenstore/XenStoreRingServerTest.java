package io.javisor.ringio.xenstore;

import io.javisor.memory.testing.Seed;
import io.javisor.memory.testing.Seeded;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static io.javisor.ringio.xenstore.XenStoreRingDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The xenstore wire protocol served over a guest's ring page: requests made as the guest's domain,
 * replies echoing the request's ids, errors as Xen's names, watch events queued behind replies,
 * transactions by id, and a hostile guest's ring (indices more than a ring apart, oversized lengths,
 * random bytes) answered with errors or given up without an exception.
 */
@Seeded
class XenStoreRingServerTest
{
    private static final int GUEST = 7;

    private final XenStore store = new XenStore();
    private final UnsafeBuffer page = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final AtomicInteger wakes = new AtomicInteger();
    private XenStoreRingServer server;
    /** The guest's private indices. */
    private int reqProd;
    private int rspCons;

    /** A reply as the guest reads it. */
    private record Reply(int type, int reqId, int txId, byte[] payload)
    {
        String text()
        {
            return new String(payload, StandardCharsets.ISO_8859_1);
        }
    }

    @BeforeEach
    void setUp()
    {
        store.introduceDomain(GUEST);
        server = new XenStoreRingServer(store.connect(GUEST), page, wakes::incrementAndGet);
    }

    private void send(final int type, final int reqId, final int txId, final String payload)
    {
        final byte[] bytes = payload.getBytes(StandardCharsets.ISO_8859_1);
        final byte[] framed = new byte[HEADER_LENGTH + bytes.length];
        ByteBuffer.wrap(framed).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(reqId).putInt(txId)
            .putInt(bytes.length).put(bytes);
        for (final byte b : framed)
        {
            page.putByte(REQ_OFFSET + (reqProd++ & (RING_SIZE - 1)), b);
        }
        page.putIntVolatile(REQ_PROD_OFFSET, reqProd);
    }

    private byte[] take(final int n)
    {
        final byte[] out = new byte[n];
        for (int i = 0; i < n; i++)
        {
            out[i] = page.getByte(RSP_OFFSET + (rspCons++ & (RING_SIZE - 1)));
        }
        page.putIntVolatile(RSP_CONS_OFFSET, rspCons);
        return out;
    }

    private Reply reply()
    {
        assertTrue(page.getIntVolatile(RSP_PROD_OFFSET) - rspCons >= HEADER_LENGTH, "a reply is waiting");
        final ByteBuffer header = ByteBuffer.wrap(take(HEADER_LENGTH)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        final int type = header.getInt();
        final int reqId = header.getInt();
        final int txId = header.getInt();
        final int len = header.getInt();
        return new Reply(type, reqId, txId, take(len));
    }

    private Reply call(final int type, final int txId, final String payload)
    {
        send(type, 99, txId, payload);
        assertTrue(server.serve(), "the server moved");
        final Reply reply = reply();
        assertEquals(99, reply.reqId());
        assertEquals(txId, reply.txId());
        return reply;
    }

    @Test
    void readsAndWritesAreMadeAsTheGuestAndEchoTheRequestIds()
    {
        assertEquals("OK\0", call(XS_WRITE, 0, "data/x\0hello").text());
        assertEquals("hello", store.readString(GUEST, "/local/domain/7/data/x"));
        final Reply read = call(XS_READ, 0, "data/x\0");
        assertEquals(XS_READ, read.type());
        assertEquals("hello", read.text());
        assertEquals("x\0", call(XS_DIRECTORY, 0, "/local/domain/7/data\0").text());
        assertEquals("/local/domain/3\0", call(XS_GET_DOMAIN_PATH, 0, "3\0").text());
        final Reply denied = call(XS_READ, 0, "/local/domain/0/name\0");
        assertEquals(XS_ERROR, denied.type());
        assertTrue(denied.text().equals("EACCES\0") || denied.text().equals("ENOENT\0"), denied.text());
        assertEquals("ENOENT\0", call(XS_READ, 0, "data/nothing\0").text());
        assertEquals("EACCES\0", call(XS_INTRODUCE, 0, "8\0").text(), "no privileged requests");
        assertEquals("EINVAL\0", call(XS_READ, 0, "bad path!\0").text());
    }

    @Test
    void watchEventsFollowTheReplyThatCausedThem()
    {
        assertEquals("OK\0", call(XS_WATCH, 0, "data\0tok\0").text());
        final Reply first = reply();
        assertEquals(XS_WATCH_EVENT, first.type());
        assertEquals("data\0tok\0", first.text(), "a watch fires once when registered, relative as given");
        store.write(0, "/local/domain/7/data/y", "1");
        assertTrue(wakes.get() > 0, "an event from another thread wakes the server");
        assertTrue(server.serve());
        assertEquals("data/y\0tok\0", reply().text());
        assertEquals("OK\0", call(XS_UNWATCH, 0, "data\0tok\0").text());
        store.write(0, "/local/domain/7/data/z", "1");
        assertFalse(server.serve(), "no event after unwatch");
    }

    @Test
    void transactionsCommitByIdAndConflictsAreEagain()
    {
        final int tx = Integer.parseInt(call(XS_TRANSACTION_START, 0, "\0").text().replace("\0", ""));
        assertEquals("OK\0", call(XS_WRITE, tx, "data/t\0" + "1").text());
        assertEquals("ENOENT\0", call(XS_READ, 0, "data/t\0").text(), "invisible outside the transaction");
        assertEquals("OK\0", call(XS_TRANSACTION_END, tx, "T\0").text());
        assertEquals("1", store.readString(GUEST, "/local/domain/7/data/t"));

        final int second = Integer.parseInt(call(XS_TRANSACTION_START, 0, "\0").text().replace("\0", ""));
        assertEquals("1", call(XS_READ, second, "data/t\0").text());
        store.write(0, "/local/domain/7/data/t", "2");
        assertEquals("OK\0", call(XS_WRITE, second, "data/t\0" + "3").text());
        assertEquals("EAGAIN\0", call(XS_TRANSACTION_END, second, "T\0").text());
        assertEquals("2", store.readString(GUEST, "/local/domain/7/data/t"));
        assertEquals("ENOENT\0", call(XS_READ, second, "data/t\0").text(), "the ended id is gone");
        assertEquals("ENOENT\0", call(XS_READ, 12345, "data/t\0").text(), "an id never started");
    }

    @Test
    void aRequestLongerThanThePayloadLimitBreaksTheRingAndNothingElseIsServed()
    {
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putInt(XS_READ).putInt(1).putInt(0).putInt(PAYLOAD_MAX + 1);
        for (final byte b : header.array())
        {
            page.putByte(REQ_OFFSET + (reqProd++ & (RING_SIZE - 1)), b);
        }
        page.putIntVolatile(REQ_PROD_OFFSET, reqProd);
        assertFalse(server.serve());
        assertNotNull(server.brokenReason());
        send(XS_READ, 2, 0, "data\0");
        assertFalse(server.serve(), "a broken ring stays broken");
    }

    @Test
    void indicesMoreThanARingApartBreakTheRing()
    {
        page.putIntVolatile(REQ_PROD_OFFSET, RING_SIZE + 1);
        assertFalse(server.serve());
        assertTrue(server.brokenReason().contains("req_prod"), server.brokenReason());
    }

    @Test
    void aGuestThatReadsNoRepliesStopsBeingServedWithoutTheQueueGrowingBeyondItsBound()
    {
        for (int round = 0; round < 2000; round++)
        {
            // Keep the request ring fed while never consuming replies.
            if (RING_SIZE - (reqProd - page.getIntVolatile(REQ_CONS_OFFSET)) >= HEADER_LENGTH + 8)
            {
                send(XS_READ, round, 0, "data/q\0");
            }
            server.serve();
        }
        assertNull(server.brokenReason());
        final long served = server.requestsServed();
        assertTrue(served < (XenStoreRingServer.MAX_QUEUED_BYTES + 2 * RING_SIZE) / HEADER_LENGTH,
            "requests stop once replies back up: " + served);
        // Draining the replies lets it go on.
        int replies = 0;
        while (page.getIntVolatile(RSP_PROD_OFFSET) != rspCons)
        {
            reply();
            replies++;
            server.serve();
        }
        assertTrue(replies >= served, replies + " replies for " + served + " requests");
    }

    @Test
    void randomBytesOnTheRingNeverThrow(final Seed seed)
    {
        final SplittableRandom random = seed.splittableRandom();
        for (int round = 0; round < 5000; round++)
        {
            final int n = random.nextInt(64);
            for (int i = 0; i < n && reqProd - page.getIntVolatile(REQ_CONS_OFFSET) < RING_SIZE; i++)
            {
                // Mostly small types and lengths, so that many messages are complete and answered.
                final int b = random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(24);
                page.putByte(REQ_OFFSET + (reqProd++ & (RING_SIZE - 1)), (byte)b);
            }
            page.putIntVolatile(REQ_PROD_OFFSET, reqProd);
            if (random.nextInt(8) == 0)
            {
                page.putIntVolatile(RSP_CONS_OFFSET, random.nextInt());
            }
            else
            {
                page.putIntVolatile(RSP_CONS_OFFSET, page.getIntVolatile(RSP_PROD_OFFSET));
            }
            server.serve();
            if (server.brokenReason() != null)
            {
                break;
            }
        }
        assertTrue(store.isIntroduced(GUEST), "the store is fine");
        assertEquals("v", call0(store));
    }

    private static String call0(final XenStore store)
    {
        store.write(0, "/probe", "v");
        return store.readString(0, "/probe");
    }
}
