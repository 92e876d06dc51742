using System.Buffers.Binary;
using IcmpKit.Wire.IPv4;

namespace IcmpKit.Responder;

/// <summary>
/// Carries the Record Route and Timestamp options of a request into its reply, filled in by every node the round
/// trip passes (RFC 1122 §3.2.2.6: "updated to include the current host and included in the IP header of the Echo
/// Reply message, without truncation"). Other options (source routes, router alert) become NOPs, keeping the header length.
/// </summary>
internal static class RouteRecorder
{
    /// <summary>A Record Route option has room for 9 addresses (RFC 791: 39 bytes at most), so no more nodes matter.</summary>
    public const int MaxRecorders = 9;

    /// <summary>True when the options walk to their end without a malformed option.</summary>
    public static bool AreWellFormed(ReadOnlySpan<byte> options)
    {
        var reader = new IPv4OptionReader(options);
        while (reader.MoveNext())
        {
        }
        return reader.Error.IsNone;
    }

    /// <summary>
    /// Writes <paramref name="requestOptions"/> into <paramref name="replyOptions"/> (same length), recording
    /// <paramref name="recorders"/> in order, each at <paramref name="timestamp"/> (ms since midnight UT, RFC 791).
    /// </summary>
    public static void Carry(ReadOnlySpan<byte> requestOptions, Span<byte> replyOptions, ReadOnlySpan<uint> recorders, uint timestamp)
    {
        replyOptions.Fill((byte)IPv4OptionType.NoOperation);
        var reader = new IPv4OptionReader(requestOptions);
        while (reader.MoveNext())
        {
            var target = replyOptions.Slice(reader.CurrentOffset, reader.CurrentBytes.Length);
            switch (reader.CurrentType)
            {
                case IPv4OptionType.EndOfOptionList or IPv4OptionType.NoOperation:
                    reader.CurrentBytes.CopyTo(target);
                    break;
                case IPv4OptionType.RecordRoute:
                    reader.CurrentBytes.CopyTo(target);
                    RecordRoute(target, recorders);
                    break;
                case IPv4OptionType.Timestamp when target.Length >= 4:
                    reader.CurrentBytes.CopyTo(target);
                    RecordTimestamps(target, recorders, timestamp);
                    break;
            }
        }
    }

    /// <summary>RFC 791 "Record Route": the pointer (1-based, at least 4) names the next free 4-byte slot.</summary>
    private static void RecordRoute(Span<byte> option, ReadOnlySpan<uint> recorders)
    {
        if (option.Length < 3 || option[2] < 4)
        {
            return;
        }
        int length = option[1];
        int pointer = option[2];
        foreach (uint address in recorders)
        {
            if (pointer + 3 > length)
            {
                break; // full: RFC 791 says forward without recording
            }
            BinaryPrimitives.WriteUInt32BigEndian(option[(pointer - 1)..], address);
            pointer += 4;
        }
        option[2] = (byte)pointer;
    }

    /// <summary>RFC 791 "Internet Timestamp": flag 0 times only, 1 address and time, 3 times for prespecified addresses.</summary>
    private static void RecordTimestamps(Span<byte> option, ReadOnlySpan<uint> recorders, uint timestamp)
    {
        int length = option[1];
        int pointer = option[2];
        int overflow = option[3] >> 4;
        var flag = (IPv4TimestampFlag)(option[3] & 0x0F);
        if (pointer < 5)
        {
            return;
        }
        foreach (uint address in recorders)
        {
            switch (flag)
            {
                case IPv4TimestampFlag.TimestampsOnly when pointer + 3 <= length:
                    BinaryPrimitives.WriteUInt32BigEndian(option[(pointer - 1)..], timestamp);
                    pointer += 4;
                    break;
                case IPv4TimestampFlag.AddressAndTimestamp when pointer + 7 <= length:
                    BinaryPrimitives.WriteUInt32BigEndian(option[(pointer - 1)..], address);
                    BinaryPrimitives.WriteUInt32BigEndian(option[(pointer + 3)..], timestamp);
                    pointer += 8;
                    break;
                case IPv4TimestampFlag.Prespecified when pointer + 7 <= length:
                    if (BinaryPrimitives.ReadUInt32BigEndian(option[(pointer - 1)..]) == address)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(option[(pointer + 3)..], timestamp);
                        pointer += 8;
                    }
                    break;
                case IPv4TimestampFlag.TimestampsOnly or IPv4TimestampFlag.AddressAndTimestamp:
                    // RFC 791: no room left, so count the node in the 4-bit overflow field instead.
                    overflow = Math.Min(15, overflow + 1);
                    break;
            }
        }
        option[2] = (byte)pointer;
        option[3] = (byte)((overflow << 4) | (option[3] & 0x0F));
    }
}
