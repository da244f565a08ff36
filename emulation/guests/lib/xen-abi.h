/* javisor's hypercall ABI for RISC-V guest code: the numbers of HypercallDescriptor.java, the
 * shared-info layout of SharedInfoDescriptor.java, and the Xen wire formats the PV front ends use.
 *
 * A hypercall is an SBI call: ecall with a7 = XEN_EID, a6 = a function id, arguments in a0..a5.
 * a0 comes back 0 or a negative Xen errno, a1 (a2, a3) the results. The calling domain is implicit.
 * Addresses are guest-physical and must be in the domain's RAM; frame numbers are addresses >> 12.
 *
 * Events: the shared-info page is a RAM page the guest registers (XEN_SHARED_INFO_REGISTER). The
 * supervisor external interrupt (SEIP) is raised while vCPU 0's upcall_pending is set and its
 * upcall_mask clear; XEN_SCHED_BLOCK sleeps until upcall_pending is set (clearing upcall_mask
 * first), XEN_SCHED_POLL until one of the given ports is pending, masked or not. */
#ifndef XEN_ABI_H
#define XEN_ABI_H

#include <stdint.h>

#define XEN_EID                       0x0A4A5600L
#define XEN_ABI_VERSION               0x00010000L

#define XEN_VERSION                   0x00
#define XEN_EVTCHN_ALLOC_UNBOUND      0x10 /* (remote dom) -> port */
#define XEN_EVTCHN_BIND_INTERDOMAIN   0x11 /* (remote dom, remote port) -> port */
#define XEN_EVTCHN_SEND               0x12 /* (port) */
#define XEN_EVTCHN_CLOSE              0x13 /* (port) */
#define XEN_EVTCHN_UNMASK             0x14 /* (port) */
#define XEN_EVTCHN_STATUS             0x15 /* (port) -> state, remote dom, remote port */
#define XEN_GNTTAB_SETUP              0x20 /* (address, frames) */
#define XEN_GNTTAB_QUERY              0x21 /* () -> frames, max frames, address */
#define XEN_GNTTAB_COPY               0x22 /* (address of ops, count) -> count */
#define XEN_SCHED_YIELD               0x30
#define XEN_SCHED_BLOCK               0x31
#define XEN_SCHED_POLL                0x32 /* (address of u32 ports, count, deadline in time ticks or 0) -> 1 pending, 0 timeout */
#define XEN_SCHED_SHUTDOWN            0x33 /* (reason) */
#define XEN_CONSOLE_WRITE             0x40 /* (address, length) -> count */
#define XEN_CONSOLE_READ              0x41 /* (address, length) -> count */
#define XEN_SHARED_INFO_REGISTER      0x50 /* (address) */
#define XEN_UPCALL_ACK                0x51
#define XEN_PARAM_GET                 0x60 /* (param) -> value */

#define XEN_PARAM_STORE_PFN           1
#define XEN_PARAM_STORE_EVTCHN        2
#define XEN_PARAM_CONSOLE_PFN         17
#define XEN_PARAM_CONSOLE_EVTCHN      18

#define XEN_DOMID_SELF                0x7FF0
#define XEN_SHUTDOWN_POWEROFF         0
#define XEN_SHUTDOWN_REBOOT           1
#define XEN_SHUTDOWN_CRASH            3

#define XEN_EPERM   (-1)
#define XEN_ENOENT  (-2)
#define XEN_ESRCH   (-3)
#define XEN_EIO     (-5)
#define XEN_EAGAIN  (-11)
#define XEN_EACCES  (-13)
#define XEN_EFAULT  (-14)
#define XEN_EBUSY   (-16)
#define XEN_EEXIST  (-17)
#define XEN_EINVAL  (-22)
#define XEN_ENOSPC  (-28)
#define XEN_ENOSYS  (-38)
#define XEN_ETIMEDOUT (-110)

/* Shared info (Xen's 2-level event ABI): vcpu_info[32] of 64 bytes, then the bitmaps. */
struct xen_vcpu_info
{
    volatile uint8_t upcall_pending;
    volatile uint8_t upcall_mask;
    uint8_t pad[6];
    volatile uint64_t pending_sel;
    uint8_t rest[48];
};

struct xen_shared_info
{
    struct xen_vcpu_info vcpu[32];
    volatile uint64_t evtchn_pending[64];
    volatile uint64_t evtchn_mask[64];
    uint8_t rest[4096 - 2048 - 1024];
};

/* Grant table v1 entry, 512 per page. */
struct xen_grant_entry
{
    volatile uint16_t flags;
    volatile uint16_t domid;
    volatile uint32_t frame;
};
#define GTF_PERMIT_ACCESS 1
#define GTF_READONLY      (1 << 2)
#define GTF_READING       (1 << 3)
#define GTF_WRITING       (1 << 4)

