package io.javisor.ringio.xenstore;

import org.agrona.concurrent.AtomicBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.javisor.ringio.xenstore.XenStoreRingDescriptor.*;

/**
 * The store's end of one domain's xenstore ring ({@link XenStoreRingDescriptor}), as xenstored
 * serves a guest that runs its own code: requests are read off the page, made through the domain's
 * own {@link XenStoreConnection} (so the store's permissions and quotas apply to it), and replies and
 * watch events are written back.
 * <p>
 * The page is the guest's and hostile. The server keeps its own copies of the indices it owns
 * ({@code req_cons}, {@code rsp_prod}) and only publishes them; it reads the guest's indices once per
 * pass and treats more than a ring's worth of bytes in flight as a broken ring, after which it serves
 * nothing. A header's length is checked before any payload is read, and every payload is copied out
 * of the page before it is parsed. Nothing the guest writes throws out of {@link #serve()}: a bad
 * request gets an {@link XenStoreRingDescriptor#XS_ERROR} reply.
 * <p>
 * Replies wait in a bounded queue while the guest does not consume them; past
 * {@link #MAX_QUEUED_BYTES} no further request is read (back-pressure), and past
 * {@link #MAX_QUEUED_WATCH_EVENTS} watch events are dropped and counted.
 * <p>
 * Single-threaded: one thread (dom0's service agent) calls {@link #serve()} and {@link #close()};
 * watch events may arrive on any thread and are handed over through a concurrent queue, after which
 * {@code wake} is run.
 */
public final class XenStoreRingServer implements AutoCloseable
{
    /** Replies queued for a guest that does not read them before the server stops reading requests. */
    public static final int MAX_QUEUED_BYTES = 64 * 1024;
    public static final int MAX_QUEUED_WATCH_EVENTS = 1024;
    private static final byte[] OK = "OK\0".getBytes(StandardCharsets.US_ASCII);

    private final XenStoreConnection connection;
    private final AtomicBuffer page;
    private final Runnable wake;
    private final byte[] message = new byte[HEADER_LENGTH + PAYLOAD_MAX];
    private int messageFill;
    private final ArrayDeque<byte[]> replies = new ArrayDeque<>();
    private int replyHead;
    private int queuedBytes;
    private final ConcurrentLinkedQueue<byte[]> watchEvents = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedWatchEvents = new AtomicInteger();
    private final Set<String> watches = new HashSet<>();
    private final Set<Integer> transactions = new HashSet<>();
    private int reqCons;
    private int rspProd;
    private String brokenReason;
    private long requestsServed;
    private long errorReplies;
    private final AtomicLong droppedWatchEvents = new AtomicLong();

    /**
     * @param connection the domain's own connection: every request is made as that domain.
     * @param page       the domain's ring page, as the domain builder left it (indices as they are).
     * @param wake       run after a watch event is queued (on the thread that fired it).
     */
    public XenStoreRingServer(final XenStoreConnection connection, final AtomicBuffer page, final Runnable wake)
    {
        if (page.capacity() < LENGTH)
        {
            throw new IllegalArgumentException("a xenstore ring page needs " + LENGTH + " bytes");
        }
        this.connection = connection;
        this.page = page;
        this.wake = wake;
        this.reqCons = page.getIntVolatile(REQ_CONS_OFFSET);
        this.rspProd = page.getIntVolatile(RSP_PROD_OFFSET);
        page.putIntVolatile(CONNECTION_OFFSET, CONNECTED);
    }

    public int domid()
    {
        return connection.domid();
    }

    /**
     * Reads every complete request the guest has queued (while replies have room), answers each, and
     * writes as many replies and watch events as the ring has room for.
     *
     * @return whether anything moved, i.e. whether the guest should be notified.
     */
    public boolean serve()
    {
        if (brokenReason != null)
        {
            return false;
        }
        boolean moved = false;
        while (true)
        {
            moved |= takeWatchEvents();
            final boolean read = queuedBytes < MAX_QUEUED_BYTES && readRequests();
            final boolean written = writeReplies();
            moved |= read | written;
            if (!read && !written || brokenReason != null)
            {
                return moved;
            }
        }
    }

    /** @return why the ring was given up, or null while it is served. */
    public String brokenReason()
    {
        return brokenReason;
    }

    public long requestsServed()
    {
        return requestsServed;
    }

    public long errorReplies()
    {
        return errorReplies;
    }

    public long droppedWatchEvents()
    {
        return droppedWatchEvents.get();
    }

