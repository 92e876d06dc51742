namespace IcmpKit;

/// <summary>IcmpKit's version, shown by the CLI. Sockets and engines arrive with the ping issue.</summary>
public static class IcmpKitInfo
{
    public static string Version => typeof(IcmpKitInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
