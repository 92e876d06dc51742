using CsCheck;
using IcmpKit.Ping;
using IcmpKit.Statistics;

namespace IcmpKit.Tests.Properties;

/// <summary>
/// The ping accounting as the engine and the CLI drive it together: <see cref="SequenceWindow"/> decides what a reply
/// or an error means (Pinger.Receive.cs), <see cref="PingStatistics"/> counts it (Cli/Ping/PingRunner.cs). Any run —
/// sends with 16-bit numbers that wrap (more than 65,536 of them), unique replies, late replies, duplicates, errors,
/// timeouts, replies for numbers never sent, RTTs from 0 to days — keeps the counters adding up and every statistic
/// finite and ordered.
/// </summary>
public class PingAccountingProperties
{
    private enum Kind
    {
        /// <summary>Sends <see cref="Step.Count"/> requests in a row (a burst of tens of thousands wraps the numbers).</summary>
        Send,
        /// <summary>A reply to the request sent <see cref="Step.Back"/> sends ago: unique, late or a duplicate, as the window says.</summary>
        Reply,
        /// <summary>An ICMP error about the request sent <see cref="Step.Back"/> sends ago.</summary>
        Error,
        /// <summary>The oldest <see cref="Step.Count"/> outstanding requests time out (Pinger.ExpireOverdue).</summary>
        Expire,
        /// <summary>A reply with a number this run has not sent: forged or another run's.</summary>
        Foreign,
    }

    private sealed record Step(Kind Kind, int Count, int Back, long RttTicks, int? Ttl);

    /// <summary>A run's fate for one send, as the model keeps it.</summary>
    private enum Fate : byte { InFlight, Answered, Failed, TimedOut, Overwritten }

    /// <summary>
    /// RTTs as RoundTripClock can produce them (0 up to the monotonic time since the send): mostly LAN and WAN times,
    /// sometimes minutes, hours or days (a reply held back, or replayed, while its number is still in the window).
    /// </summary>
    internal static readonly Gen<long> RttTicks = Gen.Frequency(
        (6, Gen.Long[0, 100 * TimeSpan.TicksPerMillisecond]),
        (3, Gen.Long[0, 10 * TimeSpan.TicksPerSecond]),
        (1, Gen.Long[10 * TimeSpan.TicksPerSecond, TimeSpan.TicksPerHour]),
        (1, Gen.Long[TimeSpan.TicksPerHour, 30 * TimeSpan.TicksPerDay]),
        (1, Gen.Const(5 * TimeSpan.TicksPerMillisecond)));

    private static readonly Gen<Step> StepGen = Gen.Frequency(
        (6, Gen.Const(new Step(Kind.Send, 1, 0, 0, null))),
        (1, Gen.Int[2, 40].Select(n => new Step(Kind.Send, n, 0, 0, null))),
        (6, Gen.Select(Gen.Int[0, 8], RttTicks, Gen.Int[-1, 255]).Select((back, rtt, ttl) => new Step(Kind.Reply, 1, back, rtt, ttl < 0 ? null : ttl))),
        (1, Gen.Select(Gen.Int[0, 70_000], RttTicks).Select((back, rtt) => new Step(Kind.Reply, 1, back, rtt, 64))),
        (2, Gen.Int[0, 8].Select(back => new Step(Kind.Error, 1, back, 0, null))),
        (2, Gen.Int[1, 4].Select(n => new Step(Kind.Expire, n, 0, 0, null))),
        (1, Gen.Int[0, 65535].Select(n => new Step(Kind.Foreign, 1, n, 0, null))));

    /// <summary>Short runs, and now and then a burst that sends past a whole wrap of the 16-bit numbers.</summary>
    private static readonly Gen<(ushort First, Step[] Steps)> RunGen = Gen.Select(
        Gen.Int[0, 65535].Select(i => (ushort)i),
        Gen.Frequency(
            (9, StepGen.Array[0, 200]),
            (1, Gen.Select(StepGen.Array[0, 60], Gen.Int[65_000, 140_000], StepGen.Array[0, 60])
                .Select((before, burst, after) => (Step[])[.. before, new Step(Kind.Send, burst, 0, 0, null), .. after]))));

    [Fact]
    public void Counters_add_up_and_every_statistic_is_finite_over_any_run_with_wrap_around() =>
        RunGen.Sample(run =>
        {
            var accounting = new Accounting(run.First);
            foreach (var step in run.Steps)
            {
                accounting.Apply(step);
                accounting.AssertCountersAddUp();
            }
            accounting.AssertWindowMatchesTheModel();
            StatisticsAssert.FiniteAndOrdered(accounting.Statistics);
        }, iter: 400);

    /// <summary>The engine's and the CLI's handling of each event, beside a model that remembers every send's fate.</summary>
    private sealed class Accounting(ushort first)
    {
        private readonly SequenceWindow _window = new();
        private readonly List<Fate> _fates = [];
        private readonly Queue<int> _sendOrder = new();
        private long _inFlight;
        private long _answered;
        private long _duplicates;
        private long _errors;
        private long _lost;

        public PingStatistics Statistics { get; } = new();

        private int Sent => _fates.Count;

        private ushort SequenceOf(int send) => unchecked((ushort)(first + send));

