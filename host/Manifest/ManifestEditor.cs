using System.Text;
using System.Text.Json;

namespace AgentSight.Host.Manifest;

/// <summary>Edits a manifest file as text, so the order, layout and comments of every other entry stay as they were.</summary>
/// <remarks>
/// The file is scanned with <see cref="Utf8JsonReader"/> (comments allowed) to find the byte span of each stage
/// object and of its <c>enabled</c> value; an edit splices only those bytes. After every edit the result is parsed
/// again, so an edit can never leave a manifest that does not read.
/// </remarks>
internal sealed class ManifestEditor
{
    /// <summary>Nesting of a stage object: the root object (1), the stages array (2), a stage (3).</summary>
    private const int StageDepth = 3;

    private const string EmptyManifest = "{\n  \"stages\": [\n  ]\n}\n";
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Allow, AllowTrailingCommas = true };

    private byte[] _text;
    private List<StageSpan> _stages = [];
    private int _stagesOpen;
    private int _stagesClose;

    private ManifestEditor(string path, byte[] text)
    {
        Path = path;
        _text = text;
        Scan();
    }

    public string Path { get; }

    public string Text => Encoding.UTF8.GetString(_text);

    /// <summary>The stages in file order.</summary>
    public IReadOnlyList<StageSpan> Stages => _stages;

    /// <summary>Opens a manifest for editing; a missing file starts as an empty manifest.</summary>
    public static ManifestEditor Open(string path) =>
        new(path, File.Exists(path) ? File.ReadAllBytes(path) : Encoding.UTF8.GetBytes(EmptyManifest));

    /// <summary>Edits text directly (tests).</summary>
    public static ManifestEditor FromText(string text) => new("manifest.json", Encoding.UTF8.GetBytes(text));

    /// <summary>Sets a stage's <c>enabled</c> value, writing the key when the stage has none.</summary>
    public void SetEnabled(StageSpan stage, bool enabled)
    {
        var value = enabled ? "true" : "false";
        if (stage.EnabledValue is { } span)
        {
            Splice(span.Start, span.Length, value);
        }
        else
        {
            Splice(stage.FirstPropertyStart, 0, $"\"enabled\": {value}, ");
        }
    }

    /// <summary>Sets (or adds) a string property of a stage, such as its <c>sha256</c> pin.</summary>
    public void SetString(StageSpan stage, string key, string value)
    {
        var encoded = PipelineOverrides.Json(value);
        if (stage.StringValues.TryGetValue(key, out var span))
        {
            Splice(span.Start, span.Length, encoded);
        }
        else
        {
            Splice(stage.FirstPropertyStart, 0, $"\"{key}\": {encoded}, ");
        }
    }

    /// <summary>Removes a stage with the comma that separated it; its line goes too when nothing else is on it.</summary>
    public void Remove(StageSpan stage)
    {
        var start = stage.Start;
        var end = stage.End;
        var after = SkipInsignificant(end);
        if (after < _text.Length && _text[after] == (byte)',')
        {
            end = after + 1;
        }
        else
        {
            var before = PreviousSignificant(start);
            if (before > _stagesOpen && _text[before] == (byte)',')
            {
                start = before;
            }
        }
        // Take the whole line when the stage had it to itself.
        var lineStart = start;
        while (lineStart > 0 && _text[lineStart - 1] is (byte)' ' or (byte)'\t')
        {
            lineStart--;
        }
        var lineEnd = end;
        while (lineEnd < _text.Length && _text[lineEnd] is (byte)' ' or (byte)'\t')
        {
            lineEnd++;
        }
        if ((lineStart == 0 || _text[lineStart - 1] == (byte)'\n') && lineEnd < _text.Length && _text[lineEnd] == (byte)'\n')
        {
            start = lineStart;
            end = lineEnd + 1;
        }
        Splice(start, end - start, string.Empty);
    }

    /// <summary>Inserts a stage (its JSON object text) so that it becomes the stage at <paramref name="index"/>.</summary>
    public void Insert(int index, string stageJson)
    {
        var indent = _stages.Count > 0 ? IndentOf(_stages[0].Start) : "    ";
        if (_stages.Count == 0)
        {
            Splice(_stagesOpen + 1, SkipWhitespace(_stagesOpen + 1) - (_stagesOpen + 1), $"\n{indent}{stageJson}\n{IndentOf(_stagesClose)}");
        }
        else if (index < _stages.Count)
        {
            // Above the comment lines that belong to the stage it goes before, so each comment stays with its stage.
            var at = CommentBlockStart(_stages[index].Start);
            Splice(at, 0, at == _stages[index].Start ? $"{stageJson},\n{indent}" : $"{indent}{stageJson},\n");
        }
        else
        {
            var last = _stages[^1];
            var after = SkipInsignificant(last.End);
            if (after < _text.Length && _text[after] == (byte)',')
            {
                Splice(after + 1, 0, $"\n{indent}{stageJson}");
            }
            else
            {
                Splice(last.End, 0, $",\n{indent}{stageJson}");
            }
        }
    }

    /// <summary>Writes the file atomically (a temporary file renamed over it), keeping its permissions.</summary>
    public void Save()
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        Directory.CreateDirectory(directory);
        var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Environment.ProcessId}.tmp");
        File.WriteAllBytes(temporary, _text);
        if (File.Exists(Path))
        {
            File.SetUnixFileMode(temporary, File.GetUnixFileMode(Path));
        }
        File.Move(temporary, Path, overwrite: true);
    }

    private void Splice(int start, int length, string replacement)
    {
        var insert = Encoding.UTF8.GetBytes(replacement);
        var result = new byte[_text.Length - length + insert.Length];
        _text.AsSpan(0, start).CopyTo(result);
        insert.CopyTo(result.AsSpan(start));
        _text.AsSpan(start + length).CopyTo(result.AsSpan(start + insert.Length));
        var previous = _text;
        _text = result;
        try
        {
            Scan();
            var problems = new List<ManifestProblem>();
            ManifestReader.Parse(Path, Encoding.UTF8.GetString(_text), problems);
            if (problems.Any(p => p.Message.StartsWith("malformed JSON", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException(problems[0].ToString());
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            _text = previous;
            Scan();
            throw new InvalidOperationException($"editing {Path} would have broken it ({ex.Message}); it was left as it was", ex);
        }
    }

    private void Scan()
    {
        var stages = new List<StageSpan>();
        var reader = new Utf8JsonReader(_text, ReaderOptions);
        var depth = 0;
        var inStages = false;
        string? property = null;
        StageBuilder? current = null;
        _stagesOpen = _stagesClose = -1;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Comment:
                    continue;
                case JsonTokenType.StartObject:
                    depth++;
                    if (inStages && depth == StageDepth)
                    {
                        current = new StageBuilder((int)reader.TokenStartIndex);
                    }
                    break;
                case JsonTokenType.EndObject:
                    if (inStages && depth == StageDepth && current is not null)
                    {
                        stages.Add(current.Build((int)reader.TokenStartIndex + 1));
                        current = null;
                    }
                    depth--;
                    break;
                case JsonTokenType.StartArray:
                    depth++;
                    if (depth == 2 && property == "stages")
                    {
                        inStages = true;
                        _stagesOpen = (int)reader.TokenStartIndex;
                    }
                    break;
                case JsonTokenType.EndArray:
                    if (inStages && depth == 2)
                    {
                        inStages = false;
                        _stagesClose = (int)reader.TokenStartIndex;
                    }
                    depth--;
                    break;
                case JsonTokenType.PropertyName:
                    property = reader.GetString();
                    if (current is not null && depth == StageDepth)
                    {
                        current.FirstPropertyStart ??= (int)reader.TokenStartIndex;
                        current.Property = property;
                    }
                    continue;
                default:
                    if (current is not null && depth == StageDepth && current.Property is { } key)
                    {
                        var start = (int)reader.TokenStartIndex;
                        var length = reader.TokenType == JsonTokenType.String ? reader.ValueSpan.Length + 2 : reader.ValueSpan.Length;
                        if (key == "enabled" && reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                        {
                            current.EnabledValue = new TextSpan(start, length);
                        }
                        else if (reader.TokenType == JsonTokenType.String)
                        {
                            current.StringValues[key] = new TextSpan(start, length);
                            if (key == "plugin")
                            {
                                current.Plugin = reader.GetString();
                            }
                            else if (key == "id")
                            {
                                current.Id = reader.GetString();
                            }
                        }
                    }
                    break;
            }
            if (current is not null && depth == StageDepth)
            {
                current.Property = null;
            }
        }
        if (_stagesOpen < 0)
        {
            throw new InvalidOperationException($"{Path} has no \"stages\" list to edit");
        }
        _stages = stages;
    }

    private int SkipWhitespace(int position)
    {
        while (position < _text.Length && _text[position] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            position++;
        }
        return position;
    }

    /// <summary>The next position that is neither whitespace nor inside a comment.</summary>
    private int SkipInsignificant(int position)
    {
        while (true)
        {
            position = SkipWhitespace(position);
            if (position + 1 < _text.Length && _text[position] == (byte)'/' && _text[position + 1] == (byte)'/')
            {
                while (position < _text.Length && _text[position] != (byte)'\n')
                {
                    position++;
                }
            }
            else if (position + 1 < _text.Length && _text[position] == (byte)'/' && _text[position + 1] == (byte)'*')
            {
                var close = _text.AsSpan(position + 2).IndexOf("*/"u8);
                position = close < 0 ? _text.Length : position + 2 + close + 2;
            }
            else
            {
                return position;
            }
        }
    }

    /// <summary>The closest position before <paramref name="position"/> that is not whitespace (comments are not skipped).</summary>
    private int PreviousSignificant(int position)
    {
        position--;
        while (position > 0 && _text[position] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            position--;
        }
        return position;
    }

    /// <summary>
    /// The start of the line block made of <c>//</c> comment lines directly above <paramref name="stageStart"/>, or
    /// <paramref name="stageStart"/> itself when the stage does not begin its line or has no such comment.
    /// </summary>
    private int CommentBlockStart(int stageStart)
    {
        var lineStart = stageStart;
        while (lineStart > 0 && _text[lineStart - 1] is (byte)' ' or (byte)'\t')
        {
            lineStart--;
        }
        if (lineStart > 0 && _text[lineStart - 1] != (byte)'\n')
        {
            return stageStart;
        }
        var blockStart = stageStart;
        while (lineStart > 0)
        {
            var previousStart = lineStart - 1;
            while (previousStart > 0 && _text[previousStart - 1] != (byte)'\n')
            {
                previousStart--;
            }
            var line = Encoding.UTF8.GetString(_text, previousStart, lineStart - previousStart).Trim();
            if (!line.StartsWith("//", StringComparison.Ordinal))
            {
                break;
            }
            blockStart = previousStart;
            lineStart = previousStart;
        }
        return blockStart;
    }

    private string IndentOf(int position)
    {
        var lineStart = position;
        while (lineStart > 0 && _text[lineStart - 1] != (byte)'\n')
        {
            lineStart--;
        }
        var end = lineStart;
        while (end < position && _text[end] is (byte)' ' or (byte)'\t')
        {
            end++;
        }
        return Encoding.UTF8.GetString(_text, lineStart, end - lineStart);
    }

    /// <summary>Where a stage is in the file.</summary>
    internal sealed record StageSpan(int Start, int End, string? Plugin, string? Id, int FirstPropertyStart, TextSpan? EnabledValue,
        IReadOnlyDictionary<string, TextSpan> StringValues)
    {
        /// <summary>The id the manifest reader gives this stage.</summary>
        public string EffectiveId => Id ?? Plugin ?? string.Empty;
    }

    /// <summary>A byte range of the file.</summary>
    internal readonly record struct TextSpan(int Start, int Length);

    private sealed class StageBuilder(int start)
    {
        public string? Plugin { get; set; }

        public string? Id { get; set; }

        public string? Property { get; set; }

        public int? FirstPropertyStart { get; set; }

        public TextSpan? EnabledValue { get; set; }

        public Dictionary<string, TextSpan> StringValues { get; } = new(StringComparer.Ordinal);

        public StageSpan Build(int end) => new(start, end, Plugin, Id, FirstPropertyStart ?? start + 1, EnabledValue, StringValues);
    }
}
