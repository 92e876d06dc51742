using System.Net;
using IcmpKit.Wire.IPv4;
using static IcmpKit.Wire.Tests.IPv4.OptionPackets;

namespace IcmpKit.Wire.Tests.IPv4;

public class IPv4OptionTests
{
    private static readonly IPAddress R1 = IPAddress.Parse("198.18.1.1");
    private static readonly IPAddress R2 = IPAddress.Parse("198.18.2.1");

    private static IPv4Header ParseHeader(byte[] datagram)
    {
        Assert.True(IPv4Header.TryParse(datagram, out var header, out var error), error.ToString());
        Assert.True(header!.OptionsError.IsNone);
        Assert.True(header.HeaderChecksumValid);
        return header;
    }

    /// <summary>The header value scapy's datagram should have, with the options given.</summary>
    private static IPv4Header Expected(byte[] datagram, params IPv4Option[] options) => new()
    {
        TotalLength = (ushort)datagram.Length,
        Identification = datagram[5],
        TimeToLive = 64,
        Protocol = 1,
        Source = IPAddress.Parse("198.18.0.1"),
        Destination = IPAddress.Parse("198.18.0.2"),
        Options = options,
    };

    private static void AssertWrites(IPv4Header header, byte[] datagram)
    {
        int length = (datagram[0] & 0x0F) * 4;
        Assert.Equal(length, header.HeaderLength);
        var buffer = new byte[length + 8];
        buffer.AsSpan().Fill(0xA5);
        Assert.Equal(length, header.Write(buffer));
        Assert.Equal(Convert.ToHexString(datagram[..length]), Convert.ToHexString(buffer[..length]));
        Assert.All(buffer[length..], b => Assert.Equal(0xA5, b));
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(OptionPackets))]
    public void View_exposes_the_options_area_and_the_walk_covers_it(string name)
    {
        var datagram = ByName(name);
        Assert.True(IPv4Packet.TryRead(datagram, out var p, out _));
        Assert.Equal((datagram[0] & 0x0F) * 4, p.HeaderLength);
        Assert.Equal(datagram[20..p.HeaderLength], p.Options.ToArray());
        Assert.Equal(datagram[p.HeaderLength..], p.Payload.ToArray());
        Assert.True(p.IsHeaderChecksumValid);

        var reader = new IPv4OptionReader(p.Options);
        int covered = 0;
        while (reader.MoveNext())
        {
            Assert.Equal(covered, reader.CurrentOffset);
            Assert.Equal((IPv4OptionType)p.Options[covered], reader.CurrentType);
            covered += reader.CurrentBytes.Length;
        }
        Assert.True(reader.Error.IsNone);
        Assert.Equal(p.Options.Length, covered);
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(OptionPackets))]
    public void Writer_with_raw_options_gives_the_same_header(string name)
    {
        var datagram = ByName(name);
        int length = (datagram[0] & 0x0F) * 4;
        var buffer = new byte[length + 4];
        buffer.AsSpan().Fill(0xA5);
        var w = new IPv4PacketWriter(buffer.AsSpan(0, length));
        w.SetVersionAndHeaderLength(length);
        w.SetTypeOfService(0);
        w.SetTotalLength((ushort)datagram.Length);
        w.SetIdentification(datagram[5]);
        w.SetFlagsAndFragmentOffset(false, false, false, 0);
        w.SetTimeToLive(64);
        w.SetProtocol(1);
        w.SetSourceAddress([198, 18, 0, 1]);
        w.SetDestinationAddress([198, 18, 0, 2]);
        Assert.Equal(length - 20, w.Options.Length);
        datagram.AsSpan(20, length - 20).CopyTo(w.Options);
        w.FillHeaderChecksum();
        Assert.Equal(datagram[..length], buffer[..length]);
        Assert.All(buffer[length..], b => Assert.Equal(0xA5, b));
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(OptionPackets))]
    public void FromPacket_then_Write_reproduces_the_header(string name)
    {
        var datagram = ByName(name);
        Assert.True(IPv4Packet.TryRead(datagram, out var p, out _));
        AssertWrites(IPv4Header.FromPacket(p), datagram);
    }

    [Fact]
    public void Record_route()
    {
        var h = ParseHeader(RecordRoute);
        Assert.Equal(36, h.HeaderLength);
        Assert.Equal(2, h.Options.Count);
        var rr = Assert.IsType<IPv4RouteOption>(h.Options[0]);
        Assert.Equal(IPv4OptionType.RecordRoute, rr.Type);
        Assert.Equal(IPv4OptionType.RecordRoute, rr.Kind);
        Assert.Equal(8, rr.Pointer);
        Assert.Equal(15, rr.EncodedLength);
        Assert.Equal(new[] { IPAddress.Parse("198.18.0.1"), IPAddress.Any, IPAddress.Any }, rr.Slots);
        Assert.Equal(new[] { IPAddress.Parse("198.18.0.1") }, rr.Recorded);
        Assert.True(rr.IsPointerValid);
        Assert.True(rr.Trailing.IsEmpty);
        var eol = Assert.IsType<IPv4EndOfOptionList>(h.Options[1]);
        Assert.True(eol.Padding.IsEmpty);

        AssertWrites(Expected(RecordRoute,
            new IPv4RouteOption(IPv4OptionType.RecordRoute, 8, [IPAddress.Parse("198.18.0.1"), IPAddress.Any, IPAddress.Any], ReadOnlyMemory<byte>.Empty)),
            RecordRoute);
    }

    [Fact]
    public void Timestamp_flag_0_with_overflow()
    {
        var h = ParseHeader(TimestampFlag0);
        Assert.Equal(32, h.HeaderLength);
        Assert.Equal(3, h.Options.Count);
        Assert.Same(IPv4NoOperation.Instance, h.Options[0]);
        var ts = Assert.IsType<IPv4TimestampOption>(h.Options[1]);
        Assert.Equal(IPv4OptionType.Timestamp, ts.Type);
        Assert.Equal(9, ts.Pointer);
        Assert.Equal(3, ts.Overflow);
        Assert.Equal(IPv4TimestampFlag.TimestampsOnly, ts.Flag);
        Assert.Equal(4, ts.SlotSize);
        Assert.Equal(8, ts.EncodedLength);
        var slot = Assert.Single(ts.Slots);
        Assert.Null(slot.Address);
        Assert.Equal(45296789u, slot.Timestamp);
        Assert.False(slot.IsNonStandard);
        Assert.Single(ts.Recorded);
        var eol = Assert.IsType<IPv4EndOfOptionList>(h.Options[2]);
        Assert.Equal(new byte[2], eol.Padding.ToArray());

        // Padding computed by the writer: EOL without explicit padding bytes.
        AssertWrites(Expected(TimestampFlag0,
            IPv4NoOperation.Instance,
            new IPv4TimestampOption(9, 3, IPv4TimestampFlag.TimestampsOnly, [new(null, 45296789)], ReadOnlyMemory<byte>.Empty),
            new IPv4EndOfOptionList(ReadOnlyMemory<byte>.Empty)),
            TimestampFlag0);
    }

    [Fact]
    public void Timestamp_flag_1_and_router_alert()
    {
        var h = ParseHeader(TimestampFlag1);
        Assert.Equal(36, h.HeaderLength);
        Assert.Equal(2, h.Options.Count);
        var ts = Assert.IsType<IPv4TimestampOption>(h.Options[0]);
        Assert.Equal(13, ts.Pointer);
        Assert.Equal(0, ts.Overflow);
        Assert.Equal(IPv4TimestampFlag.AddressAndTimestamp, ts.Flag);
        Assert.Equal(8, ts.SlotSize);
        var slot = Assert.Single(ts.Slots);
        Assert.Equal(IPAddress.Parse("198.18.0.9"), slot.Address);
        Assert.Equal(0x80000001u, slot.Timestamp);
        Assert.True(slot.IsNonStandard);
        Assert.Single(ts.Recorded);
        var alert = Assert.IsType<IPv4RouterAlert>(h.Options[1]);
        Assert.Equal(0, alert.Value);
        Assert.Equal(IPv4OptionType.RouterAlert, alert.Type);

        AssertWrites(Expected(TimestampFlag1,
            new IPv4TimestampOption(13, 0, IPv4TimestampFlag.AddressAndTimestamp, [new(IPAddress.Parse("198.18.0.9"), 0x80000001)], ReadOnlyMemory<byte>.Empty),
            new IPv4RouterAlert(0)),
            TimestampFlag1);
    }

    [Fact]
    public void Timestamp_flag_3_prespecified()
    {
        var h = ParseHeader(TimestampFlag3);
        var ts = Assert.IsType<IPv4TimestampOption>(Assert.Single(h.Options));
        Assert.Equal(5, ts.Pointer);
        Assert.Equal(IPv4TimestampFlag.Prespecified, ts.Flag);
        var slot = Assert.Single(ts.Slots);
        Assert.Equal(IPAddress.Parse("198.18.0.2"), slot.Address);
        Assert.Equal(0u, slot.Timestamp);
        Assert.Empty(ts.Recorded);

        AssertWrites(Expected(TimestampFlag3,
            new IPv4TimestampOption(5, 0, IPv4TimestampFlag.Prespecified, [new(IPAddress.Parse("198.18.0.2"), 0)], ReadOnlyMemory<byte>.Empty)),
            TimestampFlag3);
    }

    [Fact]
    public void Loose_and_strict_source_routes()
    {
        var h = ParseHeader(SourceRoutes);
        Assert.Equal(44, h.HeaderLength);
        Assert.Equal(3, h.Options.Count);
        var lsrr = Assert.IsType<IPv4RouteOption>(h.Options[0]);
        Assert.Equal(IPv4OptionType.LooseSourceRoute, lsrr.Type);
        Assert.Equal(4, lsrr.Pointer);
        Assert.Equal(new[] { R1, R2 }, lsrr.Slots);
        Assert.Empty(lsrr.Recorded);
        Assert.True(lsrr.IsPointerValid);
        var ssrr = Assert.IsType<IPv4RouteOption>(h.Options[1]);
        Assert.Equal(IPv4OptionType.StrictSourceRoute, ssrr.Type);
        Assert.Equal(8, ssrr.Pointer);
        Assert.Equal(new[] { R1, R2 }, ssrr.Slots);
        Assert.Equal(new[] { R1 }, ssrr.Recorded);
        Assert.Equal(new byte[1], Assert.IsType<IPv4EndOfOptionList>(h.Options[2]).Padding.ToArray());

        AssertWrites(Expected(SourceRoutes,
            new IPv4RouteOption(IPv4OptionType.LooseSourceRoute, 4, [R1, R2], ReadOnlyMemory<byte>.Empty),
            new IPv4RouteOption(IPv4OptionType.StrictSourceRoute, 8, [R1, R2], ReadOnlyMemory<byte>.Empty)),
            SourceRoutes);
    }

    [Fact]
    public void Router_alert_unknown_options_nop_and_eol()
    {
        var h = ParseHeader(AlertAndUnknown);
        Assert.Equal(36, h.HeaderLength);
        Assert.Equal(5, h.Options.Count);
        Assert.Equal(new IPv4RouterAlert(0), h.Options[0]);
        var stream = Assert.IsType<IPv4UnknownOption>(h.Options[1]);
        Assert.Equal((IPv4OptionType)0x88, stream.Type);
        Assert.Equal(new byte[] { 0x12, 0x34 }, stream.Data.ToArray());
        Assert.Equal(4, stream.EncodedLength);
        var unassigned = Assert.IsType<IPv4UnknownOption>(h.Options[2]);
        Assert.Equal((IPv4OptionType)0xde, unassigned.Type);
        Assert.Equal(new byte[] { 0x07 }, unassigned.Data.ToArray());
        Assert.IsType<IPv4NoOperation>(h.Options[3]);
        var eol = Assert.IsType<IPv4EndOfOptionList>(h.Options[4]);
        Assert.Equal(new byte[3], eol.Padding.ToArray());

        AssertWrites(Expected(AlertAndUnknown,
            new IPv4RouterAlert(0),
            new IPv4UnknownOption((IPv4OptionType)0x88, new byte[] { 0x12, 0x34 }),
            new IPv4UnknownOption((IPv4OptionType)0xde, new byte[] { 0x07 }),
            IPv4NoOperation.Instance,
            new IPv4EndOfOptionList(ReadOnlyMemory<byte>.Empty)),
            AlertAndUnknown);
    }

    [Fact]
    public void Router_alert_with_nonzero_value()
    {
        Span<byte> bytes = stackalloc byte[4];
        new IPv4RouterAlert(0xBEEF).Write(bytes);
        Assert.Equal(new byte[] { 148, 4, 0xBE, 0xEF }, bytes.ToArray());
        Assert.Equal(new IPv4RouterAlert(0xBEEF), IPv4Option.FromBytes(bytes));
    }

    [Fact]
    public void Too_many_options_is_a_caller_bug()
    {
        var h = new IPv4Header { Options = [.. Enumerable.Repeat<IPv4Option>(IPv4NoOperation.Instance, 41)] };
        Assert.Equal(64, h.HeaderLength);
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Write(new byte[64]));
    }
}
