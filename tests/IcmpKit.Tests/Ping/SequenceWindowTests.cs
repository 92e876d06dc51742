using CsCheck;
using IcmpKit.Ping;

namespace IcmpKit.Tests.Ping;

/// <summary>The fate of every 16-bit sequence number: duplicates over the whole space, and wrap-around.</summary>
public class SequenceWindowTests
{
    [Fact]
    public void A_new_window_has_sent_nothing()
    {
        var window = new SequenceWindow();
        Assert.Equal(0, window.Outstanding);
        Assert.Equal(SequenceState.NotSent, window[0]);
        Assert.Equal(SequenceState.NotSent, window[65535]);
        Assert.Equal(SequenceState.NotSent, window.MarkAnswered(7)); // forged: not recorded
        Assert.Equal(SequenceState.NotSent, window[7]);
        Assert.False(window.MarkFailed(7));
        Assert.False(window.MarkTimedOut(7));
        Assert.Equal(0, window.Outstanding);
    }

    [Fact]
    public void A_reply_answers_once_and_every_later_copy_is_a_duplicate()
    {
        var window = new SequenceWindow();
        window.MarkSent(1, realtime: 1_000, monotonic: 2_000);
        Assert.Equal((1_000L, 2_000L), (window.SentRealtime(1), window.SentMonotonic(1)));
        Assert.Equal(1, window.Outstanding);
        Assert.Equal(SequenceState.Outstanding, window.MarkAnswered(1));
        Assert.Equal(SequenceState.Answered, window.MarkAnswered(1));
        Assert.Equal(SequenceState.Answered, window.MarkAnswered(1));
        Assert.Equal(0, window.Outstanding);
        Assert.False(window.MarkFailed(1));
        Assert.False(window.MarkTimedOut(1));
        Assert.Equal(SequenceState.Answered, window[1]);
    }

    [Fact]
    public void Duplicates_are_recognised_however_many_numbers_were_sent_since()
    {
        var window = new SequenceWindow();
        for (int i = 1; i <= 65535; i++)
        {
            window.MarkSent((ushort)i, i, i);
            Assert.Equal(SequenceState.Outstanding, window.MarkAnswered((ushort)i));
        }
        Assert.Equal(SequenceState.Answered, window.MarkAnswered(1));
        Assert.Equal(SequenceState.Answered, window.MarkAnswered(32768));
        Assert.Equal(SequenceState.Answered, window.MarkAnswered(65535));
        Assert.Equal(SequenceState.NotSent, window.MarkAnswered(0));
    }

    [Fact]
    public void The_numbers_wrap_from_65535_to_0_and_a_resent_number_forgets_its_past()
    {
        var window = new SequenceWindow();
        window.MarkSent(65535, 1, 1);
        window.MarkSent(0, 2, 2);
        Assert.Equal(2, window.Outstanding);
        Assert.Equal(SequenceState.Outstanding, window.MarkAnswered(0));
        Assert.Equal(SequenceState.Outstanding, window[65535]);
        Assert.Equal(SequenceState.Outstanding, window.MarkAnswered(65535));

        window.MarkSent(0, 3, 3); // 65,536 sends later
        Assert.Equal(SequenceState.Outstanding, window[0]);
        Assert.Equal((3L, 3L), (window.SentRealtime(0), window.SentMonotonic(0)));
        Assert.Equal(SequenceState.Outstanding, window.MarkAnswered(0)); // not a duplicate of the old one
        Assert.Equal(0, window.Outstanding);
    }

    [Fact]
    public void A_number_still_outstanding_after_a_whole_wrap_is_lost_not_counted_twice()
    {
        var window = new SequenceWindow();
        window.MarkSent(5, 1, 1);
        window.MarkSent(5, 2, 2);
        Assert.Equal(1, window.Outstanding);
        Assert.True(window.MarkTimedOut(5));
        Assert.Equal(0, window.Outstanding);
    }

    [Fact]
    public void A_failed_or_timed_out_request_can_still_be_answered_late_without_going_negative()
    {
        var window = new SequenceWindow();
        window.MarkSent(9, 0, 0);
        window.MarkSent(10, 0, 0);
        Assert.True(window.MarkFailed(9));
        Assert.True(window.MarkTimedOut(10));
        Assert.False(window.MarkFailed(9));
        Assert.False(window.MarkTimedOut(10));
        Assert.Equal(0, window.Outstanding);
        Assert.Equal(SequenceState.Failed, window.MarkAnswered(9));
        Assert.Equal(SequenceState.TimedOut, window.MarkAnswered(10));
        Assert.Equal(0, window.Outstanding);
        Assert.Equal(SequenceState.Answered, window.MarkAnswered(10));
    }

    private enum Op { Send, Answer, Fail, TimeOut }

    /// <summary>Numbers around the wrap, mostly, so operations hit the same numbers often.</summary>
    private static readonly Gen<ushort> Sequence = Gen.Frequency(
        (4, Gen.Int[0, 11].Select(i => unchecked((ushort)(65530 + i)))),
        (1, Gen.Int[0, 65535].Select(i => (ushort)i)));

    private static readonly Gen<(Op, ushort)[]> Ops = Gen.Select(Gen.Int[0, 3].Select(i => (Op)i), Sequence).Array[0, 400];

    [Fact]
    public void Outstanding_always_equals_the_numbers_in_the_outstanding_state_and_is_never_negative() =>
        Ops.Sample(ops =>
        {
            var window = new SequenceWindow();
            var model = new Dictionary<ushort, SequenceState>();
            foreach (var (op, sequence) in ops)
            {
                var before = model.GetValueOrDefault(sequence);
                switch (op)
                {
                    case Op.Send:
                        window.MarkSent(sequence, sequence, sequence);
                        model[sequence] = SequenceState.Outstanding;
                        break;
                    case Op.Answer:
                        Assert.Equal(before, window.MarkAnswered(sequence));
                        if (before != SequenceState.NotSent)
                        {
                            model[sequence] = SequenceState.Answered;
                        }
                        break;
                    case Op.Fail:
                        Assert.Equal(before == SequenceState.Outstanding, window.MarkFailed(sequence));
                        if (before == SequenceState.Outstanding)
                        {
                            model[sequence] = SequenceState.Failed;
                        }
                        break;
                    default:
                        Assert.Equal(before == SequenceState.Outstanding, window.MarkTimedOut(sequence));
                        if (before == SequenceState.Outstanding)
                        {
                            model[sequence] = SequenceState.TimedOut;
                        }
                        break;
                }
                Assert.Equal(model.GetValueOrDefault(sequence), window[sequence]);
                Assert.True(window.Outstanding >= 0, $"Outstanding {window.Outstanding}");
                Assert.Equal(model.Values.Count(s => s == SequenceState.Outstanding), window.Outstanding);
            }
            foreach (var (sequence, state) in model)
            {
                Assert.Equal(state, window[sequence]);
            }
        }, iter: 500);
}
