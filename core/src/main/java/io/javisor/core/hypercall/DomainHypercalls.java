package io.javisor.core.hypercall;

import io.javisor.emulation.hypercall.Hypercalls;
import io.javisor.emulation.machine.Console;
import io.javisor.memory.GrantCopy;
import io.javisor.memory.GrantMapper;
import io.javisor.memory.GrantStatus;
import io.javisor.memory.GrantTable;
import io.javisor.memory.GuestMemory;
import io.javisor.ringio.event.EventChannels;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.javisor.emulation.hypercall.HypercallDescriptor.*;
import static io.javisor.memory.PageDescriptor.PAGE_SIZE;
import static io.javisor.ringio.event.SharedInfoDescriptor.*;

/**
 * The hypercalls of one domain's guest code ({@link io.javisor.emulation.hypercall.HypercallDescriptor}),
 * answered with that domain's own event channels, grant table, grant mapper, memory and console:
 * nothing here takes a domain to act as, so a guest reaches only its own resources and, through
 * them, what other domains granted or bound to it.
 * <p>
 * Every register is read once into a local and validated before use; guest memory is reached only
 * through {@link GuestRam}, read once into host memory (a copy operation, a poll's port list, console
 * bytes), and written only where the ABI says (a copy's status, console input). A bad argument is an
 * error in a0; nothing here throws for what the guest did.
 * <p>
 * Called on the domain's vCPU thread only, apart from the kick installed by {@link #attach}, which
 * the event channels run on the sender's thread.
 */
public final class DomainHypercalls implements Hypercalls
{
    private static final int NOT_BLOCKED = 0;
    private static final int BLOCKED = 1;
    private static final int POLLING = 2;

    private final int domid;
    private final GuestRam ram;
    private final EventChannels events;
    private final GrantTable grantTable;
    private final GrantMapper grantMapper;
    private final Console console;
    private final PvParams params;
    private final ConsoleBackend consoleBackend;
    private final HypercallStatistics statistics = new HypercallStatistics();

    private final GrantCopy copy = new GrantCopy();
    private final byte[] copyOp = new byte[COPY_LENGTH];
    private final UnsafeBuffer copyView = new UnsafeBuffer(copyOp);
    private final byte[] consoleBytes = new byte[CONSOLE_MAX];
    private final int[] pollPorts = new int[POLL_MAX_PORTS];
    private int pollCount;
    private int blockState = NOT_BLOCKED;
    private long deadline = -1;
    /** The guest's registered shared-info page, or null before it registers one. */
    private AtomicBuffer sharedInfo;
    private int shutdownReason = SHUTDOWN_POWEROFF;

    /**
     * @param console where the console-io hypercalls write and read (the domain's console).
     * @param params  what the parameter query answers; null when the domain has no ring pages.
     * @param consoleBackend drained when the guest notifies its console port ({@code params}' console
     *                       port) and when it shuts down; null when the domain has no console ring.
     */
    public DomainHypercalls(
        final int domid, final GuestMemory memory, final EventChannels events, final GrantTable grantTable,
        final GrantMapper grantMapper, final Console console, final PvParams params, final ConsoleBackend consoleBackend)
    {
        if (memory.domid() != domid || events.domid() != domid || grantTable.domid() != domid ||
            grantMapper.domid() != domid)
        {
            throw new IllegalArgumentException("hypercalls of domain " + domid + " given another domain's parts");
        }
        this.domid = domid;
        this.ram = new GuestRam(memory);
        this.events = events;
        this.grantTable = grantTable;
        this.grantMapper = grantMapper;
        this.console = console;
        this.params = params;
        this.consoleBackend = consoleBackend;
    }

    public HypercallStatistics statistics()
    {
        return statistics;
    }

    @Override
    public int call(final int fid, final long[] x)
    {
        statistics.count(fid);
        final int outcome = dispatch(fid, x);
        if (x[10] < 0)
        {
            statistics.error();
        }
        return outcome;
    }

    private int dispatch(final int fid, final long[] x)
    {
        switch (fid)
        {
            case FID_VERSION: return ok(x, ABI_VERSION);
            case FID_EVTCHN_ALLOC_UNBOUND: return evtchnAllocUnbound(x);
            case FID_EVTCHN_BIND_INTERDOMAIN: return evtchnBindInterdomain(x);
            case FID_EVTCHN_SEND: return portOp(x, fid);
            case FID_EVTCHN_CLOSE: return portOp(x, fid);
            case FID_EVTCHN_UNMASK: return portOp(x, fid);
            case FID_EVTCHN_STATUS: return evtchnStatus(x);
            case FID_GNTTAB_SETUP: return gnttabSetup(x);
            case FID_GNTTAB_QUERY: return gnttabQuery(x);
            case FID_GNTTAB_COPY: return gnttabCopy(x);
            case FID_SCHED_YIELD: return ok(x, 0);
            case FID_SCHED_BLOCK: return schedBlock(x);
            case FID_SCHED_POLL: return schedPoll(x);
            case FID_SCHED_SHUTDOWN: return schedShutdown(x);
            case FID_CONSOLE_WRITE: return consoleWrite(x);
            case FID_CONSOLE_READ: return consoleRead(x);
            case FID_SHARED_INFO_REGISTER: return sharedInfoRegister(x);
            case FID_UPCALL_ACK: return ok(x, 0);
            case FID_PARAM_GET: return paramGet(x);
            default: return error(x, ENOSYS);
        }
    }

