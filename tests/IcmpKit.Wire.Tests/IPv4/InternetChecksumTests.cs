using System.Buffers.Binary;
using IcmpKit.Wire.Checksum;

namespace IcmpKit.Wire.Tests.IPv4;

public class InternetChecksumTests
{
    /// <summary>RFC 1071 §4.1 written out plainly: 16-bit big-endian words, a 32-bit sum, folded, complemented.</summary>
    private static ushort Reference(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += (uint)((data[i] << 8) | data[i + 1]);
        }
        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }
        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void Rfc_1071_example()
    {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        Assert.Equal(0x220d, InternetChecksum.Compute(data));
        Assert.Equal(0x220d, Reference(data));
    }

    [Fact]
    public void Known_ipv4_header()
    {
        // /usr/bin/python3 -c "from scapy.all import *; print(bytes(IP(src='198.18.0.1',dst='198.18.0.2',id=1)/ICMP(type=8,id=0x1234,seq=1)/b'abcdefgh').hex())"
        var header = Convert.FromHexString("45000024000100004001eeb0c6120001c6120002");
        Assert.True(InternetChecksum.Verify(header));
        header[10] = 0;
        header[11] = 0;
        Assert.Equal(0xeeb0, InternetChecksum.Compute(header));
    }

    [Theory]
    [InlineData(new byte[] { }, 0xFFFF)]
    [InlineData(new byte[] { 0x01 }, 0xFEFF)]
    [InlineData(new byte[] { 0x01, 0x02, 0x03 }, 0xFBFD)]
    [InlineData(new byte[] { 0xFF, 0xFF }, 0x0000)]
    [InlineData(new byte[] { 0xFF }, 0x00FF)]
    [InlineData(new byte[] { 0x00, 0x00, 0x00 }, 0xFFFF)]
    public void Short_and_odd_lengths(byte[] data, int expected)
    {
        Assert.Equal(expected, InternetChecksum.Compute(data));
        Assert.Equal(expected, Reference(data));
    }

    [Fact]
    public void Every_length_to_300_matches_the_reference()
    {
        for (int length = 0; length <= 300; length++)
        {
            var data = Random(length + 3, length);
            for (int start = 0; start < 4; start++) // unaligned starts for the vector loads
            {
                var span = data.AsSpan(start, length);
                Assert.True(Reference(span) == InternetChecksum.Compute(span), $"length {length}, start {start}");
            }
            var ones = Enumerable.Repeat((byte)0xFF, length).ToArray();
            Assert.True(Reference(ones) == InternetChecksum.Compute(ones), $"0xFF x {length}");
        }
    }

    [Theory]
    [InlineData(65536)]
    [InlineData(65535)]
    [InlineData(65537)]
    public void Large_buffers_match_the_reference(int length)
    {
        var data = Random(length, length);
        Assert.Equal(Reference(data), InternetChecksum.Compute(data));
        var ones = Enumerable.Repeat((byte)0xFF, length).ToArray();
        Assert.Equal(Reference(ones), InternetChecksum.Compute(ones));
        var high = Enumerable.Repeat((byte)0xFE, length).ToArray();
        Assert.Equal(Reference(high), InternetChecksum.Compute(high));
    }

    [Fact]
    public void Adding_in_pieces_equals_adding_the_whole()
    {
        var rng = new Random(1624);
        for (int round = 0; round < 300; round++)
        {
            var data = Random(rng.Next(0, 400), round);
            ushort whole = InternetChecksum.Compute(data);
            var c = new InternetChecksum();
            int at = 0;
            while (at < data.Length)
            {
                int n = Math.Min(data.Length - at, rng.Next(0, 6) == 0 ? rng.Next(0, 200) : rng.Next(0, 4));
                c.Add(data.AsSpan(at, n));
                at += n;
            }
            Assert.True(whole == c.Finish(), $"round {round}");
        }
    }

    [Fact]
    public void Adding_split_at_every_odd_offset()
    {
        var data = Random(157, 7);
        ushort whole = InternetChecksum.Compute(data);
        for (int split = 1; split < data.Length; split += 2)
        {
            var c = new InternetChecksum();
            c.Add(data.AsSpan(0, split));
            c.Add(data.AsSpan(split, 1));
            c.Add(data.AsSpan(split + 1));
            Assert.Equal(whole, c.Finish());
        }
    }

    [Fact]
    public void AddWord_equals_adding_its_big_endian_bytes()
    {
        var c = new InternetChecksum();
        c.AddWord(0x0001);
        c.AddWord(0xf203);
        c.Add(new byte[] { 0xf4, 0xf5, 0xf6, 0xf7 });
        Assert.Equal(0x220d, c.Finish());
    }

    [Fact]
    public void Ipv4_pseudo_header_verifies_a_known_udp_datagram()
    {
        // The UDP datagram quoted in:
        // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=11,code=0)/IP(src='198.18.0.1',dst='198.18.9.9',ttl=1,id=0x1111)/UDP(sport=54321,dport=33435)/(b'\x00'*12)).hex())"
        var udp = Convert.FromHexString("d431829b001413ca000000000000000000000000");
        var c = new InternetChecksum();
        c.AddIPv4PseudoHeader([198, 18, 0, 1], [198, 18, 9, 9], 17, (ushort)udp.Length);
        c.Add(udp);
        Assert.Equal(0, c.Finish());

        udp[6] = 0;
        udp[7] = 0;
        var d = new InternetChecksum();
        d.AddIPv4PseudoHeader([198, 18, 0, 1], [198, 18, 9, 9], 17, (ushort)udp.Length);
        d.Add(udp);
        Assert.Equal(0x13ca, d.Finish());
    }

    [Fact]
    public void Pseudo_header_equals_its_bytes_added_by_hand()
    {
        byte[] pseudo = [198, 18, 0, 1, 198, 18, 9, 9, 0, 6, 0x01, 0x02];
        var data = Random(0x0102, 3);
        var manual = new InternetChecksum();
        manual.Add(pseudo);
        manual.Add(data);
        var helper = new InternetChecksum();
        helper.AddIPv4PseudoHeader(pseudo.AsSpan(0, 4), pseudo.AsSpan(4, 4), 6, 0x0102);
        helper.Add(data);
        Assert.Equal(manual.Finish(), helper.Finish());
        Assert.Throws<ArgumentOutOfRangeException>(() => new InternetChecksum().AddIPv4PseudoHeader(new byte[3], new byte[4], 6, 0));
    }

    [Fact]
    public void Rfc_1624_update_equals_recomputation()
    {
        var rng = new Random(1141);
        for (int round = 0; round < 2000; round++)
        {
            var data = Random(2 * rng.Next(2, 40), round);
            data[0] = 0; // checksum field at 0..1
            data[1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(data, InternetChecksum.Compute(data));
            int field = 2 * rng.Next(1, data.Length / 2);
            ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(field));
            ushort newWord = round % 10 == 0 ? (ushort)0 : round % 10 == 1 ? (ushort)0xFFFF : (ushort)rng.Next(0, 65536);
            ushort updated = InternetChecksum.Update(BinaryPrimitives.ReadUInt16BigEndian(data), oldWord, newWord);

            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(field), newWord);
            BinaryPrimitives.WriteUInt16BigEndian(data, updated);
            Assert.True(InternetChecksum.Verify(data), $"round {round}: updated checksum does not verify");
            data[0] = 0;
            data[1] = 0;
            ushort recomputed = InternetChecksum.Compute(data);
            // +0 and -0 are the same one's complement number (RFC 1624 §3): accept either where they differ.
            Assert.True(recomputed == updated || (IsZeroOrOnes(recomputed) && IsZeroOrOnes(updated)),
                $"round {round}: {recomputed:x4} vs {updated:x4}");
        }
    }

    [Fact]
    public void Rfc_1624_update_of_an_echo_sequence_number()
    {
        // Echo request, sequence 1 -> 2; the expected value is scapy's.
        // /usr/bin/python3 -c "from scapy.all import *; print(bytes(ICMP(type=8,id=0x1234,seq=2)/b'abcdefgh').hex())"
        Assert.Equal(0x5434, InternetChecksum.Update(0x5435, 1, 2));
    }

    [Fact]
    public void Rfc_1624_update_to_all_zero_data_gives_the_checksum_that_verifies()
    {
        // Echo request id 0, seq 0, no data -> echo reply: the rest of the message becomes all zeros, where eqn. 3
        // alone yields 0x0000 and only 0xFFFF verifies.
        byte[] message = [0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), InternetChecksum.Compute(message));
        ushort updated = InternetChecksum.Update(BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2)), 0x0800, 0x0000);
        message[0] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), updated);
        Assert.Equal(0xFFFF, updated);
        Assert.True(InternetChecksum.Verify(message));
    }

    private static bool IsZeroOrOnes(ushort value) => value is 0 or 0xFFFF;
}
