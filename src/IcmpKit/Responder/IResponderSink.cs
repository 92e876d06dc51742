namespace IcmpKit.Responder;

/// <summary>Where the responder's answers go: a TUN device, a raw socket, a test recorder.</summary>
public interface IResponderSink
{
    /// <summary>
    /// Sends <paramref name="ipPacket"/> (a whole IPv4 or IPv6 packet) after <paramref name="delay"/>. The span is the
    /// responder's own buffer and is valid only during the call: copy it to keep it.
    /// </summary>
    void Emit(ReadOnlySpan<byte> ipPacket, TimeSpan delay);
}
