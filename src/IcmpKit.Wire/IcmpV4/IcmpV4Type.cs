namespace IcmpKit.Wire.IcmpV4;

/// <summary>ICMPv4 message types (IANA "ICMP Type Numbers"). Any byte value is representable: unknown stays data.</summary>
public enum IcmpV4Type : byte
{
    EchoReply = 0,
    DestinationUnreachable = 3,
    SourceQuench = 4,
    Redirect = 5,
    AlternateHostAddress = 6,
    EchoRequest = 8,
    RouterAdvertisement = 9,
    RouterSolicitation = 10,
    TimeExceeded = 11,
    ParameterProblem = 12,
    TimestampRequest = 13,
    TimestampReply = 14,
    InformationRequest = 15,
    InformationReply = 16,
    AddressMaskRequest = 17,
    AddressMaskReply = 18,
    Traceroute = 30,
    DatagramConversionError = 31,
    MobileHostRedirect = 32,
    IPv6WhereAreYou = 33,
    IPv6IAmHere = 34,
    MobileRegistrationRequest = 35,
    MobileRegistrationReply = 36,
    DomainNameRequest = 37,
    DomainNameReply = 38,
    Skip = 39,
    Photuris = 40,
    ExperimentalMobility = 41,
    ExtendedEchoRequest = 42,
    ExtendedEchoReply = 43,
    Experiment1 = 253,
    Experiment2 = 254,
}

/// <summary>Destination Unreachable codes (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1).</summary>
public enum IcmpV4UnreachableCode : byte
{
    NetUnreachable = 0,
    HostUnreachable = 1,
    ProtocolUnreachable = 2,
    PortUnreachable = 3,
    FragmentationNeeded = 4,
    SourceRouteFailed = 5,
    DestinationNetworkUnknown = 6,
    DestinationHostUnknown = 7,
    SourceHostIsolated = 8,
    NetworkAdministrativelyProhibited = 9,
    HostAdministrativelyProhibited = 10,
    NetworkUnreachableForTos = 11,
    HostUnreachableForTos = 12,
    CommunicationAdministrativelyProhibited = 13,
    HostPrecedenceViolation = 14,
    PrecedenceCutoffInEffect = 15,
}

/// <summary>Redirect codes (RFC 792).</summary>
public enum IcmpV4RedirectCode : byte
{
    Network = 0,
    Host = 1,
    TosAndNetwork = 2,
    TosAndHost = 3,
}

/// <summary>Time Exceeded codes (RFC 792).</summary>
public enum IcmpV4TimeExceededCode : byte
{
    TtlExceededInTransit = 0,
    FragmentReassemblyTimeExceeded = 1,
}

/// <summary>Parameter Problem codes (RFC 792, RFC 1108).</summary>
public enum IcmpV4ParameterProblemCode : byte
{
    PointerIndicatesError = 0,
    MissingRequiredOption = 1,
    BadLength = 2,
}

/// <summary>Extended Echo Reply codes (RFC 8335 §3).</summary>
public enum ExtendedEchoReplyCode : byte
{
    NoError = 0,
    MalformedQuery = 1,
    NoSuchInterface = 2,
    NoSuchTableEntry = 3,
    MultipleInterfacesSatisfyQuery = 4,
}

/// <summary>Extended Echo Reply state (RFC 8335 §3), meaningful for an interface found by address.</summary>
public enum ExtendedEchoState : byte
{
    Reserved = 0,
    Incomplete = 1,
    Reachable = 2,
    Stale = 3,
    Delay = 4,
    Probe = 5,
    Failed = 6,
}
