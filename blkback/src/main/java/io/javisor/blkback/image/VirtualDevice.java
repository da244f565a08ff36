package io.javisor.blkback.image;

/**
 * A guest's virtual block device name and its Xen device number, the {@code <devid>} of the
 * xenstore paths and the blkif {@code handle}, following Xen's xen-vbd-interface(7):
 * <pre>
 *   xvd, disk &lt; 16 and partition &lt; 16:   202 &lt;&lt; 8 | disk &lt;&lt; 4 | partition   (xvda = 51712)
 *   xvd, otherwise:                        1 &lt;&lt; 28 | disk &lt;&lt; 8 | partition   (disk &lt; 2^20, partition &lt; 256)
 *   sd, disk &lt; 16 and partition &lt; 16:      8 &lt;&lt; 8 | disk &lt;&lt; 4 | partition
 *   hd, disk 0..1, partition &lt; 64:          3 &lt;&lt; 8 | disk &lt;&lt; 6 | partition
 *   hd, disk 2..3, partition &lt; 64:         22 &lt;&lt; 8 | (disk - 2) &lt;&lt; 6 | partition
 *   vd, disk &lt; 16 and partition &lt; 16:    254 &lt;&lt; 8 | disk &lt;&lt; 4 | partition   (virtio-blk, an HVM device)
 * </pre>
 * Disk letters count a..z, then aa..zz and so on (xvdaa is disk 26); the optional partition is
 * decimal without leading zeros (xvda1); {@code d<disk>[p<partition>]} names a xvd by number.
 *
 * @param name      the name as given.
 * @param bus       the naming scheme.
 * @param disk      the disk index, 0 for xvda.
 * @param partition the partition, 0 for the whole disk.
 * @param deviceId  the Xen device number.
 */
public record VirtualDevice(String name, Bus bus, int disk, int partition, int deviceId)
{
    public enum Bus
    {
        XEN, SCSI, IDE,
        /** Linux's virtio-blk names: an HVM guest's virtio disk, not a Xen PV one. */
        VIRTIO
    }

    public static final int XVD_MAJOR = 202;
    public static final int SD_MAJOR = 8;
    public static final int IDE0_MAJOR = 3;
    public static final int IDE1_MAJOR = 22;
    /** The block major Linux's virtio-blk usually gets; the number only names the device here. */
    public static final int VIRTIO_MAJOR = 254;
    public static final int EXTENDED = 1 << 28;
    /** Disk indexes of the extended xvd form fit 20 bits. */
    public static final int MAX_EXTENDED_DISKS = 1 << 20;

    /**
     * @throws IllegalArgumentException with a one-line message when {@code vdev} is not a valid name.
     */
    public static VirtualDevice parse(final String vdev)
    {
        if (vdev == null || vdev.isEmpty())
        {
            throw new IllegalArgumentException("virtual device name is empty");
        }
        if (vdev.startsWith("xvd"))
        {
            return xen(vdev, letters(vdev, 3), vdev.length());
        }
        if (vdev.startsWith("sd"))
        {
            final long diskAndEnd = letters(vdev, 2);
            final int disk = (int)(diskAndEnd >>> 32);
            final int partition = partition(vdev, (int)diskAndEnd, vdev.length());
            if (disk >= 16 || partition >= 16)
            {
                throw bad(vdev, "sd devices stop at sdp and partition 15");
            }
            return new VirtualDevice(vdev, Bus.SCSI, disk, partition, SD_MAJOR << 8 | disk << 4 | partition);
        }
        if (vdev.startsWith("hd"))
        {
            final long diskAndEnd = letters(vdev, 2);
            final int disk = (int)(diskAndEnd >>> 32);
            final int partition = partition(vdev, (int)diskAndEnd, vdev.length());
            if (disk >= 4 || partition >= 64)
            {
                throw bad(vdev, "hd devices stop at hdd and partition 63");
            }
            final int id = disk < 2 ? IDE0_MAJOR << 8 | disk << 6 | partition : IDE1_MAJOR << 8 | (disk - 2) << 6 | partition;
            return new VirtualDevice(vdev, Bus.IDE, disk, partition, id);
        }
        if (vdev.startsWith("vd"))
        {
            final long diskAndEnd = letters(vdev, 2);
            final int disk = (int)(diskAndEnd >>> 32);
            final int partition = partition(vdev, (int)diskAndEnd, vdev.length());
            if (disk >= 16 || partition >= 16)
            {
                throw bad(vdev, "vd devices stop at vdp and partition 15");
            }
            return new VirtualDevice(vdev, Bus.VIRTIO, disk, partition, VIRTIO_MAJOR << 8 | disk << 4 | partition);
        }
        if (vdev.length() > 1 && vdev.charAt(0) == 'd' && isDigit(vdev.charAt(1)))
        {
            final int p = vdev.indexOf('p');
            final int diskEnd = p < 0 ? vdev.length() : p;
            final int disk = number(vdev, 1, diskEnd, true);
            if (p >= 0 && p == vdev.length() - 1)
            {
                throw bad(vdev, "no partition number after 'p'");
            }
            return xen(vdev, (long)disk << 32 | diskEnd, vdev.length(), p < 0 ? diskEnd : p + 1);
        }
        throw bad(vdev, "expected xvd<letters>[partition], hd<letter>[partition], sd<letter>[partition], vd<letter>[partition] or d<disk>[p<partition>]");
    }

