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

    /// <summary>
    /// Checks the options as Linux's ip_options_compile does on receipt, and returns the offset within the options of the
    /// octet a parameter problem's pointer names (RFC 792, RFC 1812 §4.3.3.5), or -1 when they are sound: a length that
    /// runs past the header points at the option's type; a length too short for its kind at the length octet; a
    /// pointer below its minimum, or one that leaves part of a slot, at the pointer octet; a full Timestamp whose
    /// overflow count is already 15 at the overflow/flag octet; a second Record Route, Timestamp or source route at its
    /// type octet (RFC 1812 §5.2.4.1 lets a packet carry one source route).
    /// </summary>
    public static int FindProblem(ReadOnlySpan<byte> options)
    {
        bool recordRoute = false;
        bool timestamp = false;
        bool sourceRoute = false;
        int at = 0;
        while (at < options.Length)
        {
            var type = (IPv4OptionType)options[at];
            if (type == IPv4OptionType.EndOfOptionList)
            {
                return -1;
            }
            if (type == IPv4OptionType.NoOperation)
            {
                at++;
                continue;
            }
            int left = options.Length - at;
            if (left < 2 || options[at + 1] < 2 || options[at + 1] > left)
            {
                return at;
            }
            var option = options.Slice(at, options[at + 1]);
            int problem = type switch
            {
                IPv4OptionType.RecordRoute => CheckRecordRoute(option, ref recordRoute),
                IPv4OptionType.Timestamp => CheckTimestamp(option, ref timestamp),
                IPv4OptionType.LooseSourceRoute or IPv4OptionType.StrictSourceRoute => CheckSourceRoute(option, ref sourceRoute),
                IPv4OptionType.RouterAlert => option.Length < 4 ? 1 : -1, // RFC 2113: four octets
                _ => -1,
            };
            if (problem >= 0)
            {
                return at + problem;
            }
            at += option.Length;
        }
        return -1;
    }

    /// <summary>True when the options (already checked by <see cref="FindProblem"/>) hold a loose or strict source route.</summary>
    public static bool HasSourceRoute(ReadOnlySpan<byte> options)
    {
        var reader = new IPv4OptionReader(options);
        while (reader.MoveNext())
        {
            if (reader.CurrentType is IPv4OptionType.LooseSourceRoute or IPv4OptionType.StrictSourceRoute)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>RFC 791: length, then a pointer of at least 4 naming a whole 4-byte slot (or past the end: full).</summary>
    private static int CheckRecordRoute(ReadOnlySpan<byte> option, ref bool seen)
    {
        if (seen)
        {
            return 0;
        }
        seen = true;
        if (option.Length < 3)
        {
            return 1;
        }
        int pointer = option[2];
        return pointer < 4 || (pointer <= option.Length && pointer + 3 > option.Length) ? 2 : -1;
    }

    /// <summary>RFC 791: pointer at least 5; a slot of 4 (times only) or 8 bytes (with addresses); overflow counts to 15.</summary>
    private static int CheckTimestamp(ReadOnlySpan<byte> option, ref bool seen)
    {
        if (seen)
        {
            return 0;
        }
        seen = true;
        if (option.Length < 4)
        {
            return 1;
        }
        int pointer = option[2];
        var flag = (IPv4TimestampFlag)(option[3] & 0x0F);
        if (pointer < 5)
        {
            return 2;
        }
        if (pointer <= option.Length)
        {
            bool withAddress = flag is IPv4TimestampFlag.AddressAndTimestamp or IPv4TimestampFlag.Prespecified;
            return pointer + 3 > option.Length || (withAddress && pointer + 7 > option.Length) ? 2 : -1;
        }
        return flag != IPv4TimestampFlag.Prespecified && option[3] >> 4 == 15 ? 3 : -1;
    }

    private static int CheckSourceRoute(ReadOnlySpan<byte> option, ref bool seen)
    {
        if (option.Length < 3)
        {
            return 1;
        }
        if (option[2] < 4)
        {
            return 2;
        }
        if (seen)
        {
            return 0;
        }
        seen = true;
        return -1;
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
