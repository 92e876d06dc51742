using System.Buffers.Binary;
using IcmpKit.Wire.Capture;
using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IcmpV6;
using IcmpKit.Wire.IPv4;
using IcmpKit.Wire.IPv6;

namespace IcmpKit.Wire.Tests.Capture;

public class CaptureReaderTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static (CaptureReader Reader, IReadOnlyList<CaptureRecord> Records) Read(string hex)
    {
        var reader = new CaptureReader(Convert.FromHexString(hex));
        return (reader, reader.Records());
    }

    /// <summary>Finds the IP packet of a record and checks it is the echo request every file carries.</summary>
    private static void AssertEcho(CaptureRecord record, int expectedOffset)
    {
        var frame = record.Data.Span;
        Assert.True(LinkLayer.TryFindIPPacket(record.LinkType, frame, out int offset, out var error), error.ToString());
        Assert.Equal(expectedOffset, offset);
        var ip = frame[offset..];
        if (ip[0] >> 4 == 4)
        {
            Assert.True(IPv4Packet.TryRead(ip, out var v4, out _));
            Assert.True(IcmpV4Message.TryParse(v4.Payload, out var message, out _));
            Assert.Equal((ushort)0x1234, Assert.IsType<IcmpV4Message.EchoRequest>(message).Identifier);
        }
        else
        {
            Assert.True(IPv6Packet.TryRead(ip, out var v6, out _));
            Assert.True(IcmpV6Message.TryParse(v6.Payload, v6.SourceAddress, v6.DestinationAddress, out var message, out _));
            Assert.True(message!.ChecksumValid);
            Assert.Equal((ushort)0x1234, Assert.IsType<IcmpV6Message.EchoRequest>(message).Identifier);
        }
    }

    [Fact]
    public void Pcap_little_endian_microseconds_ethernet()
    {
        var (reader, records) = Read(CaptureFiles.EthernetLittleEndianMicro);
        Assert.True(reader.Error.IsNone);
        Assert.Equal(2, records.Count);
        Assert.Equal((1, LinkType.Ethernet, 46, 46), (records[0].Index, records[0].LinkType, records[0].Data.Length, records[0].OriginalLength));
        Assert.Equal(Start.AddTicks(1_234_560), records[0].Timestamp);
        Assert.Equal(Start.AddSeconds(1).AddTicks(1_234_560), records[1].Timestamp);
        Assert.Equal((2, 66), (records[1].Index, records[1].Data.Length));
        AssertEcho(records[0], 14);
        AssertEcho(records[1], 14);
    }

    [Fact]
    public void Pcap_big_endian_microseconds()
    {
        var (reader, records) = Read(CaptureFiles.EthernetBigEndianMicro);
        Assert.True(reader.Error.IsNone);
        var record = Assert.Single(records);
        Assert.Equal(Start.AddTicks(1_234_560), record.Timestamp);
        Assert.Equal(LinkType.Ethernet, record.LinkType);
        AssertEcho(record, 14);
    }

    [Fact]
    public void Pcap_nanoseconds_keep_100_ns_ticks()
    {
        var (reader, records) = Read(CaptureFiles.EthernetLittleEndianNano);
        Assert.True(reader.Error.IsNone);
        var record = Assert.Single(records);
        Assert.Equal(Start.AddTicks(1_234_567), record.Timestamp);
        AssertEcho(record, 14);
    }

    [Fact]
    public void Ethernet_with_802_1Q_and_802_1ad_tags()
    {
        var (_, records) = Read(CaptureFiles.Vlan);
        Assert.Equal(2, records.Count);
        AssertEcho(records[0], 18);
        AssertEcho(records[1], 22);
    }

    [Fact]
    public void Raw_link_type()
    {
        var (_, records) = Read(CaptureFiles.Raw);
        Assert.All(records, r => Assert.Equal(LinkType.Raw, r.LinkType));
        AssertEcho(records[0], 0);
        AssertEcho(records[1], 0);
    }

    [Fact]
    public void Linux_cooked_capture()
    {
        var (_, records) = Read(CaptureFiles.LinuxSll);
        Assert.All(records, r => Assert.Equal(LinkType.LinuxSll, r.LinkType));
        AssertEcho(records[0], 16);
        AssertEcho(records[1], 16);
    }

    [Fact]
    public void Pcapng_from_editcap_microseconds()
    {
        var (reader, records) = Read(CaptureFiles.EditcapMicro);
        Assert.True(reader.Error.IsNone);
        Assert.Equal(2, records.Count);
        Assert.Equal(Start.AddTicks(1_234_560), records[0].Timestamp);
        Assert.Equal(Start.AddSeconds(1).AddTicks(1_234_560), records[1].Timestamp);
        Assert.Equal((46, 66), (records[0].OriginalLength, records[1].OriginalLength));
        AssertEcho(records[0], 14);
        AssertEcho(records[1], 14);
    }

    [Fact]
    public void Pcapng_from_editcap_with_nanosecond_resolution()
    {
        var (reader, records) = Read(CaptureFiles.EditcapNano);
        Assert.True(reader.Error.IsNone);
        var record = Assert.Single(records);
        Assert.Equal(Start.AddTicks(1_234_567), record.Timestamp);
        AssertEcho(record, 14);
    }

    [Fact]
    public void Pcapng_from_scapy()
    {
        var (reader, records) = Read(CaptureFiles.ScapyPcapNg);
        Assert.True(reader.Error.IsNone);
        var record = Assert.Single(records);
        Assert.Equal(Start.AddMilliseconds(500), record.Timestamp);
        AssertEcho(record, 14);
    }

    [Fact]
    public void Truncated_pcap_keeps_the_records_before_the_cut()
    {
        var file = Convert.FromHexString(CaptureFiles.EthernetLittleEndianMicro);
        var reader = new CaptureReader(file.AsMemory(0, file.Length - 10));
        var record = Assert.Single(reader.Records());
        Assert.Equal(46, record.Data.Length);
        Assert.Equal(new WireError(WireErrorKind.LengthBeyondBuffer, 24 + 16 + 46 + 8), reader.Error);

        reader = new CaptureReader(file.AsMemory(0, 24 + 16 + 46 + 10));
        Assert.Single(reader.Records());
        Assert.Equal(new WireError(WireErrorKind.Truncated, 86), reader.Error);

        reader = new CaptureReader(file.AsMemory(0, 20));
        Assert.Empty(reader.Records());
        Assert.Equal(WireErrorKind.Truncated, reader.Error.Kind);
    }

    [Fact]
    public void Truncated_pcapng_keeps_the_records_before_the_cut()
    {
        var file = Convert.FromHexString(CaptureFiles.EditcapMicro);
        var reader = new CaptureReader(file.AsMemory(0, file.Length - 10));
        Assert.Single(reader.Records());
        Assert.Equal(WireErrorKind.BadOptionLength, reader.Error.Kind);
    }

    [Fact]
    public void Records_can_be_read_twice_and_the_error_resets()
    {
        var reader = new CaptureReader(Convert.FromHexString(CaptureFiles.Raw));
        Assert.Equal(2, reader.Records().Count);
        Assert.Equal(2, reader.Records().Count);
        Assert.True(reader.Error.IsNone);
    }

    [Theory]
    [InlineData("")]
    [InlineData("d4c3")]
    public void Shorter_than_a_magic_is_truncated(string hex)
    {
        var reader = new CaptureReader(Convert.FromHexString(hex));
        Assert.Empty(reader.Records());
        Assert.Equal(WireErrorKind.Truncated, reader.Error.Kind);
    }

    [Fact]
    public void Unknown_magic_is_a_bad_field()
    {
        var reader = new CaptureReader(new byte[24]);
        Assert.Empty(reader.Records());
        Assert.Equal(new WireError(WireErrorKind.BadField, 0), reader.Error);
    }

    /// <summary>The editcap microsecond file with its first enhanced packet block's interface id replaced.</summary>
    private static byte[] EditcapWithInterfaceId(uint id)
    {
        var file = Convert.FromHexString(CaptureFiles.EditcapMicro);
        int epb = 0x6c + 0x14; // after the section header block (108 bytes) and the interface block (20 bytes)
        Assert.Equal(6u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(epb)));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(epb + 8), id);
        return file;
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(0x8000_0000u)]
    [InlineData(0xFFFF_FFFFu)]
    public void Pcapng_packet_naming_a_missing_interface_is_an_error_not_an_exception(uint id)
    {
        var reader = new CaptureReader(EditcapWithInterfaceId(id));
        Assert.Empty(reader.Records());
        Assert.Equal(new WireError(WireErrorKind.BadField, 0x6c + 0x14 + 8), reader.Error);
    }

    [Fact]
    public void Pcapng_timestamp_beyond_year_9999_is_clamped_not_thrown()
    {
        var file = Convert.FromHexString(CaptureFiles.EditcapMicro);
        int epb = 0x6c + 0x14;
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(epb + 12), ulong.MaxValue);
        var reader = new CaptureReader(file);
        var records = reader.Records();
        Assert.Equal(2, records.Count);
        Assert.Equal(DateTimeOffset.MaxValue, records[0].Timestamp);
    }

    [Theory]
    [InlineData(LinkType.Null, 4)]
    [InlineData(LinkType.IPv4, 0)]
    [InlineData(LinkType.IPv6, 0)]
    public void Fixed_link_headers(LinkType linkType, int expected)
    {
        Assert.True(LinkLayer.TryFindIPPacket(linkType, new byte[64], out int offset, out _));
        Assert.Equal(expected, offset);
    }

    [Fact]
    public void Linux_cooked_headers_must_name_IP()
    {
        var sll = new byte[64];
        sll[14] = 0x08; // ARP
        sll[15] = 0x06;
        Assert.False(LinkLayer.TryFindIPPacket(LinkType.LinuxSll, sll, out _, out var error));
        Assert.Equal(new WireError(WireErrorKind.BadField, 14), error);
        sll[15] = 0x00; // IPv4
        Assert.True(LinkLayer.TryFindIPPacket(LinkType.LinuxSll, sll, out int offset, out _));
        Assert.Equal(16, offset);

        var sll2 = new byte[64];
        Assert.False(LinkLayer.TryFindIPPacket(LinkType.LinuxSll2, sll2, out _, out error));
        Assert.Equal(new WireError(WireErrorKind.BadField, 0), error);
        sll2[0] = 0x86;
        sll2[1] = 0xdd;
        Assert.True(LinkLayer.TryFindIPPacket(LinkType.LinuxSll2, sll2, out offset, out _));
        Assert.Equal(20, offset);
        Assert.False(LinkLayer.TryFindIPPacket(LinkType.LinuxSll2, sll2.AsSpan(0, 1), out _, out error));
        Assert.Equal(WireErrorKind.Truncated, error.Kind);
    }

    [Fact]
    public void Link_layer_rejects_non_ip_short_frames_and_unknown_types()
    {
        var arp = new byte[60];
        arp[12] = 0x08;
        arp[13] = 0x06;
        Assert.False(LinkLayer.TryFindIPPacket(LinkType.Ethernet, arp, out _, out var error));
        Assert.Equal(new WireError(WireErrorKind.BadField, 12), error);
        Assert.False(LinkLayer.TryFindIPPacket(LinkType.Ethernet, arp.AsSpan(0, 13), out _, out error));
        Assert.Equal(WireErrorKind.Truncated, error.Kind);
        byte[] vlanOnly = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0, 0, 42];
        Assert.False(LinkLayer.TryFindIPPacket(LinkType.Ethernet, vlanOnly, out _, out error));
        Assert.Equal(WireErrorKind.Truncated, error.Kind);
        byte[] sllHeaderOnly = [0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00];
        Assert.False(LinkLayer.TryFindIPPacket(LinkType.LinuxSll, sllHeaderOnly, out _, out error));
        Assert.Equal(WireErrorKind.Truncated, error.Kind);
        Assert.False(LinkLayer.TryFindIPPacket((LinkType)147, new byte[64], out _, out error));
        Assert.Equal(WireErrorKind.BadField, error.Kind);
    }
}
