using System.Globalization;
using System.Text;
using AgentSight.Top.Model;
using AgentSight.Top.Sources;

namespace AgentSight.Top.View;

/// <summary>
/// The live view: reads the recording every interval in the background, draws a frame when something changed, and
/// answers keys. On a terminal that moves the cursor it takes the whole screen (the alternate screen, as <c>top</c>
/// and <c>less</c> do) and gives it back as it was on quit; on one that does not (TERM=dumb) or when the output is not
/// a terminal, it prints one frame after another.
/// </summary>
public sealed class TopApp
{
    private readonly WebApiSource _source;
    private readonly TopOptions _options;
    private readonly TerminalProfile _profile;
    private readonly TopViewState _view;
    private readonly Lock _lock = new();
    private SessionSnapshot? _snapshot;
    private DateTimeOffset? _snapshotAt;
    private string? _problem;
    private DateTimeOffset? _problemSince;
    private int _readings;
    private string? _editingFilter;

    public TopApp(WebApiSource source, TopOptions options)
    {
        _source = source;
        _options = options;
        _profile = options.Profile ?? TerminalProfile.Detect();
        _view = options.View;
    }

    /// <summary>Runs until <c>q</c> (or Ctrl+C typed into the view) or <paramref name="quit"/>; 0, or 1 when <c>--once</c> could not read the recording.</summary>
    public async Task<int> RunAsync(CancellationToken quit)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(quit);
        using var changed = new SemaphoreSlim(0);
        var poller = PollAsync(changed, stop.Token);
        try
        {
            if (_options.Once)
            {
                return await OnceAsync(changed, stop.Token);
            }
            var keys = !Console.IsInputRedirected;
            if (_profile.Ansi && keys)
            {
                await FullScreenAsync(changed, stop);
            }
            else
            {
                await FramesAsync(changed, stop, keys);
            }
            return 0;
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await poller;
            }
            catch (OperationCanceledException)
            {
                // Stopped while reading: the recording is not affected.
            }
        }
    }

    private async Task PollAsync(SemaphoreSlim changed, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var reading = await _source.ReadAsync(cancellationToken);
            lock (_lock)
            {
                _readings++;
                if (reading.Snapshot is not null)
                {
                    _snapshot = reading.Snapshot;
                    _snapshotAt = reading.At;
                    _problem = null;
                    _problemSince = null;
                }
                else
                {
                    _problemSince ??= reading.At;
                    _problem = reading.Problem;
                }
            }
            changed.Release();
            await Task.Delay(_options.Interval, cancellationToken);
        }
    }

    private async Task<int> OnceAsync(SemaphoreSlim changed, CancellationToken cancellationToken)
    {
        // The first reading that has figures, or the problem after a few tries (a server that is still starting).
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await changed.WaitAsync(cancellationToken);
            lock (_lock)
            {
                if (_snapshot is not null)
                {
                    break;
                }
            }
        }
        if (_snapshot is null)
        {
            await Console.Error.WriteLineAsync($"agentsight: top: {_problem ?? "the recording could not be read"}");
            return 1;
        }
        var (width, _) = Size();
        var rows = Rows();
        await Console.Out.WriteLineAsync(Frame(rows, width, rows.Count + TopScreen.ChromeLines));
        return 0;
    }

    private async Task FullScreenAsync(SemaphoreSlim changed, CancellationTokenSource stop)
    {
        var out_ = Console.Out;
        await using var screen = Console.OpenStandardOutput();
        var controlC = Console.TreatControlCAsInput;
        // The alternate screen keeps the user's scrollback as it was; the cursor hides while frames are drawn.
        await out_.WriteAsync("\u001b[?1049h\u001b[?25l\u001b[H\u001b[2J");
        await out_.FlushAsync();
        try
        {
            Console.TreatControlCAsInput = true;
            var lastSize = (0, 0);
            var dirty = true;
            while (!stop.IsCancellationRequested)
            {
                while (Console.KeyAvailable)
                {
                    if (!Handle(Console.ReadKey(intercept: true)))
                    {
                        return;
                    }
                    dirty = true;
                }
                var size = Size();
                if (dirty || size != lastSize)
                {
                    var rows = Rows();
                    var frame = Frame(rows, size.Width, size.Height).Split('\n');
                    var text = new StringBuilder();
                    for (var i = 0; i < frame.Length; i++)
                    {
                        text.Append("\u001b[").Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(";1H").Append(frame[i]).Append("\u001b[K");
                    }
                    if (frame.Length < size.Height)
                    {
                        // Below a frame shorter than the screen (it never is, but a resize can race): nothing left over.
                        text.Append("\u001b[").Append((frame.Length + 1).ToString(CultureInfo.InvariantCulture)).Append(";1H\u001b[J");
                    }
                    // One write for the whole frame: written through Console.Out it went out in pieces of a few hundred
                    // bytes, and a terminal (or tmux's capture in the tests) could show the new header over the old rows.
                    await screen.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
                    await screen.FlushAsync();
                    lastSize = size;
                    dirty = false;
                }
                dirty |= await WaitAsync(changed, TimeSpan.FromMilliseconds(50), stop.Token);
            }
        }
        finally
        {
            Console.TreatControlCAsInput = controlC;
            await out_.WriteAsync("\u001b[?25h\u001b[?1049l");
            await out_.FlushAsync();
        }
    }

    /// <summary>No cursor movement (TERM=dumb) or no terminal: a whole frame each time the figures change (at most once per interval), then a blank line.</summary>
    private async Task FramesAsync(SemaphoreSlim changed, CancellationTokenSource stop, bool keys)
    {
        var controlC = keys && Console.TreatControlCAsInput;
        try
        {
            if (keys)
            {
                Console.TreatControlCAsInput = true;
            }
            var dirty = false;
            var printedReadings = -1;
            while (!stop.IsCancellationRequested)
            {
                while (keys && Console.KeyAvailable)
                {
                    if (!Handle(Console.ReadKey(intercept: true)))
                    {
                        return;
                    }
                    dirty = true;
                }
                int readings;
                lock (_lock)
                {
                    readings = _readings;
                }
                if (dirty || readings != printedReadings)
                {
                    var (width, height) = Size();
                    var rows = Rows();
                    await Console.Out.WriteLineAsync(Frame(rows, width, keys ? height : rows.Count + TopScreen.ChromeLines) + "\n");
                    await Console.Out.FlushAsync();
                    printedReadings = readings;
                    dirty = false;
                }
                await WaitAsync(changed, TimeSpan.FromMilliseconds(keys ? 50 : 1000), stop.Token);
            }
        }
        finally
        {
            if (keys)
            {
                Console.TreatControlCAsInput = controlC;
            }
        }
    }

    private static async Task<bool> WaitAsync(SemaphoreSlim changed, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await changed.WaitAsync(timeout, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Applies a key; false to quit.</summary>
    public bool Handle(ConsoleKeyInfo key)
    {
        var control = (key.Modifiers & ConsoleModifiers.Control) != 0;
        if (control && key.Key == ConsoleKey.C)
        {
            return false;
        }
        if (_editingFilter is not null)
        {
            EditFilter(key);
            return true;
        }
        var rows = Rows();
        var page = TopScreen.PageSize(Size().Height);
        switch (key.Key)
        {
            case ConsoleKey.UpArrow:
                Move(rows, -1);
                return true;
            case ConsoleKey.DownArrow:
                Move(rows, 1);
                return true;
            case ConsoleKey.PageUp:
                Move(rows, -page);
                return true;
            case ConsoleKey.PageDown:
                Move(rows, page);
                return true;
            case ConsoleKey.Home:
                Move(rows, int.MinValue / 2);
                return true;
            case ConsoleKey.End:
                Move(rows, int.MaxValue / 2);
                return true;
            case ConsoleKey.Escape:
                _view.Filter = null;
                return true;
            case ConsoleKey.F10:
                return false;
        }
        switch (key.KeyChar)
        {
            case 'q' or 'Q':
                return false;
            case 's':
                _view.CycleSort(1, VisibleColumns());
                break;
            case 'S':
                _view.CycleSort(-1, VisibleColumns());
                break;
            case 'r':
                _view.Descending = !_view.Descending;
                break;
            case '/':
                _editingFilter = _view.Filter ?? "";
                break;
            case 'a':
                _view.ToggleGrouping();
                break;
            case 'e':
                _view.ShowExited = !_view.ShowExited;
                break;
            case 'k':
                Move(rows, -1);
                break;
            case 'j':
                Move(rows, 1);
                break;
        }
        return true;
    }

    /// <summary>The filter applies as it is typed; Enter keeps it, Esc clears it.</summary>
    private void EditFilter(ConsoleKeyInfo key)
    {
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                _editingFilter = null;
                return;
            case ConsoleKey.Escape:
                _editingFilter = null;
                _view.Filter = null;
                return;
            case ConsoleKey.Backspace:
                if (_editingFilter!.Length > 0)
                {
                    _editingFilter = _editingFilter[..^1];
                }
                break;
            default:
                if (!char.IsControl(key.KeyChar) && _editingFilter!.Length < 80)
                {
                    _editingFilter += key.KeyChar;
                }
                break;
        }
        _view.Filter = _editingFilter!.Length == 0 ? null : _editingFilter;
        _view.Offset = 0;
    }

    private void Move(IReadOnlyList<TopRow> rows, int step)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var index = _view.SelectedKey is { } key ? rows.ToList().FindIndex(r => r.Key == key) : -1;
        index = index < 0 ? (step > 0 ? _view.Offset : Math.Min(rows.Count - 1, _view.Offset)) : (int)Math.Clamp((long)index + step, 0, rows.Count - 1);
        _view.SelectedKey = rows[index].Key;
    }

    private IReadOnlyList<TopColumn> VisibleColumns() => [.. TopLayout.Fit(Size().Width, _view.Grouping).Select(c => c.Column)];

    private IReadOnlyList<TopRow> Rows()
    {
        SessionSnapshot snapshot;
        lock (_lock)
        {
            snapshot = _snapshot ?? SessionSnapshot.Empty;
        }
        return TopTable.Rows(snapshot, _view);
    }

    private string Frame(IReadOnlyList<TopRow> rows, int width, int height)
    {
        SessionSnapshot snapshot;
        TopHeader header;
        lock (_lock)
        {
            snapshot = _snapshot ?? SessionSnapshot.Empty;
            header = Header();
        }
        return TopScreen.Render(header, snapshot, rows, _view, _editingFilter, width, height, _profile);
    }

    /// <summary>The status line: live and when, or what went wrong and since when (the last figures stay), or that the own capture ended.</summary>
    private TopHeader Header()
    {
        static string Clock(DateTimeOffset? at) => at?.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";
        var every = _options.Interval.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
        if (_options.Ended?.Invoke() is { } ended)
        {
            return new TopHeader(_options.Mode, _options.Watching, $"capture ended: {ended} (q quits; figures of {Clock(_snapshotAt)})", false);
        }
        if (_problem is not null)
        {
            return _snapshot is null
                ? new TopHeader(_options.Mode, _options.Watching, $"{_problem}; trying every {every} s", _readings > 3)
                : new TopHeader(_options.Mode, _options.Watching,
                    $"connection lost at {Clock(_problemSince)}: {_problem}; retrying every {every} s (figures of {Clock(_snapshotAt)})", true);
        }
        return new TopHeader(_options.Mode, _options.Watching,
            _snapshot is null ? "connecting..." : $"live: updated {Clock(_snapshotAt)}, every {every} s", false);
    }

    private static (int Width, int Height) Size()
    {
        // Into a file or a pipe there is no terminal to fit: COLUMNS, else wide enough for command lines.
        if (!Console.IsOutputRedirected)
        {
            try
            {
                var width = Console.WindowWidth;
                var height = Console.WindowHeight;
                if (width > 0 && height > 0)
                {
                    return (width, height);
                }
            }
            catch (IOException)
            {
                // No size to be had.
            }
        }
        var columns = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c > 0 ? c : 120;
        var lines = int.TryParse(Environment.GetEnvironmentVariable("LINES"), NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : 40;
        return (columns, lines);
    }
}
