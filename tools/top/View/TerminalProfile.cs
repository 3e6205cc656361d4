using Spectre.Console;

namespace AgentSight.Top.View;

/// <summary>What the terminal can show: cursor movement (ANSI), colours, Unicode; from Spectre.Console's detection.</summary>
/// <param name="Ansi">Escape sequences work: a full-screen view that redraws in place. Off for TERM=dumb and output that is not a terminal.</param>
/// <param name="Colors">The colour system (<see cref="ColorSystem.NoColors"/> under NO_COLOR): colour only adds, styles (inverse, bold) carry the meaning.</param>
/// <param name="Unicode">Arrows and ellipses; otherwise ASCII.</param>
public sealed record TerminalProfile(bool Ansi, ColorSystem Colors, bool Unicode)
{
    /// <summary>Plain text: no escape sequence, no colour, ASCII (what tests and <c>--once</c> into a file get).</summary>
    public static readonly TerminalProfile Plain = new(false, ColorSystem.NoColors, false);

    /// <summary>This process's terminal, as Spectre.Console sees it (TERM, NO_COLOR, COLORTERM, LANG), with TERM=dumb always plain.</summary>
    public static TerminalProfile Detect()
    {
        var capabilities = AnsiConsole.Profile.Capabilities;
        var term = Environment.GetEnvironmentVariable("TERM");
        var ansi = capabilities.Ansi && !Console.IsOutputRedirected && term is not (null or "" or "dumb");
        var noColor = Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 };
        return new TerminalProfile(ansi, ansi && !noColor ? capabilities.ColorSystem : ColorSystem.NoColors, capabilities.Unicode);
    }
}
