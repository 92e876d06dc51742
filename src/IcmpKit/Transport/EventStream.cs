using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace IcmpKit.Transport;

/// <summary>
/// Turns an operation that reports events to a callback into an <see cref="IAsyncEnumerable{T}"/>: the run goes on
/// while the consumer reads; leaving the loop early (break, an exception) cancels the run and waits for it; an
/// exception of the run reaches the reader after the events before it.
/// </summary>
internal static class EventStream
{
    public static async IAsyncEnumerable<T> Read<T>(Func<Action<T>, CancellationToken, Task> run,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = Task.Run(async () =>
        {
            Exception? failure = null;
            try
            {
                await run(item => events.Writer.TryWrite(item), leave.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure = e;
            }
            events.Writer.TryComplete(failure);
        }, CancellationToken.None);
        try
        {
            await foreach (var item in events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            await leave.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(false);
        }
    }
}
