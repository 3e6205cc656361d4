namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>
/// A text made from another one, the base: decoded (each escape replaced by the character it stands for) or joined
/// from pieces of it (the string values of one JSON key across a stream's events). Every character maps back to
/// the base characters it came from, so what is found here is replaced there.
/// </summary>
/// <remarks>
/// Stored as runs: a run of characters copied from consecutive base characters, one character standing for a
/// whole escape, or characters with no place in the base (a separator between joined pieces, or pieces already
/// sent on), which map to nothing. Reused: <see cref="Clear"/> keeps the buffers. Not thread-safe.
/// </remarks>
internal sealed class MappedText
{
    /// <summary>Base position of characters that map to nothing.</summary>
    public const int Unmapped = -1;

    private char[] _chars = new char[256];
    private int _length;

    // Run i covers [_viewStart[i], _viewStart[i + 1]) (the last one up to _length) and stands for base characters
    // [_baseStart[i], _baseStart[i] + _baseLength[i]): the same number of them for a copy, any number for an escape
    // (one character), none (Unmapped) for the rest.
    private int[] _viewStart = new int[16];
    private int[] _baseStart = new int[16];
    private int[] _baseLength = new int[16];
    private bool[] _isCopy = new bool[16];
    private int _runs;

    public int Length => _length;

    public ReadOnlySpan<char> Text => _chars.AsSpan(0, _length);

    public void Clear()
    {
        _length = 0;
        _runs = 0;
    }

    /// <summary>Appends characters copied from the base, starting at base position <paramref name="baseStart"/>.</summary>
    public void AppendCopy(ReadOnlySpan<char> chars, int baseStart)
    {
        if (chars.IsEmpty)
        {
            return;
        }
        EnsureChars(chars.Length);
        var last = _runs - 1;
        if (last >= 0 && _isCopy[last] && _baseStart[last] + _baseLength[last] == baseStart)
        {
            _baseLength[last] += chars.Length;
        }
        else
        {
            AddRun(baseStart, chars.Length, copy: true);
        }
        chars.CopyTo(_chars.AsSpan(_length));
        _length += chars.Length;
    }

    /// <summary>Appends one character that stands for base characters [baseStart, baseStart + baseLength) (an escape).</summary>
    public void AppendEscape(char c, int baseStart, int baseLength)
    {
        EnsureChars(1);
        AddRun(baseStart, baseLength, copy: false);
        _chars[_length++] = c;
    }

    /// <summary>Appends characters with no place in the base.</summary>
    public void AppendUnmapped(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty)
        {
            return;
        }
        EnsureChars(chars.Length);
        if (_runs == 0 || _baseStart[_runs - 1] != Unmapped)
        {
            AddRun(Unmapped, 0, copy: false);
        }
        chars.CopyTo(_chars.AsSpan(_length));
        _length += chars.Length;
    }

    /// <summary>
    /// Adds the base ranges that characters [start, end) come from to <paramref name="ranges"/>, one range per
    /// stretch of consecutive base characters; characters that map to nothing add nothing.
    /// </summary>
    public void Map(int start, int end, List<(int Start, int End)> ranges)
    {
        if (end <= start || _runs == 0)
        {
            return;
        }
        var run = RunAt(start);
        var pending = (Start: -1, End: -1);
        for (; run < _runs; run++)
        {
            var viewStart = _viewStart[run];
            if (viewStart >= end)
            {
                break;
            }
            var viewEnd = run + 1 < _runs ? _viewStart[run + 1] : _length;
            var baseStart = _baseStart[run];
            if (baseStart == Unmapped || viewEnd <= start)
            {
                continue;
            }
            int s, e;
            if (_isCopy[run])
            {
                s = baseStart + (Math.Max(start, viewStart) - viewStart);
                e = baseStart + (Math.Min(end, viewEnd) - viewStart);
            }
            else
            {
                s = baseStart;
                e = baseStart + _baseLength[run];
            }
            if (pending.Start >= 0 && pending.End == s)
            {
                pending.End = e;
                continue;
            }
            if (pending.Start >= 0)
            {
                ranges.Add(pending);
            }
            pending = (s, e);
        }
        if (pending.Start >= 0)
        {
            ranges.Add(pending);
        }
    }

    /// <summary>The base position of character <paramref name="position"/>, or <see cref="Unmapped"/>; at the end, one past the last run.</summary>
    public int ToBase(int position)
    {
        if (_runs == 0)
        {
            return Unmapped;
        }
        if (position >= _length)
        {
            var last = _runs - 1;
            return _baseStart[last] == Unmapped ? Unmapped : _baseStart[last] + _baseLength[last];
        }
        var run = RunAt(position);
        var baseStart = _baseStart[run];
        return baseStart == Unmapped ? Unmapped : _isCopy[run] ? baseStart + (position - _viewStart[run]) : baseStart;
    }

    /// <summary>The first position whose base position is at or after <paramref name="basePosition"/> (runs are in base order), or the length.</summary>
    public int FromBase(int basePosition)
    {
        for (var run = 0; run < _runs; run++)
        {
            var baseStart = _baseStart[run];
            if (baseStart == Unmapped)
            {
                continue;
            }
            var viewEnd = run + 1 < _runs ? _viewStart[run + 1] : _length;
            if (baseStart >= basePosition)
            {
                return _viewStart[run];
            }
            if (_isCopy[run] && baseStart + _baseLength[run] > basePosition)
            {
                return Math.Min(viewEnd, _viewStart[run] + (basePosition - baseStart));
            }
        }
        return _length;
    }

    private int RunAt(int position)
    {
        int low = 0, high = _runs - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (_viewStart[middle] <= position)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }
        return low;
    }

    private void AddRun(int baseStart, int baseLength, bool copy)
    {
        if (_runs == _viewStart.Length)
        {
            var size = _runs * 2;
            Array.Resize(ref _viewStart, size);
            Array.Resize(ref _baseStart, size);
            Array.Resize(ref _baseLength, size);
            Array.Resize(ref _isCopy, size);
        }
        _viewStart[_runs] = _length;
        _baseStart[_runs] = baseStart;
        _baseLength[_runs] = baseLength;
        _isCopy[_runs] = copy;
        _runs++;
    }

    private void EnsureChars(int more)
    {
        if (_length + more > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_length + more, _chars.Length * 2));
        }
    }
}
