package io.javisor.netback.pcap;

import io.javisor.netback.spec.MacAddress;
import io.javisor.netback.wire.EthernetDescriptor;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PcapWriterTest
{
    private static final long SOURCE = 0x00_16_3E_00_00_01L;
    private static final long DESTINATION = 0x00_16_3E_00_00_02L;
    private static final long T0 = 1_700_000_000_123_456_789L;
    private static final int UDP_PORT = 12345;
    private static final int JUMBO = 9000;
    private static final int SNAPLEN = 1600;

    @TempDir
    Path dir;

    /**
     * The frames every test writes: an ARP request (broadcast), an IPv4/UDP datagram, and a
     * jumbo IPv4/UDP datagram longer than the snap length.
     */
    private static List<byte[]> frames()
    {
        final List<byte[]> frames = new ArrayList<>();
        frames.add(arpRequest());
        frames.add(udp(DESTINATION, "hello from javisor".getBytes(StandardCharsets.US_ASCII)));
        final byte[] payload = new byte[JUMBO - EthernetDescriptor.HEADER_LENGTH - 28];
        Arrays.fill(payload, (byte)'j');
        frames.add(udp(MacAddress.BROADCAST, payload));
        return frames;
    }

    private static byte[] arpRequest()
    {
        final byte[] frame = new byte[EthernetDescriptor.MIN_FRAME_LENGTH];
        final ByteBuffer out = ByteBuffer.wrap(frame);
        header(out, MacAddress.BROADCAST, EthernetDescriptor.ETHERTYPE_ARP);
        out.putShort((short)1).putShort((short)0x0800).put((byte)6).put((byte)4).putShort((short)1);
        putMac(out, SOURCE);
        out.put(new byte[]{10, 0, 0, 1});
        putMac(out, 0);
        out.put(new byte[]{10, 0, 0, 2});
        return frame;
    }

    private static byte[] udp(final long destination, final byte[] payload)
    {
        final int ipLength = 20 + 8 + payload.length;
        final byte[] frame = new byte[Math.max(EthernetDescriptor.MIN_FRAME_LENGTH, EthernetDescriptor.HEADER_LENGTH + ipLength)];
        final ByteBuffer out = ByteBuffer.wrap(frame);
        header(out, destination, EthernetDescriptor.ETHERTYPE_IPV4);
        final int ip = out.position();
        out.put((byte)0x45).put((byte)0).putShort((short)ipLength).putShort((short)0x1234).putShort((short)0x4000)
            .put((byte)64).put((byte)17).putShort((short)0)
            .put(new byte[]{10, 0, 0, 1}).put(new byte[]{10, 0, 0, 2});
        int sum = 0;
        for (int i = ip; i < ip + 20; i += 2)
        {
            sum += (frame[i] & 0xFF) << 8 | frame[i + 1] & 0xFF;
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        out.putShort(ip + 10, (short)~sum);
        out.putShort((short)40000).putShort((short)UDP_PORT).putShort((short)(8 + payload.length)).putShort((short)0);
        out.put(payload);
        return frame;
    }

    private static void header(final ByteBuffer out, final long destination, final int etherType)
    {
        putMac(out, destination);
        putMac(out, SOURCE);
        out.putShort((short)etherType);
    }

    private static void putMac(final ByteBuffer out, final long mac)
    {
        out.putShort((short)(mac >>> 32)).putInt((int)mac);
    }

    /**
     * Writes each frame from an offset inside a larger buffer, as a back end would.
     */
    private static Path writeFrames(final Path file, final List<byte[]> frames, final int snaplen)
    {
        final MutableDirectBuffer staging = new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024));
        try (PcapWriter writer = PcapWriter.open(file, snaplen, 0))
        {
            for (int i = 0; i < frames.size(); i++)
            {
                final byte[] frame = frames.get(i);
                staging.putBytes(100, frame);
                writer.write(staging, 100, frame.length, T0 + i * 1_000L);
            }
            assertEquals(frames.size(), writer.records());
        }
        return file;
    }

    @Test
    void aTinyReaderSeesTheHeaderAndEveryRecord() throws IOException
    {
        final List<byte[]> frames = frames();
        final Path file = writeFrames(dir.resolve("capture.pcap"), frames, SNAPLEN);
        final ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);

        assertEquals(0xA1B2_3C4D, in.getInt(), "nanosecond magic, written little-endian");
        assertEquals(2, in.getShort());
        assertEquals(4, in.getShort());
        assertEquals(0, in.getInt(), "thiszone");
        assertEquals(0, in.getInt(), "sigfigs");
        assertEquals(SNAPLEN, in.getInt());
        assertEquals(1, in.getInt(), "LINKTYPE_ETHERNET");

        for (int i = 0; i < frames.size(); i++)
        {
            final byte[] frame = frames.get(i);
            final long stamp = T0 + i * 1_000L;
            assertEquals(stamp / 1_000_000_000L, in.getInt() & 0xFFFF_FFFFL);
            assertEquals(stamp % 1_000_000_000L, in.getInt());
            final int included = in.getInt();
            assertEquals(Math.min(frame.length, SNAPLEN), included);
            assertEquals(frame.length, in.getInt());
            final byte[] data = new byte[included];
            in.get(data);
            assertArrayEquals(Arrays.copyOf(frame, included), data, "record " + i);
        }
        assertFalse(in.hasRemaining(), "nothing after the last record");
    }

    @Test
    void tsharkDecodesExactlyTheFramesWritten() throws Exception
    {
        final String tshark = findOnPath("tshark");
        assumeTrue(tshark != null,
            "tshark is not installed, skipping the pcap cross-check (CI installs it: apt-get install -y tshark)");

        final List<byte[]> frames = frames();
        final Path file = writeFrames(dir.resolve("tshark.pcap"), frames, SNAPLEN);
        final Path errors = dir.resolve("tshark.err");
        final Process process = new ProcessBuilder(
            tshark, "-n", "-r", file.toString(), "-T", "fields", "-E", "separator=/t",
            "-e", "frame.len", "-e", "frame.cap_len", "-e", "eth.src", "-e", "eth.dst", "-e", "eth.type",
            "-e", "arp.opcode", "-e", "udp.dstport", "-e", "frame.time_epoch")
            .redirectErrorStream(false)
            .redirectError(errors.toFile())
            .start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "tshark finished");
        assertEquals(0, process.exitValue(), () -> "tshark failed: " + readQuietly(errors));

        final String[] lines = output.strip().split("\n");
        assertEquals(frames.size(), lines.length, output);
        final String[][] expected = {
            {"60", "60", "00:16:3e:00:00:01", "ff:ff:ff:ff:ff:ff", "0x0806", "1", "", "1700000000.123456789"},
            {"60", "60", "00:16:3e:00:00:01", "00:16:3e:00:00:02", "0x0800", "", "12345", "1700000000.123457789"},
            {"9000", "1600", "00:16:3e:00:00:01", "ff:ff:ff:ff:ff:ff", "0x0800", "", "12345", "1700000000.123458789"},
        };
        for (int i = 0; i < expected.length; i++)
        {
            assertArrayEquals(expected[i], lines[i].split("\t", -1), "frame " + i + ": " + lines[i]);
        }
    }

    @Test
    void flushesEveryNRecordsAndTruncatesToTheSnapLength() throws IOException
    {
        final Path file = dir.resolve("flush.pcap");
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[200]);
        final long[] clock = {T0};
        try (PcapWriter writer = new PcapWriter(
            java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE), 64, 2, () -> clock[0]))
        {
            assertEquals(PcapWriter.GLOBAL_HEADER_LENGTH, Files.size(file), "the header is written at once");
            writer.write(frame, 0, 200);
            assertEquals(PcapWriter.GLOBAL_HEADER_LENGTH, Files.size(file), "one record stays staged");
            clock[0] += 5;
            writer.write(frame, 0, 10);
            assertEquals(PcapWriter.GLOBAL_HEADER_LENGTH + 2 * PcapWriter.RECORD_HEADER_LENGTH + 64 + 10, Files.size(file));
            writer.write(frame, 0, 0);
            writer.flush();
            assertEquals(PcapWriter.GLOBAL_HEADER_LENGTH + 3 * PcapWriter.RECORD_HEADER_LENGTH + 74, Files.size(file));
            writer.write(frame, 0, 1);
        }
        final ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(64, in.getInt(PcapWriter.SNAPLEN_OFFSET));
        final int second = PcapWriter.GLOBAL_HEADER_LENGTH + PcapWriter.RECORD_HEADER_LENGTH + 64;
        assertEquals((int)(T0 % 1_000_000_000L) + 5, in.getInt(second + PcapWriter.TS_NSEC_OFFSET), "clock stamp");
        assertEquals(PcapWriter.GLOBAL_HEADER_LENGTH + 4 * PcapWriter.RECORD_HEADER_LENGTH + 75, in.capacity(),
            "close flushed the last record");
    }

    @Test
    void writingAllocatesNothingAndOverflowsTheStagingBufferCleanly() throws IOException
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final Path file = dir.resolve("many.pcap");
        final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(1514));
        final int count = 20_000;
        long allocated = 0;
        try (PcapWriter writer = PcapWriter.open(file))
        {
            for (int round = 0; round < 2; round++)
            {
                final long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < count / 2; i++)
                {
                    frame.putInt(0, i);
                    writer.write(frame, 0, 60 + (i % 1454), T0 + i);
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(count, writer.records());
        }
        assertTrue(allocated < 4096, allocated + " bytes allocated by " + count / 2 + " records");

        final ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        in.position(PcapWriter.GLOBAL_HEADER_LENGTH);
        int records = 0;
        while (in.hasRemaining())
        {
            in.position(in.position() + 8);
            final int included = in.getInt();
            assertEquals(included, in.getInt());
            assertEquals(60 + (records % (count / 2) % 1454), included);
            assertEquals(records % (count / 2), in.getInt(in.position()));
            in.position(in.position() + included);
            records++;
        }
        assertEquals(count, records);
    }

    @Test
    void rejectsBadArgumentsAndUseAfterClose()
    {
        assertThrows(IllegalArgumentException.class, () -> PcapWriter.open(dir.resolve("a.pcap"), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> PcapWriter.open(dir.resolve("b.pcap"), 65535, -1));
        final PcapWriter writer = PcapWriter.open(dir.resolve("c.pcap"));
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[60]);
        assertThrows(IllegalArgumentException.class, () -> writer.write(frame, 0, -1, T0));
        writer.close();
        writer.close();
        assertThrows(IllegalStateException.class, () -> writer.write(frame, 0, 60, T0));
    }

    private static String findOnPath(final String name)
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return null;
        }
        for (final String directory : path.split(File.pathSeparator))
        {
            final File candidate = new File(directory, name);
            if (candidate.isFile() && candidate.canExecute())
            {
                return candidate.getPath();
            }
        }
        return null;
    }

    private static String readQuietly(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return "(no stderr: " + ex + ")";
        }
    }
}
