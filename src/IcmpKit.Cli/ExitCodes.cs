namespace IcmpKit.Cli;

/// <summary>DESIGN §5: 0 success, 1 no reply / target failed, 2 usage or system error (and malformed input).</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int NoReply = 1;
    public const int Usage = 2;
}