    private static int ok(final long[] x, final long value)
    {
        x[10] = OK;
        x[11] = value;
        return CONTINUE;
    }

    private static int error(final long[] x, final long errno)
    {
        x[10] = errno;
        x[11] = 0;
        return CONTINUE;
    }

    /** An errno from the event channels, or a value. */
    private static int result(final long[] x, final int value)
    {
        return value < 0 ? error(x, value) : ok(x, value);
    }

    /** @return the register as a port number or domain id (0..0xFFFF), or -1 when it is none. */
    private static int small(final long register)
    {
        return register >= 0 && register <= 0xFFFF ? (int)register : -1;
    }

    // ---------------------------------------------------------------- event channels

    private int remoteDomain(final long register)
    {
        final int remote = small(register);
        return remote == DOMID_SELF ? domid : remote;
    }

    private int evtchnAllocUnbound(final long[] x)
    {
        final int remote = remoteDomain(x[10]);
        if (remote < 0 || remote >= DOMID_SELF)
        {
            return error(x, ESRCH);
        }
        return result(x, events.allocUnbound(remote));
    }

    private int evtchnBindInterdomain(final long[] x)
    {
        final int remote = remoteDomain(x[10]);
        final int remotePort = small(x[11]);
        if (remote < 0 || remote >= DOMID_SELF)
        {
            return error(x, ESRCH);
        }
        if (remotePort < 0)
        {
            return error(x, EINVAL);
        }
        return result(x, events.bindInterdomain(remote, remotePort));
    }

    private int portOp(final long[] x, final int fid)
    {
        final int port = small(x[10]);
        if (port < 0)
        {
            return error(x, EINVAL);
        }
        if (fid == FID_EVTCHN_SEND && consoleBackend != null && params != null && port == params.consolePort())
        {
            consoleBackend.drain();
        }
        final int status = switch (fid)
        {
            case FID_EVTCHN_SEND -> events.send(port);
            case FID_EVTCHN_CLOSE -> events.close(port);
            default -> events.unmask(port);
        };
        return result(x, status);
    }

    private int evtchnStatus(final long[] x)
    {
        final int port = small(x[10]);
        if (port < 0)
        {
            return error(x, EINVAL);
        }
        final int state = events.status(port);
        if (state < 0)
        {
            return error(x, state);
        }
        ok(x, state);
        x[12] = state == EVTCHN_CLOSED ? 0 : events.remoteDomain(port);
        x[13] = state == EVTCHN_INTERDOMAIN ? events.remotePort(port) : 0;
        return CONTINUE;
    }

    // ---------------------------------------------------------------- grant table

    private int gnttabSetup(final long[] x)
    {
        final long gpa = x[10];
        final long frames = x[11];
        if (frames < 1 || frames > grantTable.frameCount())
        {
            return error(x, EINVAL);
        }
        final long frame = ram.frameOfPage(gpa, frames);
        if (frame == -2)
        {
            return error(x, EINVAL);
        }
        if (frame < 0)
        {
            return error(x, EFAULT);
        }
        final int status = grantTable.placeInGuestFrames(frame, (int)frames, GuestRam.RAM_BASE_FRAME);
        return switch (status)
        {
            case GrantStatus.OKAY -> ok(x, 0);
            case GrantStatus.EAGAIN -> error(x, EBUSY);
            case GrantStatus.BAD_PAGE -> error(x, EFAULT);
            case GrantStatus.BAD_DOMAIN -> error(x, ESRCH);
            default -> error(x, EINVAL);
        };
    }

    private int gnttabQuery(final long[] x)
    {
        final long placed = grantTable.placedGpfn();
        ok(x, grantTable.placedFrames());
        x[12] = grantTable.frameCount();
        x[13] = placed < 0 ? 0 : GuestRam.addressOf(placed * PAGE_SIZE);
        return CONTINUE;
    }

