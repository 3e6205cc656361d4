using AgentSight.Plugins.Common.Model;

namespace AgentSight.Tests.WebUi;

/// <summary>
/// The one rule every count of errors uses (the web UI's Overview, <c>report</c>, the session store's model): a read
/// that finds no file is a look-up, anything refused or any failed write is an error.
/// </summary>
public sealed class ErrorRuleTests
{
    private const long ReadOnly = 0x80000; // O_RDONLY | O_CLOEXEC
    private const long CreateForWriting = 0x1 | 0x40 | 0x200; // O_WRONLY | O_CREAT | O_TRUNC

    private static FileOpen Open(long? flags, string? error, long? errno, long? fd = null) =>
        new(1, 42, "python3", "/usr/lib/python3/pyvenv.cfg", flags, 0, fd, error, errno);

    [Theory]
    [InlineData(ReadOnly, "ENOENT", 2L, "Miss")]
    [InlineData(ReadOnly, "ENOTDIR", 20L, "Miss")]
    [InlineData(ReadOnly, "EACCES", 13L, "Error")]
    [InlineData(ReadOnly, "EPERM", 1L, "Error")]
    [InlineData(ReadOnly, "EMFILE", 24L, "Error")]
    [InlineData(CreateForWriting, "ENOENT", 2L, "Error")]
    [InlineData(0x2L, "ENOENT", 2L, "Error")] // O_RDWR of a file that is not there: it meant to write
    [InlineData(CreateForWriting, "EACCES", 13L, "Error")]
    [InlineData(0x400L, "EROFS", 30L, "Error")] // O_APPEND on a read-only file system
    public void A_failed_open_is_a_miss_only_when_it_reads_and_finds_nothing(long flags, string error, long errno, string outcome)
    {
        var expected = Enum.Parse<FileOpenOutcome>(outcome);
        var open = Open(flags, error, errno);
        Assert.Equal(expected, ErrorRule.Of(open));
        Assert.Equal(expected, open.Outcome);
        Assert.True(open.Failed);
    }

    [Fact]
    public void An_open_that_returned_a_descriptor_is_opened_whatever_its_flags()
    {
        Assert.Equal(FileOpenOutcome.Opened, ErrorRule.Of(Open(ReadOnly, null, null, fd: 3)));
        Assert.Equal(FileOpenOutcome.Opened, ErrorRule.Of(Open(CreateForWriting, null, null, fd: 4)));
        Assert.False(Open(ReadOnly, null, null, fd: 3).Failed);
    }

    [Fact]
    public void Without_flags_or_errno_the_error_name_decides()
    {
        // The original tool's recordings carry no flags; only a name or a number may be there.
        Assert.Equal(FileOpenOutcome.Miss, ErrorRule.Of(Open(null, "ENOENT", null)));
        Assert.Equal(FileOpenOutcome.Miss, ErrorRule.Of(Open(null, null, 2)));
        Assert.Equal(FileOpenOutcome.Error, ErrorRule.Of(Open(null, "EACCES", null)));
        Assert.Equal(FileOpenOutcome.Error, ErrorRule.Of(Open(null, null, null, fd: -13)));
    }

    [Theory]
    [InlineData(0, null, false)]
    [InlineData(1, null, true)]
    [InlineData(143, 15, true)]
    [InlineData(null, null, false)]
    public void A_process_is_an_error_when_it_exits_non_zero_or_on_a_signal(int? exitCode, int? signal, bool error)
    {
        var process = new ProcessInstance { Id = 1, Pid = 42, ExitCode = exitCode, Signal = signal, EndNs = exitCode is null ? null : 5 };
        Assert.Equal(error, ErrorRule.IsError(process));
    }

    [Theory]
    [InlineData(200, false)]
    [InlineData(304, false)]
    [InlineData(404, true)]
    [InlineData(500, true)]
    [InlineData(null, false)]
    public void An_http_exchange_is_an_error_when_answered_4xx_or_5xx(int? status, bool error)
    {
        var exchange = new HttpExchange("1:0x1:1", 1, 42, "node", "POST", "api.example.com", "/v1", status, 10, 5, 1, 2, 3, true,
            "response_end", 10, 20, false);
        Assert.Equal(error, ErrorRule.IsError(exchange));
    }

    [Theory]
    [InlineData("unix", "error", "ENOENT", false, true)]
    [InlineData("unix", "error", "ECONNREFUSED", true, false)]
    [InlineData("unix", "error", "EACCES", true, false)]
    [InlineData("ipv4", "error", "ENOENT", true, false)]
    [InlineData("ipv4", "error", "ECONNREFUSED", true, false)]
    [InlineData("ipv4", "ok", null, false, false)]
    [InlineData("ipv4", "in_progress", "EINPROGRESS", false, false)]
    public void A_failed_connect_is_an_error_unless_it_looked_for_a_unix_socket_that_is_not_there(string family, string result, string? error,
        bool isError, bool isMiss)
    {
        var connection = new NetworkConnection { Id = 1, ProcessId = 1, Pid = 42, Comm = "ls", Fd = 3, FirstSeq = 1, StartNs = 1, Family = family, Result = result, Error = error };
        Assert.Equal((isError, isMiss), (ErrorRule.IsError(connection), ErrorRule.IsMiss(connection)));
    }

    [Fact]
    public void A_model_call_is_an_error_with_an_error_type_or_a_4xx_5xx_status()
    {
        LlmCall Call(int? status, string? errorType) => new() { Timestamp = 1, Pid = 42, Comm = "claude", StatusCode = status, ErrorType = errorType };
        Assert.False(ErrorRule.IsError(Call(200, null)));
        Assert.True(ErrorRule.IsError(Call(200, "overloaded_error")));
        Assert.True(ErrorRule.IsError(Call(500, null)));
        Assert.True(Call(429, null).IsError);
    }
}
