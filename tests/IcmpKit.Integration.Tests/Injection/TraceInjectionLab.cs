namespace IcmpKit.Integration.Tests.Injection;

/// <summary>
/// The injection lab with the peer's kernel silenced for trace probes: nftables drops its ICMP errors and echo replies,
/// and whatever TCP output the rule it is given names. The injector sends through AF_PACKET, past netfilter, so only
/// the kernel's own answers are dropped.
/// </summary>
public abstract class TraceInjectionLab : InjectionLab
{
    protected TraceInjectionLab(string table, string tcpRule)
    {
        if (SetupError is not null)
        {
            return;
        }
        try
        {
            string rules = Path.Combine(Directory, $"peer-{table}.nft");
            File.WriteAllText(rules, $$"""
                table inet {{table}} {
                    chain output {
                        type filter hook output priority 0; policy accept;
                        ip protocol icmp drop
                        icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, echo-reply } drop
                        {{tcpRule}}
                    }
                }
                """);
            var nft = Netns.Exec(Peer, "nft", ["-f", rules], TimeSpan.FromSeconds(20));
            if (nft.ExitCode != 0)
            {
                throw new InvalidOperationException($"nft rejected the peer's trace rules: {nft}");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }
}
