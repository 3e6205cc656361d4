using System.Text;
using AgentSight.Contracts;

namespace AgentSight.Traffic;

/// <summary>
/// Generates realistic LLM traffic as captured plaintext: HTTPS exchanges of agent processes with the Anthropic,
/// OpenAI and Gemini APIs, as <c>ssl</c> events. Pure and deterministic: the same options give byte-identical events.
/// </summary>
/// <remarks>
/// Each call is an HTTP/1.1 request written on one TLS connection and its response read back in pieces, in the
/// provider's exact streaming or JSON format. Connections are kept alive across calls, some processes run two calls
/// at once whose reads interleave, and reads cut the response at arbitrary bytes: inside chunk-size lines, SSE
/// lines and UTF-8 characters. Timestamps follow realistic latencies from the start time, whatever the pacing.
/// </remarks>
internal sealed class SyntheticTraffic
{
    /// <summary>Where the pure generator starts when the options give no start time: 2026-11-24T10:00:00Z.</summary>
    public const long DefaultStartTime = 1_795_514_400_000_000_000;

    /// <summary>A TLS record carries at most 16 KiB, so no read returns more.</summary>
    private const int MaxRead = 16 * 1024;

    private const long Millisecond = 1_000_000;
    private const uint Uid = 1000;

    private static readonly Dictionary<SyntheticProvider, LlmApi> Apis = new()
    {
        [SyntheticProvider.Anthropic] = new AnthropicApi(),
        [SyntheticProvider.OpenAi] = new OpenAiChatApi(),
        [SyntheticProvider.OpenAiResponses] = new OpenAiResponsesApi(),
        [SyntheticProvider.Gemini] = new GeminiApi(),
    };

    private readonly SyntheticOptions _options;

    public SyntheticTraffic(SyntheticOptions options)
    {
        options.Validate();
        _options = options;
    }

    /// <summary>All events and calls at once.</summary>
    public static SyntheticRecording Generate(SyntheticOptions options)
    {
        var events = new List<AgentEvent>();
        var calls = new List<SyntheticCall>();
        foreach (var episode in new SyntheticTraffic(options).Episodes())
        {
            events.AddRange(episode.Events);
            calls.AddRange(episode.Calls);
        }
        return new SyntheticRecording { Events = events, Calls = calls };
    }

    /// <summary>The traffic, one episode at a time, so long runs need no memory for what is already written.</summary>
    public IEnumerable<SyntheticEpisode> Episodes() => new Generator(_options).Run();

    private sealed class Generator(SyntheticOptions options)
    {
        private readonly SyntheticRandom _random = new(options.Seed);
        private readonly List<AgentProcess> _processes = [];
        private readonly HashSet<ulong> _connections = [];
        private long _now = (options.StartTime ?? DefaultStartTime) + (5 * Millisecond);
        private int _nextPid;
        private int _produced;

        public IEnumerable<SyntheticEpisode> Run()
        {
            _nextPid = _random.Next(2_000, 60_000);
            while (_produced < options.Count)
            {
                var episode = NextEpisode(options.Count - _produced);
                _produced += episode.Calls.Count;
                _now = episode.Events[^1].Timestamp + (200 * Millisecond) + _random.Around(1_300 * Millisecond, 0.7);
                yield return episode;
            }
        }

        private SyntheticEpisode NextEpisode(int remaining)
        {
            var provider = options.Provider == SyntheticProvider.Mixed ? _random.Pick(SyntheticProviders.Concrete) : options.Provider;
            var api = Apis[provider];
            var process = PickProcess(PickClient(provider), provider);
            var episode = new EpisodeBuilder(_produced);
            var roll = _random.NextDouble();
            if (remaining >= 2 && roll < 0.22)
            {
                Parallel(episode, api, process);
            }
            else if (remaining >= 2 && roll < 0.6)
            {
                AgentLoop(episode, api, process, Math.Min(remaining, 3));
            }
            else
            {
                var session = NewSession(api, process.Client, scenario: null);
                var step = _random.Next(0, session.Scenario.Steps.Count);
                var connection = Acquire(process, api.Host, exclude: null);
                Call(episode, api, process, process.Pid, connection, session, step, _now);
                Release(process, api.Host, connection.Id);
            }
            return episode.Build();
        }

        /// <summary>The agent's loop on one kept-alive connection: ask, run the tool, send its output back, ask again.</summary>
        private void AgentLoop(EpisodeBuilder episode, LlmApi api, AgentProcess process, int maxCalls)
        {
            var session = NewSession(api, process.Client, PickScenario(withTools: true));
            var steps = session.Scenario.Steps.Count;
            var first = steps > maxCalls ? _random.Next(0, steps - maxCalls + 1) : 0;
            var connection = Acquire(process, api.Host, exclude: null);
            var time = _now;
            for (var step = first; step < steps && step - first < maxCalls; step++)
            {
                var call = Call(episode, api, process, process.Pid, connection, session, step, time);
                connection = (connection.Id, false);
                // The tool runs between calls: a file read is quick, a command takes longer.
                time = call.LastResponseTimestamp + _random.Around(call.ToolCalls.Count > 0 && call.ToolCalls[0].Name == "run_command"
                    ? 1_500 * Millisecond
                    : 250 * Millisecond);
            }
            Release(process, api.Host, connection.Id);
        }

