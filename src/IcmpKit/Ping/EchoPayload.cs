using System.Buffers.Binary;
using IcmpKit.Transport;

namespace IcmpKit.Ping;

/// <summary>
/// The data of each request: bytes 0–7 the operation's cookie (how replies are told apart, DESIGN §3), bytes 8–15 the
/// send time (CLOCK_REALTIME ns, big-endian; only compared, never used for timing), then iputils' fill: byte i is
/// i, or the -p pattern repeated. Shorter data keeps what fits.
/// </summary>
internal sealed class EchoPayload
{
    internal const int TimestampOffset = 8;
    internal const int FillOffset = 16;

    private readonly byte[] _template;

    internal EchoPayload(int size, ulong cookie, ReadOnlySpan<byte> pattern)
    {
        _template = new byte[size];
        for (int i = 0; i < size; i++)
        {
            _template[i] = pattern.IsEmpty ? (byte)i : pattern[i % pattern.Length];
        }
        Span<byte> cookieBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(cookieBytes, cookie);
        cookieBytes[..Math.Min(IcmpTransport.CookieLength, size)].CopyTo(_template);
    }

    internal int Size => _template.Length;

    /// <summary>True when the data is long enough to carry the whole cookie.</summary>
    internal bool HasCookie => _template.Length >= IcmpTransport.CookieLength;

    internal void Write(Span<byte> data, long sentAtNanoseconds)
    {
        _template.CopyTo(data);
        if (_template.Length >= FillOffset)
        {
            BinaryPrimitives.WriteInt64BigEndian(data[TimestampOffset..], sentAtNanoseconds);
        }
    }

    /// <summary>True when <paramref name="data"/> starts with this operation's cookie (or the data is too short for one).</summary>
    internal bool CookieMatches(ReadOnlySpan<byte> data)
    {
        int length = Math.Min(IcmpTransport.CookieLength, _template.Length);
        return data.Length >= length && data[..length].SequenceEqual(_template.AsSpan(0, length));
    }

    /// <summary>The first byte of echoed data that differs from what was sent (a short reply differs at its end).</summary>
    internal WrongDataByte? FindWrongByte(ReadOnlySpan<byte> data, long sentAtNanoseconds)
    {
        Span<byte> expected = _template.Length <= 1024 ? stackalloc byte[_template.Length] : new byte[_template.Length];
        Write(expected, sentAtNanoseconds);
        int common = Math.Min(expected.Length, data.Length);
        int index = expected[..common].CommonPrefixLength(data[..common]);
        if (index < common)
        {
            return new WrongDataByte(index, expected[index], data[index]);
        }
        return data.Length < expected.Length ? new WrongDataByte(data.Length, expected[data.Length], 0) : null;
    }
}
