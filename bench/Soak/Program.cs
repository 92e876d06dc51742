// Issue 6 §5: pings TARGETS consecutive IPv4 addresses round-robin at RATE per second overall for SECONDS through
// IcmpClient's one shared socket, samples the GC heap and RSS every SAMPLE seconds, and prints one JSON document with
// the counts and the samples. bench/soak/run.sh compares the counts with the server's nftables counters.
// Usage: Soak FIRST_ADDRESS TARGETS RATE SECONDS [SAMPLE]
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using IcmpKit.Client;

var first = IPAddress.Parse(args[0]);
int targets = int.Parse(args[1], CultureInfo.InvariantCulture);
double rate = double.Parse(args[2], CultureInfo.InvariantCulture);
double seconds = double.Parse(args[3], CultureInfo.InvariantCulture);
double sampleEvery = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 10;
uint firstValue = BinaryPrimitives.ReadUInt32BigEndian(first.GetAddressBytes());
var addresses = Enumerable.Range(0, targets).Select(i =>
{
    var bytes = new byte[4];
    BinaryPrimitives.WriteUInt32BigEndian(bytes, firstValue + (uint)i);
    return new IPAddress(bytes);
}).ToArray();

long sent = 0, replies = 0, timeouts = 0, others = 0, wrongSource = 0;
var perTarget = new long[targets];
double rttSumMs = 0, rttMaxMs = 0;
var gate = new Lock();
var samples = new List<object>();
var pending = new List<Task>();
var clock = Stopwatch.StartNew();
long interval = (long)(Stopwatch.Frequency / rate);
long next = Stopwatch.GetTimestamp();
long end = next + (long)(seconds * Stopwatch.Frequency);
double nextSample = 0;

void Sample()
{
    // A full collection first: the live heap, not garbage a lazy GC has not yet swept (every SAMPLE s, so cheap).
    long live = GC.GetTotalMemory(forceFullCollection: true);
    var info = GC.GetGCMemoryInfo();
    long rss = 0;
    foreach (string line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            rss = long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
    }
    lock (gate)
    {
        samples.Add(new { t = Math.Round(clock.Elapsed.TotalSeconds, 1), gc_heap = live, heap_size = info.HeapSizeBytes, rss, sent, replies, timeouts });
    }
}

async Task PingOne(int index)
{
    var result = await IcmpClient.PingAsync(addresses[index], TimeSpan.FromSeconds(1)).ConfigureAwait(false);
    lock (gate)
    {
        switch (result.Status)
        {
            case IcmpPingStatus.Success:
                replies++;
                perTarget[index]++;
                double ms = result.RoundTripTime.TotalMilliseconds;
                rttSumMs += ms;
                rttMaxMs = Math.Max(rttMaxMs, ms);
                if (!addresses[index].Equals(result.Address))
                {
                    wrongSource++;
                }
                break;
            case IcmpPingStatus.TimedOut:
                timeouts++;
                break;
            default:
                others++;
                break;
        }
    }
}

int cursor = 0;
while (Stopwatch.GetTimestamp() < end)
{
    if (clock.Elapsed.TotalSeconds >= nextSample)
    {
        Sample();
        nextSample += sampleEvery;
        pending.RemoveAll(t => t.IsCompleted);
    }
    long now = Stopwatch.GetTimestamp();
    if (now < next)
    {
        Thread.Sleep(TimeSpan.FromTicks(Math.Max(0, (next - now) * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
        continue;
    }
    next += interval;
    lock (gate)
    {
        sent++;
    }
    pending.Add(PingOne(cursor));
    cursor = (cursor + 1) % targets;
}
await Task.WhenAll(pending).ConfigureAwait(false);
Sample();
Console.WriteLine(JsonSerializer.Serialize(new
{
    targets,
    rate,
    seconds,
    sent,
    replies,
    timeouts,
    others,
    wrong_source = wrongSource,
    rtt_avg_ms = replies == 0 ? 0 : Math.Round(rttSumMs / replies, 3),
    rtt_max_ms = Math.Round(rttMaxMs, 3),
    targets_never_answering = perTarget.Count(c => c == 0),
    samples,
}));