        public void Apply(Step step)
        {
            switch (step.Kind)
            {
                case Kind.Send:
                    for (int i = 0; i < step.Count; i++)
                    {
                        Send();
                    }
                    break;
                case Kind.Reply when Sent > 0:
                    Reply(Latest(step.Back), TimeSpan.FromTicks(step.RttTicks), step.Ttl);
                    break;
                case Kind.Error when Sent > 0:
                    Error(Latest(step.Back));
                    break;
                case Kind.Expire:
                    Expire(step.Count);
                    break;
                case Kind.Foreign when Sent < 65536:
                    Foreign((ushort)step.Back);
                    break;
            }
        }

        /// <summary>The send <paramref name="back"/> sends before the last, among those the window still holds.</summary>
        private int Latest(int back) => Sent - 1 - (back % Math.Min(Sent, 65536));

        private void Send()
        {
            int send = Sent;
            if (send >= 65536 && _fates[send - 65536] == Fate.InFlight)
            {
                // Its number is sent again a whole wrap later: it can no longer be answered, it is lost.
                _fates[send - 65536] = Fate.Overwritten;
                _inFlight--;
                _lost++;
            }
            _window.MarkSent(SequenceOf(send), realtime: send, monotonic: send);
            _sendOrder.Enqueue(send);
            Statistics.AddSent();
            _fates.Add(Fate.InFlight);
            _inFlight++;
        }

        private void Reply(int send, TimeSpan rtt, int? ttl)
        {
            // Pinger.HandleReply: a number never sent is dropped before it changes anything; otherwise the window
            // tells unique from duplicate, and PingRunner feeds the statistics.
            ushort sequence = SequenceOf(send);
            Assert.NotEqual(SequenceState.NotSent, _window[sequence]);
            var previous = _window.MarkAnswered(sequence);
            bool duplicate = previous == SequenceState.Answered;
            Statistics.AddReply(rtt, ttl, duplicate);

            var fate = _fates[send];
            Assert.Equal(fate == Fate.Answered, duplicate);
            switch (fate)
            {
                case Fate.Answered:
                    _duplicates++;
                    break;
                case Fate.InFlight:
                    _inFlight--;
                    _answered++;
                    break;
                default: // a late reply after an error or a timeout still counts, as in iputils
                    _lost--;
                    _answered++;
                    break;
            }
            _fates[send] = Fate.Answered;
        }

        private void Error(int send)
        {
            bool settles = _window.MarkFailed(SequenceOf(send));
            Assert.Equal(_fates[send] == Fate.InFlight, settles);
            if (settles)
            {
                Statistics.AddError(); // PingError.CountsAsError: only an error that settles a request counts
                _fates[send] = Fate.Failed;
                _inFlight--;
                _lost++;
                _errors++;
            }
        }

        private void Expire(int count)
        {
            // Pinger.ExpireOverdue(force): the oldest sends first, skipping the settled ones.
            while (count > 0 && _sendOrder.TryDequeue(out int send))
            {
                if (send < Sent - 65536 || _window[SequenceOf(send)] != SequenceState.Outstanding)
                {
                    continue;
                }
                Assert.True(_window.MarkTimedOut(SequenceOf(send)));
                Assert.Equal(Fate.InFlight, _fates[send]);
                _fates[send] = Fate.TimedOut;
                _inFlight--;
                _lost++;
                count--;
            }
        }

        private void Foreign(ushort sequence)
        {
            bool sent = Sent > 0 && (ushort)(sequence - first) < Sent;
            if (!sent)
            {
                Assert.Equal(SequenceState.NotSent, _window.MarkAnswered(sequence));
                Assert.Equal(SequenceState.NotSent, _window[sequence]);
            }
        }

        public void AssertCountersAddUp()
        {
            var s = Statistics;
            Assert.Equal((long)Sent, s.Transmitted);
            Assert.Equal(_answered, s.Received);
            Assert.Equal(_duplicates, s.Duplicates);
            Assert.Equal(_errors, s.Errors);
            Assert.Equal(_inFlight, _window.Outstanding);
            // transmitted = received + lost + in flight, and none of them negative.
            Assert.Equal(s.Transmitted, s.Received + _lost + _window.Outstanding);
            Assert.True(_lost >= 0 && _window.Outstanding >= 0 && s.Received <= s.Transmitted, $"lost {_lost}, in flight {_window.Outstanding}");
            Assert.True(_window.Outstanding <= Math.Min(s.Transmitted, 65536));
            Assert.True(s.Errors <= s.Transmitted);
            Assert.Equal(s.Received + s.Duplicates, s.Rtt.Count);
            Assert.InRange(s.LossPercent, 0, 100);
            Assert.Equal(s.Transmitted == 0 ? 0 : (s.Transmitted - s.Received) * 100.0 / s.Transmitted, s.LossPercent);
        }

        /// <summary>Every number's state in the window is the fate of the last send that used it.</summary>
        public void AssertWindowMatchesTheModel()
        {
            var counts = new long[5];
            for (int sequence = 0; sequence < 65536; sequence++)
            {
                counts[(int)_window[(ushort)sequence]]++;
            }
            Assert.Equal(65536 - Math.Min(Sent, 65536), counts[(int)SequenceState.NotSent]);
            for (int send = Math.Max(0, Sent - 65536); send < Sent; send++)
            {
                var expected = _fates[send] switch
                {
                    Fate.InFlight => SequenceState.Outstanding,
                    Fate.Answered => SequenceState.Answered,
                    Fate.Failed => SequenceState.Failed,
                    _ => SequenceState.TimedOut,
                };
                Assert.Equal(expected, _window[SequenceOf(send)]);
            }
            Assert.Equal(_window.Outstanding, counts[(int)SequenceState.Outstanding]);
        }
    }
}