/* One grant copy operation (gnttab_copy_t), 40 bytes. */
struct xen_grant_copy
{
    uint64_t source_ref_or_frame;
    uint16_t source_domid;
    uint16_t source_offset;
    uint32_t pad0;
    uint64_t dest_ref_or_frame;
    uint16_t dest_domid;
    uint16_t dest_offset;
    uint32_t pad1;
    uint16_t len;
    uint16_t flags;
    int16_t status;
    uint16_t pad2;
};
#define GNTCOPY_SOURCE_GREF 1
#define GNTCOPY_DEST_GREF   2

/* Shared ring header (io/ring.h): entries from offset 64. */
struct xen_ring_header
{
    volatile uint32_t req_prod;
    volatile uint32_t req_event;
    volatile uint32_t rsp_prod;
    volatile uint32_t rsp_event;
    uint8_t pad[48];
};

/* xenstore ring (io/xs_wire.h). */
struct xen_store_ring
{
    volatile char req[1024];
    volatile char rsp[1024];
    volatile uint32_t req_cons, req_prod;
    volatile uint32_t rsp_cons, rsp_prod;
    volatile uint32_t server_features, connection, error;
};
struct xs_header { uint32_t type, req_id, tx_id, len; };
#define XS_DIRECTORY          1
#define XS_READ               2
#define XS_WATCH              4
#define XS_UNWATCH            5
#define XS_TRANSACTION_START  6
#define XS_TRANSACTION_END    7
#define XS_WRITE              11
#define XS_WATCH_EVENT        15
#define XS_ERROR              16
#define XS_PAYLOAD_MAX        4096

/* Console ring (io/console.h). */
struct xen_console_ring
{
    volatile char in[1024];
    volatile char out[2048];
    volatile uint32_t in_cons, in_prod;
    volatile uint32_t out_cons, out_prod;
};

/* xenbus states. */
#define XENBUS_INITIALISING 1
#define XENBUS_INIT_WAIT    2
#define XENBUS_INITIALISED  3
#define XENBUS_CONNECTED    4
#define XENBUS_CLOSING      5
#define XENBUS_CLOSED       6

/* blkif (io/blkif.h), 64-bit layout. */
#define BLKIF_OP_READ            0
#define BLKIF_OP_WRITE           1
#define BLKIF_OP_FLUSH_DISKCACHE 3
#define BLKIF_OP_INDIRECT        6
#define BLKIF_MAX_SEGMENTS       11
#define BLKIF_RING_SLOTS         32
#define BLKIF_SEGMENTS_PER_INDIRECT_PAGE 512
#define BLKIF_MAX_INDIRECT_PAGES 8
#define BLKIF_RSP_OKAY           0
#define BLKIF_INFO_READONLY      4

struct blkif_segment { uint32_t gref; uint8_t first_sect, last_sect; uint16_t pad; };
struct blkif_request
{
    uint8_t operation;
    uint8_t nr_segments;
    uint16_t handle;
    uint32_t pad;
    uint64_t id;
    uint64_t sector_number;
    struct blkif_segment seg[BLKIF_MAX_SEGMENTS];
};
struct blkif_request_indirect
{
    uint8_t operation;       /* BLKIF_OP_INDIRECT */
    uint8_t indirect_op;
    uint16_t nr_segments;
    uint32_t pad0;
    uint64_t id;
    uint64_t sector_number;
    uint16_t handle;
    uint16_t pad1;
    uint32_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES];
    uint8_t pad2[112 - 60];
};
struct blkif_response { uint64_t id; uint8_t operation; uint8_t pad; int16_t status; uint32_t pad2; };
union blkif_slot { struct blkif_request req; struct blkif_request_indirect ind; struct blkif_response rsp; };

/* netif (io/netif.h): tx and rx rings of 256 slots each (12- and 8-byte slots), rx-copy only. */
#define NETIF_RING_SLOTS     256
#define NETTXF_MORE_DATA     (1 << 2)
#define NETRXF_MORE_DATA     (1 << 2)
struct netif_tx_request { uint32_t gref; uint16_t offset, flags, id, size; };
struct netif_tx_response { uint16_t id; int16_t status; };
union netif_tx_slot { struct netif_tx_request req; struct netif_tx_response rsp; };
struct netif_rx_request { uint16_t id, pad; uint32_t gref; };
struct netif_rx_response { uint16_t id, offset, flags; int16_t status; };
union netif_rx_slot { struct netif_rx_request req; struct netif_rx_response rsp; };

#endif
