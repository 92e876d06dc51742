using IcmpKit.Wire.IcmpV4;

namespace IcmpKit.Wire.Tests.IcmpV4;

/// <summary>Shared steps of the smoltcp quartet for ICMPv4 messages.</summary>
internal static class V4Wire
{
    public const byte Poison = 0xA5;

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    /// <summary>Parses and checks the exact message type; fails the test on any error.</summary>
    public static T Parse<T>(byte[] bytes)
        where T : IcmpV4Message
    {
        Assert.True(IcmpV4Message.TryParse(bytes, out var message, out var error), error.ToString());
        Assert.True(error.IsNone);
        Assert.NotNull(message);
        return Assert.IsType<T>(message);
    }

    /// <summary>
    /// Emits into a buffer pre-filled with 0xA5 and larger than needed, checks the length reported and that
    /// nothing past it was touched, and returns the bytes written.
    /// </summary>
    public static byte[] Emit(IcmpV4Message message)
    {
        int length = message.GetEncodedLength();
        var buffer = new byte[length + 16];
        buffer.AsSpan().Fill(Poison);
        Assert.True(message.TryWrite(buffer, out int written));
        Assert.Equal(length, written);
        Assert.All(buffer[written..], b => Assert.Equal(Poison, b));
        Assert.Equal(buffer[..written], message.ToArray());
        return buffer[..written];
    }

    /// <summary>Emits the parsed message and expects the original bytes back.</summary>
    public static void AssertRoundTrip(byte[] known)
    {
        Assert.True(IcmpV4Message.TryParse(known, out var message, out _));
        Assert.Equal(Convert.ToHexString(known), Convert.ToHexString(Emit(message!)));
    }

    public static byte[] Poisoned(int length)
    {
        var buffer = new byte[length];
        buffer.AsSpan().Fill(Poison);
        return buffer;
    }
}
