using AgentSight.Contracts;

namespace AgentSight.Host.Capture;

/// <summary>
/// Hands a capture's events on in the order of their timestamps, across its rings and sources.
/// </summary>
/// <remarks>
/// The rings are read one after the other, so a record written to the process ring while the TLS ring was being read
/// came out after TLS records made later than it. The trace analyzer then saw a tool's command after the request
/// that ended the tool's window, and put the command under the run: a real agent's test failed about one run in
/// five on a loaded machine. So the events of a pass are held, and handed on, sorted, once every ring has been read
/// past their time: those stamped before the pass began (<see cref="Release"/>). The rest wait for the next pass, at
/// most one tick; nothing is held for more than two passes, whatever its timestamp says.
/// Used by one thread, the capture's, which makes every event and reads every ring: no lock.
/// </remarks>
internal sealed class TimeOrderedOutputs
{
    /// <summary>At most this many events wait (see <see cref="Hold"/>), four times the pipeline's first queue; a pass of an agent's traffic holds tens.</summary>
    internal const int MaxHeld = 4_096;

    /// <summary>And at most this much captured data (a TLS call can carry up to 4 MiB).</summary>
    internal const long MaxHeldBytes = 32L * 1024 * 1024;

    private readonly List<Held> _held = [];
    private readonly List<Held> _ready = [];
    private long _sequence;
    private long _pass;
    private long _heldBytes;

    /// <summary>Outputs that hold each event here instead of handing it on; the counters are the same.</summary>
    public CaptureOutputs Wrap(CaptureOutputs outputs) => outputs.Map(Hold);

    /// <summary>How many events wait now.</summary>
    public int Count => _held.Count;

    /// <summary>
    /// Hands on, in time order, every event stamped at or before <paramref name="markNs"/> (epoch ns, read before
    /// the pass's first ring) and every event held since two passes ago; then starts a new pass.
    /// </summary>
    public void Release(long markNs)
    {
        if (_held.Count > 0)
        {
            Sort();
            var kept = 0;
            for (var i = 0; i < _held.Count; i++)
            {
                var held = _held[i];
                if (held.Event.Timestamp <= markNs || _pass - held.Pass >= 2)
                {
                    Ready(held);
                }
                else
                {
                    _held[kept++] = held;
                }
            }
            _held.RemoveRange(kept, _held.Count - kept);
        }
        _pass++;
        HandOn();
    }

    /// <summary>Hands on everything held, in time order (the capture's end).</summary>
    public void ReleaseAll() => Release(long.MaxValue);

    private Action<AgentEvent> Hold(Action<AgentEvent> output) => evt =>
    {
        var bytes = evt.Data switch
        {
            TlsPayload tls => tls.Bytes.Length,
            StdioPayload stdio => stdio.Bytes.Length,
            _ => 0,
        };
        _held.Add(new Held(evt, output, _sequence++, _pass, bytes));
        _heldBytes += bytes;
        if (_held.Count >= MaxHeld || _heldBytes >= MaxHeldBytes)
        {
            // A pass that reads more than this (a ring filled faster than it is read): the older half goes on now, so
            // memory stays bounded and a full pipeline still stops the reading, as without the ordering.
            Sort();
            var count = Math.Max(1, _held.Count / 2);
            for (var i = 0; i < count; i++)
            {
                Ready(_held[i]);
            }
            _held.RemoveRange(0, count);
            HandOn();
        }
    };

    // Stable: events with the same timestamp keep the order they were made in.
    private void Sort() => _held.Sort(static (a, b) => a.Event.Timestamp != b.Event.Timestamp ? a.Event.Timestamp.CompareTo(b.Event.Timestamp) : a.Sequence.CompareTo(b.Sequence));

    private void Ready(Held held)
    {
        _ready.Add(held);
        _heldBytes -= held.Bytes;
    }

    private void HandOn()
    {
        // An output waits while the pipeline's first queue is full: the capture thread then stops reading, as before.
        try
        {
            foreach (var held in _ready)
            {
                held.Output(held.Event);
            }
        }
        finally
        {
            _ready.Clear();
        }
    }

    private readonly record struct Held(AgentEvent Event, Action<AgentEvent> Output, long Sequence, long Pass, long Bytes);
}
