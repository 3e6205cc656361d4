using System.Text;

namespace AgentSight.Plugins.Web.Session;

/// <summary>Finds a text in UTF-8 bytes, ignoring the case of ASCII letters, without decoding the bytes.</summary>
/// <remarks>
/// Searching 100,000 events means scanning tens of megabytes per query: the bytes are searched as they are kept, for
/// the first byte in either case with a vectorized IndexOfAny, then compared in place.
/// </remarks>
internal sealed class TextMatcher
{
    private readonly byte[] _lower;
    private readonly byte _first;
    private readonly byte _firstOther;

    public TextMatcher(string text)
    {
        _lower = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < _lower.Length; i++)
        {
            _lower[i] = Lower(_lower[i]);
        }
        _first = _lower.Length > 0 ? _lower[0] : (byte)0;
        _firstOther = _first is >= (byte)'a' and <= (byte)'z' ? (byte)(_first - 32) : _first;
    }

    public bool IsIn(ReadOnlySpan<byte> haystack)
    {
        if (_lower.Length == 0)
        {
            return true;
        }
        var offset = 0;
        while (offset <= haystack.Length - _lower.Length)
        {
            var found = haystack[offset..].IndexOfAny(_first, _firstOther);
            if (found < 0)
            {
                return false;
            }
            var at = offset + found;
            if (at > haystack.Length - _lower.Length)
            {
                return false;
            }
            if (EqualsAt(haystack, at))
            {
                return true;
            }
            offset = at + 1;
        }
        return false;
    }

    private bool EqualsAt(ReadOnlySpan<byte> haystack, int at)
    {
        for (var i = 1; i < _lower.Length; i++)
        {
            if (Lower(haystack[at + i]) != _lower[i])
            {
                return false;
            }
        }
        return true;
    }

    private static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
}
