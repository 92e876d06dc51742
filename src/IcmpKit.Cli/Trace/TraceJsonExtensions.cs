using System.Text.Json;
using IcmpKit.Wire.Extensions;

namespace IcmpKit.Cli.Trace;

/// <summary>Extension objects decoded for JSON beyond their bytes (the MPLS stack is written by <see cref="TraceJsonReport"/>).</summary>
internal static class TraceJsonExtensions
{
    /// <summary>
    /// RFC 5837 interface information as "interface": its role (§4.1: incoming, sub_ip_incoming, outgoing, next_hop) and
    /// whichever of ifIndex, address, name and MTU the object carries, the fields tshark shows as icmp.int_info.*.
    /// </summary>
    public static void WriteInterface(Utf8JsonWriter w, InterfaceInformationObject info)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(info);
        w.WriteStartObject("interface");
        w.WriteString("role", info.Role switch
        {
            InterfaceRole.IncomingIPInterface => "incoming",
            InterfaceRole.SubIPComponentOfIncomingIPInterface => "sub_ip_incoming",
            InterfaceRole.OutgoingIPInterface => "outgoing",
            _ => "next_hop",
        });
        if (info.InterfaceIndex is { } index)
        {
            w.WriteNumber("if_index", index);
        }
        if (info.Address is { } address)
        {
            w.WriteString("address", address.ToString());
        }
        if (info.Name is { } name)
        {
            w.WriteString("name", name);
        }
        if (info.Mtu is { } mtu)
        {
            w.WriteNumber("mtu", mtu);
        }
        w.WriteEndObject();
    }
}
