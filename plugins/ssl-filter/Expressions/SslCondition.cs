using System.Globalization;
using AgentSight.Contracts;

namespace AgentSight.Plugins.SslFilter.Expressions;

/// <summary><c>field op value</c>, with the value already converted to the field's type.</summary>
public sealed class SslCondition : SslExpression
{
    private readonly byte[] _bytes;
    private readonly long _number;
    private readonly bool _flag;

    internal SslCondition(SslField field, SslOperator op, string value, byte[] bytes, long number, bool flag)
    {
        Field = field;
        Operator = op;
        Value = value;
        _bytes = bytes;
        _number = number;
        _flag = flag;
    }

    /// <summary>The field tested.</summary>
    public SslField Field { get; }

    /// <summary>The comparison.</summary>
    public SslOperator Operator { get; }

    /// <summary>The value after escapes were applied.</summary>
    public string Value { get; }

    internal override bool Matches(SslEventView evt)
    {
        var payload = evt.Payload;
        return Field switch
        {
            // A payload with no bytes at all (handshakes, failed copies) matches no data condition, as in the original.
            SslField.Data => payload.HasBytes && CompareBytes(payload.Bytes.Span),
            SslField.DataType => payload.HasBytes && ((evt.IsText ? "text" : "binary") == Value) == (Operator == SslOperator.Equal),
            SslField.Function => CompareText(payload.Function),
            SslField.Comm => CompareText(evt.Event.Comm),
            SslField.ConnectionId => payload.ConnectionId != 0 && CompareText(TlsPayload.FormatConnectionId(payload.ConnectionId)),
            SslField.Library => payload.Library is { } library && CompareText(library),
            SslField.IsHandshake => (payload.Direction == TlsDirection.Handshake) == _flag == (Operator == SslOperator.Equal),
            SslField.Truncated => payload.Truncated == _flag == (Operator == SslOperator.Equal),
            SslField.Length => CompareNumber(payload.Length),
            SslField.Pid => CompareNumber(evt.Event.Pid),
            SslField.Tid => CompareNumber(evt.Event.Tid),
            SslField.Uid => payload.Uid is { } uid && CompareNumber(uid),
            SslField.TimestampNs => CompareNumber(evt.Event.Timestamp),
            SslField.LatencyMs => CompareNumber(payload.LatencyNs),
            SslField.BytesLost => CompareNumber(payload.BytesLost),
            _ => false,
        };
    }

    private bool CompareBytes(ReadOnlySpan<byte> actual) => Operator switch
    {
        SslOperator.Equal => actual.SequenceEqual(_bytes),
        SslOperator.NotEqual => !actual.SequenceEqual(_bytes),
        SslOperator.Contains => actual.IndexOf(_bytes) >= 0,
        SslOperator.StartsWith => actual.StartsWith(_bytes),
        SslOperator.EndsWith => actual.EndsWith(_bytes),
        _ => false,
    };

    private bool CompareText(string actual) => Operator switch
    {
        SslOperator.Equal => string.Equals(actual, Value, StringComparison.Ordinal),
        SslOperator.NotEqual => !string.Equals(actual, Value, StringComparison.Ordinal),
        SslOperator.Contains => actual.Contains(Value, StringComparison.Ordinal),
        SslOperator.StartsWith => actual.StartsWith(Value, StringComparison.Ordinal),
        SslOperator.EndsWith => actual.EndsWith(Value, StringComparison.Ordinal),
        _ => false,
    };

    private bool CompareNumber(long actual) => Operator switch
    {
        SslOperator.Equal => actual == _number,
        SslOperator.NotEqual => actual != _number,
        SslOperator.Greater => actual > _number,
        SslOperator.Less => actual < _number,
        SslOperator.GreaterOrEqual => actual >= _number,
        SslOperator.LessOrEqual => actual <= _number,
        _ => false,
    };

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{SslFields.NameOf(Field)}{SslFields.Spell(Operator)}{Value}");
}
