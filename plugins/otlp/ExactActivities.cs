using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace AgentSight.Plugins.Otlp;

/// <summary>
/// <see cref="Activity"/> objects (what the SDK's OTLP exporter takes) carrying the ids, times, kind and status a span
/// was given, never ones made up here.
/// </summary>
/// <remarks>
/// The exporter serializes <see cref="Activity"/> only, and an activity's own span id has no public setter: it is
/// made at random when the activity starts. The trace id and parent come through the public
/// <see cref="ActivitySource.CreateActivity(string, ActivityKind, ActivityContext, IEnumerable{KeyValuePair{string, object}}, IEnumerable{ActivityLink}, ActivityIdFormat)"/>,
/// times through <see cref="Activity.SetStartTime"/> and <see cref="Activity.SetEndTime"/>; the span id is written
/// into the activity's private <c>_spanId</c> field (an <see cref="UnsafeAccessorAttribute"/>, checked against the
/// running runtime by <see cref="Probe"/> before the first export). The activity is never started, so nothing else
/// (no listener, no <see cref="Activity.Current"/>) sees it. The other ways were worse: letting the SDK make ids
/// would break the parent links of the trace analyzer's spans and the sameness of a replayed trace, and hand-written
/// OTLP protobuf would not be the SDK's exporter.
/// </remarks>
internal sealed class ExactActivities : IDisposable
{
    private readonly ActivitySource _source;
    private readonly ActivityListener _listener;

    public ExactActivities(string sourceName, string? version)
    {
        _source = new ActivitySource(sourceName, version);
        // CreateActivity returns null unless a listener wants the source's activities.
        _listener = new ActivityListener
        {
            ShouldListenTo = source => ReferenceEquals(source, _source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_spanId")]
    private static extern ref string? SpanIdField(Activity activity);

    /// <summary>Fails with a clear message when this runtime's <see cref="Activity"/> does not keep a span id set this way.</summary>
    public void Probe()
    {
        var expected = ActivitySpanId.CreateFromString("0123456789abcdef");
        var trace = ActivityTraceId.CreateFromString("0123456789abcdef0123456789abcdef");
        var parent = ActivitySpanId.CreateFromString("fedcba9876543210");
        Activity? probe = null;
        try
        {
            probe = Make(new SpanRecord(trace, expected, parent, "probe", ActivityKind.Client, 1, 2, ActivityStatusCode.Ok, null, [], 0));
        }
        catch (MissingFieldException)
        {
        }
        if (probe is null || probe.SpanId != expected || probe.TraceId != trace || probe.ParentSpanId != parent || probe.Kind != ActivityKind.Client)
        {
            throw new InvalidOperationException(
                $"this .NET runtime ({Environment.Version}) does not let a span keep its own id (System.Diagnostics.Activity._spanId); "
                + "the otlp sink cannot export exact ids on it");
        }
    }

    /// <summary>An activity for <paramref name="span"/>; null when no listener took the source (never, while this object lives).</summary>
    public Activity? Make(SpanRecord span)
    {
        var parent = new ActivityContext(span.TraceId, span.ParentSpanId, ActivityTraceFlags.Recorded);
        var activity = _source.CreateActivity(span.Name, span.Kind, parent, tags: null, links: null, ActivityIdFormat.W3C);
        if (activity is null)
        {
            return null;
        }
        SpanIdField(activity) = span.SpanId.ToHexString();
        activity.SetStartTime(FromEpochNs(span.StartNs));
        activity.SetEndTime(FromEpochNs(Math.Max(span.StartNs, span.EndNs)));
        foreach (var (key, value) in span.Attributes)
        {
            activity.SetTag(key, value);
        }
        if (span.Status != ActivityStatusCode.Unset)
        {
            activity.SetStatus(span.Status, span.Status == ActivityStatusCode.Error ? span.StatusMessage : null);
        }
        return activity;
    }

    /// <summary>UTC time of epoch nanoseconds, to the 100 ns a <see cref="DateTime"/> holds.</summary>
    internal static DateTime FromEpochNs(long ns) => DateTime.UnixEpoch.AddTicks(ns / 100);

    public void Dispose()
    {
        _listener.Dispose();
        _source.Dispose();
    }
}
