using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IcmpKit.Ping;
using IcmpKit.Sockets;
using IcmpKit.Statistics;

namespace IcmpKit.Cli.Ping;

/// <summary>Runs the pinger, keeps the statistics, and hands every event to the report; SIGQUIT prints interim statistics.</summary>
internal static class PingRunner
{
    public static async Task<int> RunAsync(PingArguments arguments, TextWriter stdout, TextWriter stderr, CancellationToken token)
    {
        Pinger pinger;
        try
        {
            pinger = new Pinger(arguments.Address, arguments.Options);
        }
        catch (IcmpSocketException e)
        {
            stderr.WriteLine($"icmpkit: ping: {e.Message}");
            return ExitCodes.Usage;
        }
        using var _ = pinger;
        ProcessPrivileges.DropAfterSocketsOpen(stderr, "ping"); // the socket is open: no capability is needed from here on
        IPingReport report = arguments.Output switch
        {
            PingOutputMode.Json => new PingJsonReport(stdout, streaming: false),
            PingOutputMode.Ndjson => new PingJsonReport(stdout, streaming: true),
            _ => new PingTextReport(stdout, stderr),
        };
        report.Start(new PingStart(arguments, pinger, SourceText(arguments)));
        var statistics = new PingStatistics();
        var gate = new Lock();
        // iputils: SIGQUIT prints "N/M packets, X% loss, min/avg/ewma/max = …" on stderr and carries on.
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, context =>
        {
            context.Cancel = true;
            lock (gate)
            {
                stderr.WriteLine(statistics.FormatIputilsStatusLine());
            }
        });
        long started = 0;
        long lastSent = 0;
        int pipe = 0;
        long corrupted = 0;
        void OnEvent(PingEvent item)
        {
            // Called on the engine's threads, one event at a time: no queue and no wake-up per event (a flood
            // reports 100,000 of each).
            lock (gate)
            {
                switch (item)
                {
                    case PingSent:
                        statistics.AddSent();
                        lastSent = Stopwatch.GetTimestamp();
                        if (started == 0)
                        {
                            started = lastSent;
                        }
                        break;
                    case PingReply { IsChecksumBad: true }:
                        corrupted++;
                        break;
                    case PingReply reply:
                        statistics.AddReply(reply.RoundTripTime, reply.TimeToLive, reply.IsDuplicate);
                        pipe = Math.Max(pipe, Pipe(statistics.Transmitted, reply.SequenceNumber));
                        break;
                    case PingError { CountsAsError: true } error:
                        statistics.AddError();
                        pipe = Math.Max(pipe, Pipe(statistics.Transmitted, error.SequenceNumber));
                        break;
                }
                report.Event(item);
            }
        }
        try
        {
            await pinger.RunAsync(OnEvent, token).ConfigureAwait(false);
        }
        catch (IcmpSocketException e)
        {
            stderr.WriteLine($"icmpkit: ping: {e.Message}");
            return ExitCodes.Usage;
        }
        // iputils' "time" runs from the start to the last request sent (cur_time in pinger()), not to the end of the wait.
        var elapsed = started == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started, lastSent);
        var options = arguments.Options;
        bool missing = statistics.Received == 0
            || (options.Deadline is not null && options.Count is { } count && statistics.Received < count);
        int exit = missing ? ExitCodes.NoReply : ExitCodes.Success;
        report.End(new PingEnd(statistics, elapsed, pipe, corrupted, exit));
        return exit;
    }

    /// <summary>
    /// iputils' "pipe" (acknowledge() in ping.h): on each answered request, how many requests had been sent since it,
    /// itself included; lost requests never count.
    /// </summary>
    private static int Pipe(long transmitted, ushort sequence)
    {
        ushort behind = (ushort)((ushort)transmitted - sequence);
        return behind <= 0x7FFF ? behind + 1 : 0;
    }

    /// <summary>
    /// iputils' "from SOURCE DEVICE" in the header when -I is given: the source the kernel would choose, found as
    /// iputils does with a connected UDP socket (nothing is sent).
    /// </summary>
    private static string? SourceText(PingArguments arguments)
    {
        var socketOptions = arguments.Options.Socket;
        if (socketOptions.SourceAddress is null && socketOptions.Interface is null)
        {
            return null;
        }
        string? source = socketOptions.SourceAddress?.ToString();
        if (source is null)
        {
            try
            {
                using var probe = new Socket(arguments.Address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                probe.SetRawSocketOption(1, 25, System.Text.Encoding.UTF8.GetBytes(socketOptions.Interface + "\0")); // SO_BINDTODEVICE
                probe.Connect(new IPEndPoint(arguments.Address, 1025));
                source = ((IPEndPoint)probe.LocalEndPoint!).Address.ToString();
            }
            catch (SocketException)
            {
                source = arguments.Address.AddressFamily == AddressFamily.InterNetworkV6 ? "::" : "0.0.0.0";
            }
        }
        return socketOptions.Interface is { } name ? $"{source} {name}" : $"{source} ";
    }
}