    private int gnttabCopy(final long[] x)
    {
        final long gpa = x[10];
        final long count = x[11];
        if (count < 0 || count > COPY_MAX_BATCH)
        {
            return error(x, EINVAL);
        }
        final long base = ram.offsetOf(gpa, count * COPY_LENGTH);
        if (base < 0 || (gpa & 7) != 0)
        {
            return error(x, EFAULT);
        }
        final GuestMemory memory = ram.memory();
        for (int i = 0; i < count; i++)
        {
            final long op = base + (long)i * COPY_LENGTH;
            // Read once: every check below is of this copy, not of the guest's memory.
            memory.getBytes(op, copyOp, 0, COPY_LENGTH);
            memory.putShort(op + COPY_STATUS_OFFSET, (short)copyOne());
        }
        return ok(x, count);
    }

    /** @return the GNTST status of the operation in {@link #copyOp}. */
    private int copyOne()
    {
        final int flags = copyView.getShort(COPY_FLAGS_OFFSET) & 0xFFFF;
        if ((flags & ~(COPY_SOURCE_GREF | COPY_DEST_GREF)) != 0)
        {
            return GrantStatus.BAD_COPY_ARG;
        }
        final int length = copyView.getShort(COPY_LEN_OFFSET) & 0xFFFF;
        final int source = side(COPY_SOURCE_OFFSET, (flags & COPY_SOURCE_GREF) != 0, true);
        if (source != GrantStatus.OKAY)
        {
            return source;
        }
        final int dest = side(COPY_DEST_OFFSET, (flags & COPY_DEST_GREF) != 0, false);
        if (dest != GrantStatus.OKAY)
        {
            return dest;
        }
        return grantMapper.copy(copy.length(length));
    }

    /** Fills one side of {@link #copy} from {@link #copyOp}; @return OKAY or the GNTST status refusing it. */
    private int side(final int at, final boolean isGrant, final boolean isSource)
    {
        final long pointer = copyView.getLong(at + COPY_PTR_OFFSET);
        final int sideDomid = copyView.getShort(at + COPY_DOMID_OFFSET) & 0xFFFF;
        final int offset = copyView.getShort(at + COPY_PAGE_OFFSET_OFFSET) & 0xFFFF;
        if (isGrant)
        {
            if (pointer < 0 || pointer > Integer.MAX_VALUE)
            {
                return GrantStatus.BAD_GNTREF;
            }
            if (sideDomid >= DOMID_SELF)
            {
                return GrantStatus.BAD_DOMAIN;
            }
            if (isSource)
            {
                copy.sourceGrant(sideDomid, (int)pointer, offset);
            }
            else
            {
                copy.destGrant(sideDomid, (int)pointer, offset);
            }
            return GrantStatus.OKAY;
        }
        if (sideDomid != DOMID_SELF && sideDomid != domid)
        {
            return GrantStatus.PERMISSION_DENIED;
        }
        // The guest names its own frame by its guest-physical frame number.
        final long frame = pointer - GuestRam.RAM_BASE_FRAME;
        if (pointer < GuestRam.RAM_BASE_FRAME || !ram.memory().isValidFrame(frame))
        {
            return GrantStatus.BAD_PAGE;
        }
        if (isSource)
        {
            copy.sourceLocal((int)frame, offset);
        }
        else
        {
            copy.destLocal((int)frame, offset);
        }
        return GrantStatus.OKAY;
    }

    // ---------------------------------------------------------------- sched

    private int schedBlock(final long[] x)
    {
        // As Xen's SCHEDOP_block: event delivery is enabled, then the vCPU sleeps until an event.
        final AtomicBuffer info = events.sharedInfo();
        info.putByteVolatile(vcpuInfoOffset(0) + UPCALL_MASK_OFFSET, (byte)0);
        ok(x, 0);
        if (events.isUpcallPending())
        {
            return CONTINUE;
        }
        blockState = BLOCKED;
        deadline = -1;
        statistics.blocked();
        return BLOCK;
    }

    private int schedPoll(final long[] x)
    {
        final long gpa = x[10];
        final long count = x[11];
        final long until = x[12];
        if (count < 1 || count > POLL_MAX_PORTS)
        {
            return error(x, EINVAL);
        }
        final long base = ram.offsetOf(gpa, count * 4);
        if (base < 0 || (gpa & 3) != 0)
        {
            return error(x, EFAULT);
        }
        final GuestMemory memory = ram.memory();
        boolean pending = false;
        for (int i = 0; i < count; i++)
        {
            final int port = memory.getInt(base + 4L * i);
            if (port <= 0 || port >= events.maxPorts())
            {
                return error(x, EINVAL);
            }
            pollPorts[i] = port;
            pending |= events.isPending(port);
        }
        pollCount = (int)count;
        ok(x, 1);
        if (pending)
        {
            return CONTINUE;
        }
        blockState = POLLING;
        deadline = until == 0 ? -1 : until & Long.MAX_VALUE;
        statistics.blocked();
        return BLOCK;
    }

