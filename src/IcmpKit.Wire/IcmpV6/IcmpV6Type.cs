namespace IcmpKit.Wire.IcmpV6;

/// <summary>ICMPv6 message types (IANA "ICMPv6 Parameters"). Any byte value is representable.</summary>
public enum IcmpV6Type : byte
{
    DestinationUnreachable = 1,
    PacketTooBig = 2,
    TimeExceeded = 3,
    ParameterProblem = 4,
    PrivateExperimentation100 = 100,
    PrivateExperimentation101 = 101,
    ReservedErrorExpansion = 127,
    EchoRequest = 128,
    EchoReply = 129,
    MulticastListenerQuery = 130,
    MulticastListenerReport = 131,
    MulticastListenerDone = 132,
    RouterSolicitation = 133,
    RouterAdvertisement = 134,
    NeighborSolicitation = 135,
    NeighborAdvertisement = 136,
    Redirect = 137,
    RouterRenumbering = 138,
    NodeInformationQuery = 139,
    NodeInformationResponse = 140,
    InverseNeighborDiscoverySolicitation = 141,
    InverseNeighborDiscoveryAdvertisement = 142,
    MulticastListenerReportV2 = 143,
    HomeAgentAddressDiscoveryRequest = 144,
    HomeAgentAddressDiscoveryReply = 145,
    MobilePrefixSolicitation = 146,
    MobilePrefixAdvertisement = 147,
    CertificationPathSolicitation = 148,
    CertificationPathAdvertisement = 149,
    ExperimentalMobility = 150,
    MulticastRouterAdvertisement = 151,
    MulticastRouterSolicitation = 152,
    MulticastRouterTermination = 153,
    FmIPv6 = 154,
    RplControl = 155,
    IlnpV6LocatorUpdate = 156,
    DuplicateAddressRequest = 157,
    DuplicateAddressConfirmation = 158,
    MplControl = 159,
    ExtendedEchoRequest = 160,
    ExtendedEchoReply = 161,
    PrivateExperimentation200 = 200,
    PrivateExperimentation201 = 201,
    ReservedInformationalExpansion = 255,
}

/// <summary>Display names for every ICMPv6 type and code (RFC 4443 §3, RFC 8335, IANA).</summary>
public static class IcmpV6Names
{
    public static string TypeName(IcmpV6Type type) => Enum.IsDefined(type) ? type.ToString() : $"Type{(byte)type}";

    public static string? CodeName(IcmpV6Type type, byte code) => type switch
    {
        IcmpV6Type.DestinationUnreachable => code switch
        {
            0 => "no route to destination",
            1 => "communication with destination administratively prohibited",
            2 => "beyond scope of source address",
            3 => "address unreachable",
            4 => "port unreachable",
            5 => "source address failed ingress/egress policy",
            6 => "reject route to destination",
            7 => "error in source routing header",
            8 => "headers too long",
            _ => null,
        },
        IcmpV6Type.TimeExceeded => code switch
        {
            0 => "hop limit exceeded in transit",
            1 => "fragment reassembly time exceeded",
            _ => null,
        },
        IcmpV6Type.ParameterProblem => code switch
        {
            0 => "erroneous header field encountered",
            1 => "unrecognized next header type encountered",
            2 => "unrecognized IPv6 option encountered",
            3 => "IPv6 first fragment has incomplete IPv6 header chain",
            4 => "SR upper-layer header error",
            5 => "unrecognized next header type encountered by intermediate node",
            6 => "extension header too big",
            7 => "extension header chain too long",
            8 => "too many extension headers",
            9 => "too many options in extension header",
            10 => "option too big",
            _ => null,
        },
        IcmpV6Type.ExtendedEchoReply => code switch
        {
            0 => "no error",
            1 => "malformed query",
            2 => "no such interface",
            3 => "no such table entry",
            4 => "multiple interfaces satisfy query",
            _ => null,
        },
        IcmpV6Type.RouterRenumbering => code switch
        {
            0 => "router renumbering command",
            1 => "router renumbering result",
            255 => "sequence number reset",
            _ => null,
        },
        _ => null,
    };

    /// <summary>"TimeExceeded(hop limit exceeded in transit)", "EchoRequest", "TimeExceeded(code 7)".</summary>
    public static string Describe(IcmpV6Type type, byte code)
    {
        string name = TypeName(type);
        string? codeName = CodeName(type, code);
        if (codeName is not null)
        {
            return $"{name}({codeName})";
        }
        return code == 0 && CodeName(type, 0) is null && Enum.IsDefined(type) ? name : $"{name}(code {code})";
    }
}