        /// <summary>Two calls at once on two connections of one process; their reads interleave.</summary>
        private void Parallel(EpisodeBuilder episode, LlmApi api, AgentProcess process)
        {
            var main = NewSession(api, process.Client, scenario: null);
            AgentSession side;
            if (process.Client == ClientKind.ClaudeCode)
            {
                // Claude Code asks a small model for a session title while the main call streams.
                var title = new Scenario("title", main.Scenario.Prompt, [], [new ScenarioStep(main.Scenario.Title)], main.Scenario.Title, false);
                side = new AgentSession(api, _random, title, AnthropicApi.SideModel, stream: true, ScenarioLibrary.TitleSystemPrompt,
                    temperature: 1, maxTokens: 512, opener: null, closing: "");
            }
            else
            {
                side = NewSession(api, process.Client, scenario: null);
            }

            // Node runs every socket on its one event-loop thread; Python runs parallel calls on worker threads or asyncio.
            int mainTid = process.Pid, sideTid = process.Pid;
            if (process.Client == ClientKind.Python && _random.Chance(0.5))
            {
                mainTid = Worker(process, 0);
                sideTid = Worker(process, 1);
            }
            var first = Acquire(process, api.Host, exclude: null);
            var second = Acquire(process, api.Host, exclude: first.Id);
            var mainCall = Call(episode, api, process, mainTid, first, main, _random.Next(0, main.Scenario.Steps.Count), _now);
            // The side call's answer arrives while the main one is still streaming, so their reads interleave.
            long? sideFirstByte = mainCall.Stream ? mainCall.FirstResponseTimestamp + _random.Around(15 * Millisecond) : null;
            Call(episode, api, process, sideTid, second, side, 0, _now + (2 * Millisecond) + _random.Around(25 * Millisecond), sideFirstByte);
            Release(process, api.Host, first.Id);
            Release(process, api.Host, second.Id);
        }

        private SyntheticCall Call(EpisodeBuilder episode, LlmApi api, AgentProcess process, int tid, (ulong Id, bool IsNew) connection,
            AgentSession session, int step, long requestTime, long? firstByteNotBefore = null)
        {
            var index = episode.NextIndex();
            var client = process.Client;
            var request = session.RequestFor(step);
            var answer = session.AnswerFor(step);
            var apiKey = process.ApiKeys.TryGetValue(api.Provider, out var key) ? key : process.ApiKeys[api.Provider] = api.NewApiKey(_random);

            if (connection.IsNew)
            {
                var handshake = new TlsPayload(TlsDirection.Handshake, ReadOnlyMemory<byte>.Empty, 1)
                {
                    ConnectionId = connection.Id,
                    Uid = Uid,
                    LatencyNs = _random.Around(45 * Millisecond),
                    Library = process.Library,
                };
                episode.Add(new AgentEvent(requestTime - _random.Around(600_000), EventSources.Ssl, process.Pid, tid, process.Comm, handshake), index);
            }

            var body = api.RequestBody(request, client);
            var path = api.Path(session.Model, session.Stream, client);
            var (requestBytes, bodyStart) = HttpWire.Request(path, api.Host, api.RequestHeaders(client, apiKey), client, body);
            var time = requestTime;
            long firstWrite = -1;
            // httpx writes the head and the body in two calls; undici usually in one.
            var writes = client == ClientKind.Python && _random.Chance(0.6)
                ? new[] { (0, bodyStart), (bodyStart, requestBytes.Length) }
                : new[] { (0, requestBytes.Length) };
            foreach (var (start, end) in writes)
            {
                var written = episode.Add(Ssl(process, tid, connection.Id, TlsDirection.Write, requestBytes[start..end], time, _random.Around(60_000)), index);
                if (firstWrite < 0)
                {
                    firstWrite = written;
                }
                time = written + _random.Around(35_000);
            }

            var usage = Usage(api.Provider, process, session.Model, Encoding.UTF8.GetByteCount(body), answer);
            var created = (time / 1_000_000_000) + 1;
            var response = api.Respond(new ResponseContext(request, answer, usage, session.Model, created, _random));
            var firstByte = time + (session.Stream
                ? (120 * Millisecond) + _random.Around(260 * Millisecond)
                : (300 * Millisecond) + (usage.OutputTokens * _random.Around(9 * Millisecond, 0.3)));
            firstByte = Math.Max(firstByte, firstByteNotBefore ?? 0);
            var requestId = api.NewRequestId(_random);
            var date = DateTimeOffset.UnixEpoch.AddTicks(firstByte / 100);
            var wire = HttpWire.Response(api.ResponseHeaders(session.Stream, requestId, date, _random), response, _random);
            var reads = ReadPlanner.Plan(wire, _random, MaxRead);
            long firstRead = 0, lastRead = 0;
            foreach (var (start, end, offset) in reads)
            {
                lastRead = episode.Add(Ssl(process, tid, connection.Id, TlsDirection.Read, wire.Bytes[start..end], firstByte + offset, _random.Around(20_000)), index);
                if (firstRead == 0)
                {
                    firstRead = lastRead;
                }
            }

            var call = new SyntheticCall
            {
                Index = index,
                Provider = api.Provider,
                Scenario = session.Scenario.Name,
                Client = client,
                Comm = process.Comm,
                Pid = process.Pid,
                Tid = tid,
                ConnectionId = connection.Id,
                NewConnection = connection.IsNew,
                Host = api.Host,
                Path = path,
                Model = session.Model.Requested,
                ResponseModel = session.Model.Responded,
                Stream = session.Stream,
                ApiKey = apiKey,
                RequestBody = body,
                AnswerText = answer.Text,
                ToolCalls = answer.ToolCall is null ? [] : [answer.ToolCall],
                FinishReason = response.FinishReason,
                ResponseId = response.ResponseId,
                RequestId = requestId,
                Usage = usage,
                RequestTimestamp = firstWrite,
                FirstResponseTimestamp = firstRead,
                LastResponseTimestamp = lastRead,
            };
            episode.AddCall(call);
            process.WarmCache.Add(api.Provider);
            return call;
        }

