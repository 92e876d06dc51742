using IcmpKit.Wire.IcmpV4;
using IcmpKit.Wire.IPv4;

namespace IcmpKit.Wire.Tests.Hostile;

public class PrefixAndMutationTests
{
    private static readonly byte[] Values = [0x00, 0x01, 0x02, 0x04, 0x0F, 0x45, 0x4F, 0x7F, 0x80, 0xFE, 0xFF];

    /// <summary>Parses from an exact-size copy (a read past the end would throw) and from a slice of a poisoned buffer; both must agree.</summary>
    private static void ParseIcmpBothWays(byte[] bytes, string what)
    {
        try
        {
            bool ok = IcmpV4Message.TryParse(bytes.ToArray(), out var exact, out var error);
            var big = new byte[bytes.Length + 64];
            big.AsSpan().Fill(0xA5);
            bytes.CopyTo(big, 0);
            bool ok2 = IcmpV4Message.TryParse(big.AsSpan(0, bytes.Length), out var sliced, out var error2);
            Assert.Equal(ok, ok2);
            Assert.Equal(error, error2);
            if (ok)
            {
                Assert.True(error.IsNone);
                Assert.Equal(Touch.Message(exact!), Touch.Message(sliced!));
            }
            else
            {
                Assert.Null(exact);
                Assert.False(error.IsNone);
                Assert.InRange(error.Offset, 0, bytes.Length);
            }
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"{what}: {e}");
        }
    }

    private static void DatagramBothWays(byte[] bytes, string what)
    {
        try
        {
            Touch.Datagram(bytes.ToArray());
            var big = new byte[bytes.Length + 64];
            big.AsSpan().Fill(0xA5);
            bytes.CopyTo(big, 0);
            Touch.Datagram(big.AsSpan(0, bytes.Length));
            if (IPv4Packet.TryRead(bytes, out var packet, out _) && IcmpV4Message.TryParse(packet.Payload, out var m, out _))
            {
                Touch.Message(m!);
            }
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"{what}: {e}");
        }
    }

    [Fact]
    public void Every_strict_prefix_of_every_icmp_message()
    {
        foreach (var (name, bytes) in KnownPackets.Icmp)
        {
            Assert.True(IcmpV4Message.TryParse(bytes, out _, out _), name);
            for (int n = 0; n < bytes.Length; n++)
            {
                var prefix = bytes[..n];
                ParseIcmpBothWays(prefix, $"{name}[..{n}]");
                if (n < 8)
                {
                    Assert.False(IcmpV4Message.TryParse(prefix, out _, out var error));
                    Assert.Equal(new WireError(WireErrorKind.Truncated, n), error);
                }
            }
        }
    }

    [Fact]
    public void Every_strict_prefix_of_every_datagram()
    {
        foreach (var (name, bytes) in KnownPackets.Datagrams)
        {
            int headerLength = (bytes[0] & 0x0F) * 4;
            for (int n = 0; n < bytes.Length; n++)
            {
                var prefix = bytes[..n];
                DatagramBothWays(prefix, $"{name}[..{n}]");
                Assert.False(IPv4Packet.TryRead(prefix, out _, out var error));
                var expected = n < headerLength
                    ? new WireError(WireErrorKind.Truncated, n)
                    : new WireError(WireErrorKind.LengthBeyondBuffer, 2);
                Assert.Equal(expected, error);
                Assert.Equal(n >= headerLength, IPv4Packet.TryReadQuoted(prefix, out _, out _));
            }
        }
    }

    [Fact]
    public void Every_single_byte_mutation_of_every_icmp_message()
    {
        foreach (var (name, bytes) in KnownPackets.Icmp)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                foreach (byte value in Values.Append((byte)(bytes[i] ^ 0x01)))
                {
                    var mutated = (byte[])bytes.Clone();
                    mutated[i] = value;
                    ParseIcmpBothWays(mutated, $"{name}[{i}]={value:x2}");
                }
            }
        }
    }

    [Fact]
    public void Every_single_byte_mutation_of_every_datagram()
    {
        foreach (var (name, bytes) in KnownPackets.Datagrams)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                foreach (byte value in Values.Append((byte)(bytes[i] ^ 0x01)))
                {
                    var mutated = (byte[])bytes.Clone();
                    mutated[i] = value;
                    DatagramBothWays(mutated, $"{name}[{i}]={value:x2}");
                }
            }
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var rng = new Random(23093);
        for (int round = 0; round < 20000; round++)
        {
            var bytes = new byte[rng.Next(0, 200)];
            rng.NextBytes(bytes);
            if (bytes.Length > 0)
            {
                bytes[0] = (byte)(round % 256);
            }
            if (bytes.Length > 8 && round % 3 == 0)
            {
                bytes[8] = (byte)(0x40 | (bytes[8] & 0x0F)); // an IPv4 quote
            }
            ParseIcmpBothWays(bytes, $"random icmp {round}");
            if (bytes.Length > 0)
            {
                bytes[0] = (byte)(0x40 | (bytes[0] & 0x0F));
            }
            DatagramBothWays(bytes, $"random datagram {round}");
        }
    }
}
