using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace IcmpKit.Cli.Ping;

/// <summary>The last route seen, so a repeated Record Route prints as iputils' "(same route)".</summary>
internal sealed class RecordRouteMemory
{
    public byte[]? Last { get; set; }
}

/// <summary>
/// iputils pr_options(): Record Route and Timestamp options of a reply, as text appended to its line. Reads only
/// within the option bytes; a lying length or pointer is clamped, never followed (CVE-2010-2529 looped on one).
/// </summary>
internal static class IPv4OptionText
{
    public static string Describe(ReadOnlySpan<byte> options, RecordRouteMemory memory)
    {
        var text = new StringBuilder();
        int offset = 0;
        while (offset < options.Length)
        {
            byte type = options[offset];
            if (type == 0)
            {
                break; // end of option list
            }
            if (type == 1)
            {
                text.Append("\nNOP");
                offset++;
                continue;
            }
            if (offset + 1 >= options.Length || options[offset + 1] < 2)
            {
                break;
            }
            int length = Math.Min(options[offset + 1], options.Length - offset);
            var option = options.Slice(offset, length);
            switch (type)
            {
                case 7:
                    RecordRoute(option, memory, text);
                    break;
                case 68:
                    Timestamp(option, text);
                    break;
                case 131 or 137:
                    SourceRoute(option, text);
                    break;
                default:
                    text.Append(CultureInfo.InvariantCulture, $"\nunknown option {type:x}");
                    break;
            }
            offset += length;
        }
        return text.ToString();
    }

    private static void RecordRoute(ReadOnlySpan<byte> option, RecordRouteMemory memory, StringBuilder text)
    {
        if (option.Length < 3)
        {
            return;
        }
        int recorded = Math.Min(option[2], option.Length) - 4; // the pointer is 1-based and starts at 4
        recorded = Math.Min(recorded, option.Length - 3);
        if (recorded <= 0)
        {
            return;
        }
        var route = option.Slice(3, recorded);
        if (memory.Last is { } last && last.AsSpan().SequenceEqual(route))
        {
            text.Append("\t(same route)");
            return;
        }
        memory.Last = route.ToArray();
        text.Append("\nRR: ");
        AppendAddresses(route, text);
    }

    private static void SourceRoute(ReadOnlySpan<byte> option, StringBuilder text)
    {
        text.Append(CultureInfo.InvariantCulture, $"\n{(option[0] == 137 ? 'S' : 'L')}SRR: ");
        if (option.Length > 3)
        {
            AppendAddresses(option[3..], text);
        }
    }

    private static void AppendAddresses(ReadOnlySpan<byte> addresses, StringBuilder text)
    {
        for (int i = 0; i + 4 <= addresses.Length; i += 4)
        {
            text.Append('\t').Append(new IPAddress(addresses.Slice(i, 4)).ToString());
            if (i + 4 < addresses.Length)
            {
                text.Append('\n');
            }
        }
        text.Append('\n');
    }

    private static void Timestamp(ReadOnlySpan<byte> option, StringBuilder text)
    {
        if (option.Length < 4)
        {
            return;
        }
        int used = Math.Min(option[2], option.Length) - 5; // the pointer starts at 5
        if (used <= 0)
        {
            return;
        }
        byte flags = option[3];
        bool withAddresses = (flags & 0x0F) != 0;
        text.Append("\nTS: ");
        // iputils counts down min(pointer, length) - 5 bytes and stops only when the count is spent, so a full option
        // (pointer one past the end: 37 of 36) still shows its last time. The reads stay inside the option.
        var slots = option[4..];
        long standard = 0;
        long nonStandard = 0;
        int at = 0;
        int left = used;
        while (left > 0)
        {
            if (withAddresses)
            {
                if (at + 4 > slots.Length)
                {
                    break;
                }
                text.Append('\t').Append(new IPAddress(slots.Slice(at, 4)).ToString());
                at += 4;
                left -= 4;
                if (left <= 0)
                {
                    break;
                }
            }
            if (at + 4 > slots.Length)
            {
                break;
            }
            long value = BinaryPrimitives.ReadUInt32BigEndian(slots[at..]);
            // RFC 791: the high bit marks a time not in ms since midnight UT.
            if ((value & 0x8000_0000) != 0)
            {
                long time = value & 0x7FFF_FFFF;
                text.Append(nonStandard == 0 ? string.Create(CultureInfo.InvariantCulture, $"\t{time} absolute not-standard") : string.Create(CultureInfo.InvariantCulture, $"\t{time - nonStandard} not-standard"));
                nonStandard = time;
            }
            else
            {
                text.Append(standard == 0 ? string.Create(CultureInfo.InvariantCulture, $"\t{value} absolute") : string.Create(CultureInfo.InvariantCulture, $"\t{value - standard}"));
                standard = value;
            }
            at += 4;
            left -= 4;
            text.Append('\n');
        }
        if (flags >> 4 != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Unrecorded hops: {flags >> 4}\n");
        }
    }
}