        /// <summary>Token counts in each provider's own terms, roughly four bytes a token.</summary>
        private TokenUsage Usage(SyntheticProvider provider, AgentProcess process, ModelChoice model, int requestBytes, LlmAnswer answer)
        {
            long prompt = Math.Max(12, (requestBytes / 4) + _random.Next(0, 40));
            long output = Math.Max(1, (Encoding.UTF8.GetByteCount(answer.Text) / 4) + _random.Next(0, 6)
                + (answer.ToolCall is { } call ? (Encoding.UTF8.GetByteCount(call.ArgumentsJson) / 3) + 12 : 0));
            switch (provider)
            {
                case SyntheticProvider.Anthropic:
                    if (process.Client != ClientKind.ClaudeCode)
                    {
                        return new TokenUsage(prompt, output, 0, 0, 0);
                    }
                    // Claude Code marks its system prompt cacheable: the first call writes the cache, later ones read it.
                    var cached = prompt * 7 / 10;
                    return process.WarmCache.Contains(provider)
                        ? new TokenUsage(prompt - cached, output, cached, 0, 0)
                        : new TokenUsage(prompt - cached, output, 0, cached, 0);
                case SyntheticProvider.Gemini:
                    var thoughts = model.Reasons && _random.Chance(0.8) ? _random.Next(20, 700) : 0;
                    return new TokenUsage(prompt, output, 0, 0, thoughts);
                default:
                    // OpenAI caches prompts of 1024 tokens and more, in steps of 128; reasoning counts inside the output.
                    var openAiCached = prompt >= 1024 && process.WarmCache.Contains(provider) ? prompt / 2 / 128 * 128 : 0;
                    var reasoning = provider == SyntheticProvider.OpenAiResponses && model.Reasons ? _random.Next(1, 15) * 64 : 0;
                    return new TokenUsage(prompt, output + reasoning, openAiCached, 0, reasoning);
            }
        }

        private AgentSession NewSession(LlmApi api, ClientKind client, Scenario? scenario)
        {
            scenario ??= _random.Pick(ScenarioLibrary.All);
            var claude = client == ClientKind.ClaudeCode;
            return new AgentSession(
                api,
                _random,
                scenario,
                _random.Pick(api.Models(client)),
                stream: claude || _random.Chance(0.75),
                _random.Pick(ScenarioLibrary.SystemPrompts),
                temperature: claude ? 1 : _random.Pick([0.2, 0.7, 1.0]),
                maxTokens: claude ? 32_000 : _random.Pick([1024, 2048, 4096]),
                opener: _random.Chance(0.3) ? _random.Pick(ScenarioLibrary.Openers) : null,
                closing: scenario.MayAddClosing && _random.Chance(0.4) ? _random.Pick(ScenarioLibrary.Closings) : "");
        }

        private Scenario PickScenario(bool withTools)
        {
            var candidates = ScenarioLibrary.All.Where(s => !withTools || s.Steps.Count > 1).ToList();
            return _random.Pick(candidates);
        }