    /** Removes the domain's watches and ends its open transactions. */
    @Override
    public void close()
    {
        for (final String key : List.copyOf(watches))
        {
            final int nul = key.indexOf('\0');
            try
            {
                connection.unwatch(key.substring(0, nul), key.substring(nul + 1));
            }
            catch (final RuntimeException ignored)
            {
                // Gone with the domain already.
            }
        }
        watches.clear();
        for (final int id : List.copyOf(transactions))
        {
            endTransaction(id, false);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The ring.
    // ---------------------------------------------------------------------------------------------

    private boolean readRequests()
    {
        final int prod = page.getIntVolatile(REQ_PROD_OFFSET);
        final int available = prod - reqCons;
        if (Integer.compareUnsigned(available, RING_SIZE) > 0)
        {
            return broken("req_prod " + Integer.toUnsignedString(prod) + " is more than a ring ahead of req_cons " +
                Integer.toUnsignedString(reqCons));
        }
        int left = available;
        while (left > 0)
        {
            final int wanted = messageFill < HEADER_LENGTH ? HEADER_LENGTH - messageFill :
                HEADER_LENGTH + payloadLength() - messageFill;
            final int chunk = Math.min(left, wanted);
            for (int i = 0; i < chunk; i++)
            {
                message[messageFill++] = page.getByte(REQ_OFFSET + (reqCons++ & (RING_SIZE - 1)));
            }
            left -= chunk;
            if (messageFill == HEADER_LENGTH && Integer.compareUnsigned(intAt(LEN_OFFSET), PAYLOAD_MAX) > 0)
            {
                return broken("a request of " + Integer.toUnsignedString(intAt(LEN_OFFSET)) + " payload bytes");
            }
            if (messageFill >= HEADER_LENGTH && messageFill == HEADER_LENGTH + payloadLength())
            {
                answer();
                messageFill = 0;
                if (queuedBytes >= MAX_QUEUED_BYTES)
                {
                    break;
                }
            }
        }
        if (left != available)
        {
            page.putIntVolatile(REQ_CONS_OFFSET, reqCons);
            return true;
        }
        return false;
    }

    private boolean writeReplies()
    {
        final int cons = page.getIntVolatile(RSP_CONS_OFFSET);
        final int inFlight = rspProd - cons;
        if (Integer.compareUnsigned(inFlight, RING_SIZE) > 0)
        {
            return broken("rsp_cons " + Integer.toUnsignedString(cons) + " is beyond rsp_prod " +
                Integer.toUnsignedString(rspProd));
        }
        int space = RING_SIZE - inFlight;
        final int before = rspProd;
        while (space > 0 && !replies.isEmpty())
        {
            final byte[] reply = replies.peekFirst();
            final int chunk = Math.min(space, reply.length - replyHead);
            for (int i = 0; i < chunk; i++)
            {
                page.putByte(RSP_OFFSET + (rspProd++ & (RING_SIZE - 1)), reply[replyHead++]);
            }
            space -= chunk;
            queuedBytes -= chunk;
            if (replyHead == reply.length)
            {
                replies.removeFirst();
                replyHead = 0;
            }
        }
        if (rspProd != before)
        {
            // Release: the bytes are visible before the index that covers them.
            page.putIntVolatile(RSP_PROD_OFFSET, rspProd);
            return true;
        }
        return false;
    }

    private boolean broken(final String reason)
    {
        brokenReason = reason;
        page.putIntVolatile(ERROR_OFFSET, 1);
        return false;
    }

    private boolean takeWatchEvents()
    {
        boolean took = false;
        byte[] event;
        while (queuedBytes < MAX_QUEUED_BYTES && (event = watchEvents.poll()) != null)
        {
            queuedWatchEvents.decrementAndGet();
            queue(event);
            took = true;
        }
        return took;
    }

    // ---------------------------------------------------------------------------------------------
    // Requests.
    // ---------------------------------------------------------------------------------------------

    private void answer()
    {
        requestsServed++;
        final int type = intAt(TYPE_OFFSET);
        final int reqId = intAt(REQ_ID_OFFSET);
        final int txId = intAt(TX_ID_OFFSET);
        final int length = payloadLength();
        try
        {
            final byte[] reply = reply(type, txId, length);
            queue(frame(type, reqId, txId, reply));
        }
        catch (final XenStoreException ex)
        {
            errorReplies++;
            queue(frame(XS_ERROR, reqId, txId, nulTerminated(ex.error().name())));
        }
        catch (final RuntimeException ex)
        {
            // A malformed path, token or number: what xenstored answers EINVAL to.
            errorReplies++;
            queue(frame(XS_ERROR, reqId, txId, nulTerminated(XenStoreError.EINVAL.name())));
        }
    }

    private byte[] reply(final int type, final int txId, final int length)
    {
        final Transaction transaction = txId == 0 ? null : openTransaction(txId);
        switch (type)
        {
            case XS_READ:
            {
                final String path = string(0, length);
                return transaction == null ? connection.read(path) : transaction.read(path);
            }
            case XS_WRITE:
            {
                final int nul = indexOfNul(0, length);
                if (nul < 0)
                {
                    throw new XenStoreException(XenStoreError.EINVAL, "write without a value");
                }
                final String path = new String(message, HEADER_LENGTH, nul, StandardCharsets.ISO_8859_1);
                final byte[] value = new byte[length - nul - 1];
                System.arraycopy(message, HEADER_LENGTH + nul + 1, value, 0, value.length);
                if (transaction == null)
                {
                    connection.write(path, value);
                }
                else
                {
                    transaction.write(path, value);
                }
                return OK;
            }
            case XS_MKDIR:
            {
                final String path = string(0, length);
                if (transaction == null)
                {
                    connection.mkdir(path);
                }
                else
                {
                    transaction.mkdir(path);
                }
                return OK;
            }
            case XS_RM:
            {
                final String path = string(0, length);
                if (transaction == null)
                {
                    connection.rm(path);
                }
                else
                {
                    transaction.rm(path);
                }
                return OK;
            }
            case XS_DIRECTORY:
            {
                final String path = string(0, length);
                return joined(transaction == null ? connection.directory(path) : transaction.directory(path));
            }
            case XS_GET_PERMS:
            {
                final String path = string(0, length);
                return joined((transaction == null ? connection.getPermissions(path) : transaction.getPermissions(path))
                    .toStrings());
            }
            case XS_SET_PERMS:
            {
                final List<String> parts = strings(length);
                if (parts.size() < 2)
                {
                    throw new XenStoreException(XenStoreError.EINVAL, "set_perms without permissions");
                }
                final NodePermissions permissions = NodePermissions.parse(parts.subList(1, parts.size()));
                if (transaction == null)
                {
                    connection.setPermissions(parts.get(0), permissions);
                }
                else
                {
                    transaction.setPermissions(parts.get(0), permissions);
                }
                return OK;
            }
            case XS_WATCH:
            {
                final List<String> parts = strings(length);
                if (parts.size() != 2)
                {
                    throw new XenStoreException(XenStoreError.EINVAL, "watch needs a path and a token");
                }
                final String key = parts.get(0) + '\0' + parts.get(1);
                connection.watch(parts.get(0), parts.get(1), this::onWatchEvent);
                watches.add(key);
                return OK;
            }
            case XS_UNWATCH:
            {
                final List<String> parts = strings(length);
                if (parts.size() != 2)
                {
                    throw new XenStoreException(XenStoreError.EINVAL, "unwatch needs a path and a token");
                }
                connection.unwatch(parts.get(0), parts.get(1));
                watches.remove(parts.get(0) + '\0' + parts.get(1));
                return OK;
            }
            case XS_RESET_WATCHES:
            {
                for (final String key : List.copyOf(watches))
                {
                    final int nul = key.indexOf('\0');
                    connection.unwatch(key.substring(0, nul), key.substring(nul + 1));
                }
                watches.clear();
                return OK;
            }
            case XS_TRANSACTION_START:
            {
                if (txId != 0)
                {
                    throw new XenStoreException(XenStoreError.EBUSY, "transactions do not nest");
                }
                final Transaction started = connection.startTransaction();
                transactions.add(started.id());
                return nulTerminated(Integer.toUnsignedString(started.id()));
            }
            case XS_TRANSACTION_END:
            {
                if (transaction == null)
                {
                    throw new XenStoreException(XenStoreError.EINVAL, "no transaction to end");
                }
                final String verdict = string(0, length);
                if (!"T".equals(verdict) && !"F".equals(verdict))
                {
                    throw new XenStoreException(XenStoreError.EINVAL, "transaction end takes T or F");
                }
                endTransaction(txId, "T".equals(verdict));
                return OK;
            }
            case XS_GET_DOMAIN_PATH:
            {
                final int domid = Integer.parseInt(string(0, length));
                return nulTerminated(XenStorePaths.domainPath(XenDomainIds.requireValid(domid)));
            }
            case XS_INTRODUCE, XS_RELEASE, XS_IS_DOMAIN_INTRODUCED, XS_RESUME, XS_SET_TARGET, XS_CONTROL:
                throw new XenStoreException(XenStoreError.EACCES, "a privileged request");
            default:
                throw new XenStoreException(XenStoreError.ENOSYS, "request type " + Integer.toUnsignedString(type));
        }
    }

    private Transaction openTransaction(final int txId)
    {
        if (!transactions.contains(txId))
        {
            throw new XenStoreException(XenStoreError.ENOENT, "no transaction " + Integer.toUnsignedString(txId));
        }
        final Transaction transaction = connection.transaction(txId);
        if (!transaction.isOpen())
        {
            transactions.remove(txId);
            throw new XenStoreException(XenStoreError.ENOENT, "transaction " + txId + " ended");
        }
        return transaction;
    }

    /** Commits or aborts; the id is forgotten either way (a conflicted commit throws EAGAIN). */
    private void endTransaction(final int txId, final boolean commit)
    {
        transactions.remove(txId);
        final Transaction transaction;
        try
        {
            transaction = connection.transaction(txId);
        }
        catch (final XenStoreException ex)
        {
            if (commit)
            {
                throw ex;
            }
            return;
        }
        if (commit)
        {
            transaction.commit();
        }
        else
        {
            transaction.close();
        }
    }

    private void onWatchEvent(final String path, final String token)
    {
        if (queuedWatchEvents.incrementAndGet() > MAX_QUEUED_WATCH_EVENTS)
        {
            queuedWatchEvents.decrementAndGet();
            droppedWatchEvents.incrementAndGet();
            return;
        }
        final byte[] p = path.getBytes(StandardCharsets.ISO_8859_1);
        final byte[] t = token.getBytes(StandardCharsets.ISO_8859_1);
        final byte[] payload = new byte[p.length + t.length + 2];
        System.arraycopy(p, 0, payload, 0, p.length);
        System.arraycopy(t, 0, payload, p.length + 1, t.length);
        watchEvents.add(frame(XS_WATCH_EVENT, 0, 0, payload));
        wake.run();
    }

    // ---------------------------------------------------------------------------------------------
    // Message helpers.
    // ---------------------------------------------------------------------------------------------

    private void queue(final byte[] framed)
    {
        replies.addLast(framed);
        queuedBytes += framed.length;
    }

    private static byte[] frame(final int type, final int reqId, final int txId, final byte[] payload)
    {
        final byte[] framed = new byte[HEADER_LENGTH + payload.length];
        putInt(framed, TYPE_OFFSET, type);
        putInt(framed, REQ_ID_OFFSET, reqId);
        putInt(framed, TX_ID_OFFSET, txId);
        putInt(framed, LEN_OFFSET, payload.length);
        System.arraycopy(payload, 0, framed, HEADER_LENGTH, payload.length);
        return framed;
    }

    private static void putInt(final byte[] to, final int offset, final int value)
    {
        to[offset] = (byte)value;
        to[offset + 1] = (byte)(value >>> 8);
        to[offset + 2] = (byte)(value >>> 16);
        to[offset + 3] = (byte)(value >>> 24);
    }

    private int intAt(final int offset)
    {
        return (message[offset] & 0xFF) | (message[offset + 1] & 0xFF) << 8 | (message[offset + 2] & 0xFF) << 16 |
            (message[offset + 3] & 0xFF) << 24;
    }

    /** The header's length, checked against {@link XenStoreRingDescriptor#PAYLOAD_MAX} when the header came in. */
    private int payloadLength()
    {
        return intAt(LEN_OFFSET);
    }

    private int indexOfNul(final int from, final int length)
    {
        for (int i = from; i < length; i++)
        {
            if (message[HEADER_LENGTH + i] == 0)
            {
                return i;
            }
        }
        return -1;
    }

    /** The payload's string from {@code from}: up to its NUL, or to the end when there is none. */
    private String string(final int from, final int length)
    {
        final int nul = indexOfNul(from, length);
        final int end = nul < 0 ? length : nul;
        return new String(message, HEADER_LENGTH + from, end - from, StandardCharsets.ISO_8859_1);
    }

    private List<String> strings(final int length)
    {
        final List<String> parts = new ArrayList<>();
        int from = 0;
        while (from < length)
        {
            final int nul = indexOfNul(from, length);
            final int end = nul < 0 ? length : nul;
            parts.add(new String(message, HEADER_LENGTH + from, end - from, StandardCharsets.ISO_8859_1));
            from = end + 1;
        }
        return parts;
    }

    private static byte[] nulTerminated(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        final byte[] out = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, out, 0, bytes.length);
        return out;
    }

    private static byte[] joined(final List<String> names)
    {
        int size = 0;
        for (final String name : names)
        {
            size += name.length() + 1;
        }
        final byte[] out = new byte[size];
        int at = 0;
        for (final String name : names)
        {
            final byte[] bytes = name.getBytes(StandardCharsets.ISO_8859_1);
            System.arraycopy(bytes, 0, out, at, bytes.length);
            at += bytes.length + 1;
        }
        return out;
    }
}
