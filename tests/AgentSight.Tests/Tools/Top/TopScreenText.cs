using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentSight.Tests.Top;

/// <summary>Reads top's screen as a user does: the table's rows under its header line.</summary>
internal static partial class TopScreenText
{
    [GeneratedRegex(@"^\s*(\d+) (\S+)")]
    private static partial Regex RowStart();

    /// <summary>The table's header (the sorted column carries a mark: PID^ NAME).</summary>
    [GeneratedRegex(@"^\s*PID\S? NAME")]
    private static partial Regex HeaderLine();

    /// <summary>Each row's pid, name and the whole line, top to bottom.</summary>
    public static List<(int Pid, string Name, string Line)> Rows(string[] screen)
    {
        var header = Array.FindIndex(screen, l => HeaderLine().IsMatch(l));
        var rows = new List<(int, string, string)>();
        if (header < 0)
        {
            return rows;
        }
        foreach (var line in screen.Skip(header + 1))
        {
            if (RowStart().Match(line) is { Success: true } match)
            {
                rows.Add((int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, line));
            }
            else if (line.Trim().Length > 0)
            {
                break;
            }
        }
        return rows;
    }

    /// <summary>The cells of a row split on spaces (a name or command with spaces would shift them: the tests' names have none).</summary>
    public static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