        private ClientKind PickClient(SyntheticProvider provider) => provider switch
        {
            SyntheticProvider.Anthropic => _random.Chance(0.6) ? ClientKind.ClaudeCode : ClientKind.Python,
            SyntheticProvider.Gemini => _random.Chance(0.6) ? ClientKind.Node : ClientKind.Python,
            SyntheticProvider.OpenAi => _random.Chance(0.6) ? ClientKind.Python : ClientKind.Node,
            _ => _random.Chance(0.5) ? ClientKind.Python : ClientKind.Node,
        };

        private AgentProcess PickProcess(ClientKind client, SyntheticProvider provider)
        {
            var known = _processes.Where(p => p.Client == client).ToList();
            if (known.Count > 0 && _random.Chance(0.65))
            {
                return _random.Pick(known);
            }
            var process = new AgentProcess
            {
                Pid = _nextPid,
                Client = client,
                Comm = client switch
                {
                    ClientKind.Python => "python3",
                    ClientKind.Node => "node",
                    _ => "claude",
                },
                // Python loads the system's libssl; Node (and so Claude Code) carries OpenSSL inside its binary.
                Library = client == ClientKind.Python ? "/usr/lib/x86_64-linux-gnu/libssl.so.3" : "/usr/bin/node",
                HeapBase = 0x5500_0000_0000UL + ((ulong)_random.NextLong(0x1_0000, 0xA0_0000) * 0x10_0000UL),
            };
            _nextPid += _random.Next(5, 900);
            process.ApiKeys[provider] = Apis[provider].NewApiKey(_random);
            _processes.Add(process);
            return process;
        }

        private int Worker(AgentProcess process, int number)
        {
            while (process.Threads.Count <= number)
            {
                var previous = process.Threads.Count > 0 ? process.Threads[^1] : process.Pid;
                process.Threads.Add(previous + 1 + _random.Next(0, 3));
            }
            return process.Threads[number];
        }

        /// <summary>An idle kept-alive connection to the host, or a new one (which starts with a handshake).</summary>
        private (ulong Id, bool IsNew) Acquire(AgentProcess process, string host, ulong? exclude)
        {
            if (process.IdleConnections.TryGetValue(host, out var idle))
            {
                var usable = idle.Where(id => id != exclude).ToList();
                if (usable.Count > 0 && _random.Chance(0.8))
                {
                    var id = usable[0];
                    idle.Remove(id);
                    return (id, false);
                }
            }
            ulong connection;
            do
            {
                connection = process.HeapBase + ((ulong)_random.NextLong(0x100, 0x20_0000) * 0x10UL);
            }
            while (!_connections.Add(connection));
            return (connection, true);
        }

        private void Release(AgentProcess process, string host, ulong connection)
        {
            // Servers close idle connections now and then; the next call then opens a new one.
            if (_random.Chance(0.1))
            {
                return;
            }
            if (!process.IdleConnections.TryGetValue(host, out var idle))
            {
                process.IdleConnections[host] = idle = [];
            }
            if (!idle.Contains(connection))
            {
                idle.Add(connection);
            }
        }

        private static AgentEvent Ssl(AgentProcess process, int tid, ulong connection, TlsDirection direction, byte[] bytes, long timestamp, long latency) =>
            new(timestamp, EventSources.Ssl, process.Pid, tid, process.Comm, new TlsPayload(direction, bytes, bytes.Length)
            {
                ConnectionId = connection,
                Uid = Uid,
                LatencyNs = latency,
                Library = process.Library,
            });
    }

    /// <summary>Collects an episode's events from its calls and puts them in time order.</summary>
    private sealed class EpisodeBuilder(int firstIndex)
    {
        private readonly List<(AgentEvent Event, int Call)> _events = [];
        private readonly HashSet<long> _taken = [];
        private readonly List<SyntheticCall> _calls = [];
        private int _nextIndex = firstIndex;

        public int NextIndex() => _nextIndex++;

        /// <summary>
        /// Adds an event and returns its timestamp, moved to the next free nanosecond if another call's event already
        /// has it, so that the order of events is their time order (a call's own events are added in time order and
        /// keep it).
        /// </summary>
        public long Add(AgentEvent evt, int call)
        {
            while (!_taken.Add(evt.Timestamp))
            {
                evt.Timestamp++;
            }
            _events.Add((evt, call));
            return evt.Timestamp;
        }

        public void AddCall(SyntheticCall call) => _calls.Add(call);

        public SyntheticEpisode Build()
        {
            var ordered = _events.OrderBy(e => e.Event.Timestamp).ToList();
            return new SyntheticEpisode
            {
                Calls = [.. _calls.OrderBy(c => c.Index)],
                Events = [.. ordered.Select(e => e.Event)],
                CallIndexes = [.. ordered.Select(e => e.Call)],
            };
        }
    }
}