    private int schedShutdown(final long[] x)
    {
        final long reason = x[10];
        if (reason != SHUTDOWN_POWEROFF && reason != SHUTDOWN_REBOOT && reason != SHUTDOWN_CRASH)
        {
            return error(x, EINVAL);
        }
        shutdownReason = (int)reason;
        if (consoleBackend != null)
        {
            consoleBackend.drain();
        }
        ok(x, 0);
        return SHUTDOWN;
    }

    @Override
    public boolean wakeable()
    {
        switch (blockState)
        {
            case BLOCKED:
                return events.isUpcallPending();
            case POLLING:
                for (int i = 0; i < pollCount; i++)
                {
                    if (events.isPending(pollPorts[i]))
                    {
                        return true;
                    }
                }
                return false;
            default:
                return true;
        }
    }

    @Override
    public long wakeDeadline()
    {
        return blockState == NOT_BLOCKED ? -1 : deadline;
    }

    @Override
    public void endBlock(final long[] x, final boolean timedOut)
    {
        if (blockState == POLLING)
        {
            x[10] = OK;
            x[11] = timedOut ? 0 : 1;
            if (timedOut)
            {
                statistics.timedOut();
            }
        }
        blockState = NOT_BLOCKED;
        deadline = -1;
    }

    @Override
    public int shutdownReason()
    {
        return shutdownReason;
    }

    // ---------------------------------------------------------------- console

    /**
     * The buffer of a console call, its registers read once: its RAM offset, or the (negative) errno:
     * EINVAL for a length over {@link #CONSOLE_MAX}, EFAULT for a range not wholly in the caller's RAM.
     */
    private long consoleBuffer(final long gpa, final long length)
    {
        if (length < 0 || length > CONSOLE_MAX)
        {
            return EINVAL;
        }
        final long offset = ram.offsetOf(gpa, length);
        return offset < 0 ? EFAULT : offset;
    }

    private int consoleWrite(final long[] x)
    {
        final long length = x[11];
        final long offset = consoleBuffer(x[10], length);
        if (offset < 0)
        {
            return error(x, offset);
        }
        ram.memory().getBytes(offset, consoleBytes, 0, (int)length);
        for (int i = 0; i < length; i++)
        {
            console.write(consoleBytes[i] & 0xFF);
        }
        return ok(x, length);
    }

    private int consoleRead(final long[] x)
    {
        final long length = x[11];
        final long offset = consoleBuffer(x[10], length);
        if (offset < 0)
        {
            return error(x, offset);
        }
        int count = 0;
        while (count < length)
        {
            final int b = console.read();
            if (b < 0)
            {
                break;
            }
            consoleBytes[count++] = (byte)b;
        }
        ram.memory().putBytes(offset, consoleBytes, 0, count);
        return ok(x, count);
    }

    // ---------------------------------------------------------------- shared info and params

    private int sharedInfoRegister(final long[] x)
    {
        final long frame = ram.frameOfPage(x[10], 1);
        if (frame == -2)
        {
            return error(x, EINVAL);
        }
        if (frame < 0)
        {
            return error(x, EFAULT);
        }
        final UnsafeBuffer page = new UnsafeBuffer(0, 0);
        if (!ram.memory().wrapFrame(frame, page))
        {
            return error(x, EFAULT);
        }
        events.moveSharedInfo(page);
        sharedInfo = page;
        return ok(x, 0);
    }

    @Override
    public boolean upcallLevel()
    {
        final AtomicBuffer info = sharedInfo;
        if (info == null)
        {
            return false;
        }
        final int vcpu = vcpuInfoOffset(0);
        return info.getByteVolatile(vcpu + UPCALL_PENDING_OFFSET) != 0 && info.getByteVolatile(vcpu + UPCALL_MASK_OFFSET) == 0;
    }

    private int paramGet(final long[] x)
    {
        if (params == null)
        {
            return error(x, ENOENT);
        }
        return switch ((int)Math.min(Math.max(x[10], -1), Integer.MAX_VALUE))
        {
            case PARAM_STORE_PFN -> ok(x, params.storePfn());
            case PARAM_STORE_EVTCHN -> ok(x, params.storePort());
            case PARAM_CONSOLE_PFN -> ok(x, params.consolePfn());
            case PARAM_CONSOLE_EVTCHN -> ok(x, params.consolePort());
            default -> error(x, EINVAL);
        };
    }

    /** The guest has stopped: whatever it printed without notifying goes to the console now (vCPU thread). */
    public void drainConsole()
    {
        if (consoleBackend != null)
        {
            consoleBackend.drain();
        }
    }

    @Override
    public void attach(final Runnable kick)
    {
        events.setEventListener(kick);
    }
}