    /**
     * The Xen device number of {@code vdev}: {@code deviceId("xvda") == 51712}.
     *
     * @throws IllegalArgumentException with a one-line message when {@code vdev} is not a valid name.
     */
    public static int deviceId(final String vdev)
    {
        return parse(vdev).deviceId();
    }

    private static VirtualDevice xen(final String vdev, final long diskAndEnd, final int end)
    {
        return xen(vdev, diskAndEnd, end, (int)diskAndEnd);
    }

    private static VirtualDevice xen(final String vdev, final long diskAndEnd, final int end, final int partitionStart)
    {
        final int disk = (int)(diskAndEnd >>> 32);
        final int partition = partition(vdev, partitionStart, end);
        final int id;
        if (disk < 16 && partition < 16)
        {
            id = XVD_MAJOR << 8 | disk << 4 | partition;
        }
        else if (disk < MAX_EXTENDED_DISKS && partition < 256)
        {
            id = EXTENDED | disk << 8 | partition;
        }
        else
        {
            throw bad(vdev, "beyond the largest Xen device number (disk < 2^20, partition < 256)");
        }
        return new VirtualDevice(vdev, Bus.XEN, disk, partition, id);
    }

    /**
     * Reads the disk letters starting at {@code from}: bijective base 26, a = 0, z = 25, aa = 26.
     *
     * @return the disk index in the high 32 bits, the index just past the letters in the low 32.
     */
    private static long letters(final String vdev, final int from)
    {
        int at = from;
        long disk = -1;
        while (at < vdev.length() && vdev.charAt(at) >= 'a' && vdev.charAt(at) <= 'z')
        {
            disk = (disk + 1) * 26 + (vdev.charAt(at) - 'a');
            if (disk >= MAX_EXTENDED_DISKS)
            {
                throw bad(vdev, "disk letters beyond the largest Xen device number");
            }
            at++;
        }
        if (disk < 0)
        {
            throw bad(vdev, "no disk letter after '" + vdev.substring(0, from) + "'");
        }
        return disk << 32 | at;
    }

    private static int partition(final String vdev, final int from, final int end)
    {
        return from == end ? 0 : number(vdev, from, end, false);
    }

    private static int number(final String vdev, final int from, final int end, final boolean zeroAllowed)
    {
        if (vdev.charAt(from) == '0' && (end - from > 1 || !zeroAllowed))
        {
            throw bad(vdev, "a number may not start with 0");
        }
        long value = 0;
        for (int i = from; i < end; i++)
        {
            final char c = vdev.charAt(i);
            if (!isDigit(c))
            {
                throw bad(vdev, "unexpected '" + c + "'");
            }
            value = value * 10 + (c - '0');
            if (value >= MAX_EXTENDED_DISKS)
            {
                throw bad(vdev, "number too large");
            }
        }
        return (int)value;
    }

    private static boolean isDigit(final char c)
    {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException bad(final String vdev, final String why)
    {
        return new IllegalArgumentException("bad virtual device '" + vdev + "': " + why);
    }
}
