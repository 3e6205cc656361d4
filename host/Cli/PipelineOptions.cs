using System.CommandLine;
using System.Globalization;
using AgentSight.Contracts;
using AgentSight.Host.Manifest;

namespace AgentSight.Host.Cli;

/// <summary>Options of every command that runs a pipeline: per-run changes to the manifest.</summary>
internal sealed class PipelineOptions
{
    public Option<string?> Output { get; } = new("--output", "-o")
    {
        Description = "Also write every event to this NDJSON file (enables the stage of the event-file role, the file plugin, and sets its path)",
        HelpName = "FILE",
    };

    public Option<bool> Pretty { get; } = new("--pretty")
    {
        Description = "Console shows one readable line per event instead of NDJSON",
    };

    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "No events on the console (disables the stages of the console role)",
    };

    public Option<string[]> Enable { get; } = new("--enable")
    {
        Description = "Enable a manifest stage for this run (repeatable)",
        HelpName = "STAGE",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Disable { get; } = new("--disable")
    {
        Description = "Disable a manifest stage for this run (repeatable)",
        HelpName = "STAGE",
    };

    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Set a stage's config value for this run, e.g. --set file.max_size_mb=10 (repeatable)",
        HelpName = "STAGE.KEY=VALUE",
    };

    public Option<bool> NoSummary { get; } = new("--no-summary")
    {
        Description = "Do not print the pipeline summary table on stderr at the end",
    };

    public Option<string?> ShutdownTimeout { get; } = new("--shutdown-timeout")
    {
        Description = "After Ctrl+C (or the end of the input), give the stages this long to drain, then quit with exit code 1, "
            + "naming the stage that holds it (default 10, or the manifest's shutdown_timeout_s; 0 waits forever)",
        HelpName = "SECONDS",
    };

    public PipelineOptions()
    {
        ShutdownTimeout.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string?>();
            if (ParseSeconds(text) is null)
            {
                result.AddError($"--shutdown-timeout: \"{text}\" is not a number of seconds from 0 to "
                    + $"{ManifestReader.MaxShutdownTimeoutSeconds.ToString(CultureInfo.InvariantCulture)} (0 waits forever)");
            }
        });
    }

    // The original tool's flags, kept so its users' command lines keep working (docs/FILTERS.md).
    public Option<string[]> SslFilter { get; } = new("--ssl-filter")
    {
        Description = "Drop raw TLS events matching this expression (repeatable; sets the patterns of the tls-filter role's stage, ssl-filter)",
        HelpName = "EXPR",
    };

    public Option<string[]> HttpFilter { get; } = new("--http-filter")
    {
        Description = "Drop HTTP exchanges matching this expression, with their stream and LLM events (repeatable; sets the patterns of the http-filter role's stage)",
        HelpName = "EXPR",
    };

    /// <summary>The OTLP export (docs/OTLP.md), shared with <c>serve</c>.</summary>
    public Option<string?> Otlp { get; } = CreateOtlpOption();

    public Option<bool> DisableAuthRemoval { get; } = new("--disable-auth-removal")
    {
        Description = "Do not redact credentials (disables the stages of the redaction role, redact): keys and tokens reach every sink",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Output, Pretty, Quiet, Enable, Disable, Set, NoSummary, ShutdownTimeout, SslFilter, HttpFilter, Otlp, DisableAuthRemoval })
        {
            command.Options.Add(option);
        }
    }

    /// <summary><c>--otlp URL</c>: what every pipeline command and <c>serve</c> accept.</summary>
    public static Option<string?> CreateOtlpOption() => new("--otlp")
    {
        Description = "Also export spans, metrics and the loss counters to this OpenTelemetry backend over OTLP (enables the stage of the otlp-export role, "
            + "the otlp plugin): http://HOST:4317 is gRPC, http://HOST:4318 HTTP/protobuf; see docs/OTLP.md",
        HelpName = "URL",
    };

    /// <summary>Enables the stage of the OTLP export role and points it at <paramref name="url"/>, when given.</summary>
    public static void ApplyOtlp(string? url, PipelineOverrides overrides)
    {
        if (url is not { Length: > 0 })
        {
            return;
        }
        overrides.Enable.Add(PipelineOverrides.Role(StageRoles.OtlpExport));
        overrides.Set.Add(PipelineOverrides.SetOfRole(StageRoles.OtlpExport, RoleKeys.Endpoint, PipelineOverrides.Json(url)));
    }

    /// <summary>A shutdown bound given in seconds (<c>2</c>, <c>0.5</c>), or null when the text is not one.</summary>
    private static TimeSpan? ParseSeconds(string? text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
        && ManifestReader.TryShutdownTimeout(seconds, out var timeout)
            ? timeout
            : null;

    public PipelineOverrides Read(ParseResult parse)
    {
        var overrides = new PipelineOverrides { ShutdownTimeout = ParseSeconds(parse.GetValue(ShutdownTimeout)) };
        overrides.Enable.AddRange(parse.GetValue(Enable) ?? []);
        overrides.Disable.AddRange(parse.GetValue(Disable) ?? []);
        // Stages are found by the roles their plugins declare, so that a renamed or replaced plugin still answers the
        // flag (docs/MANIFEST.md, "Roles").
        if (parse.GetValue(Output) is { Length: > 0 } output)
        {
            overrides.Enable.Add(PipelineOverrides.Role(StageRoles.EventFile));
            // Quoted as JSON so a path that looks like a number stays a string.
            overrides.Set.Add(PipelineOverrides.SetOfRole(StageRoles.EventFile, RoleKeys.Path, PipelineOverrides.Json(Path.GetFullPath(output))));
        }
        if (parse.GetValue(Pretty))
        {
            overrides.Set.Add(PipelineOverrides.SetOfRole(StageRoles.Console, RoleKeys.Format, "\"pretty\""));
        }
        if (parse.GetValue(Quiet))
        {
            overrides.Disable.Add(PipelineOverrides.Role(StageRoles.Console));
        }
        if (parse.GetValue(SslFilter) is { Length: > 0 } sslFilters)
        {
            overrides.Enable.Add(PipelineOverrides.Role(StageRoles.TlsFilter));
            overrides.Set.Add(PipelineOverrides.SetOfRole(StageRoles.TlsFilter, RoleKeys.Patterns, PipelineOverrides.Json(sslFilters)));
        }
        if (parse.GetValue(HttpFilter) is { Length: > 0 } httpFilters)
        {
            overrides.Enable.Add(PipelineOverrides.Role(StageRoles.HttpFilter));
            overrides.Set.Add(PipelineOverrides.SetOfRole(StageRoles.HttpFilter, RoleKeys.Patterns, PipelineOverrides.Json(httpFilters)));
        }
        ApplyOtlp(parse.GetValue(Otlp), overrides);
        if (parse.GetValue(DisableAuthRemoval))
        {
            overrides.Disable.Add(PipelineOverrides.Role(StageRoles.Redaction));
            Console.Error.WriteLine("agentsight: warning: --disable-auth-removal: credentials (API keys, tokens, cookies, passwords) " +
                                    "will reach every sink as captured");
        }
        overrides.Set.AddRange(parse.GetValue(Set) ?? []);
        return overrides;
    }
}
