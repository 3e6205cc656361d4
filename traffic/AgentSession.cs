namespace AgentSight.Traffic;

/// <summary>
/// One scenario worked through with one provider: the same model, system prompt and settings for every call, and
/// tool call ids that stay the same when later requests send the calls back.
/// </summary>
internal sealed class AgentSession
{
    private readonly LlmApi _api;
    private readonly SyntheticRandom _random;
    private readonly string _system;
    private readonly (string User, string Assistant)? _opener;
    private readonly string _closing;
    private readonly Dictionary<int, SyntheticToolCall> _calls = [];

    public AgentSession(LlmApi api, SyntheticRandom random, Scenario scenario, ModelChoice model, bool stream, string system,
        double temperature, int maxTokens, (string User, string Assistant)? opener, string closing)
    {
        _api = api;
        _random = random;
        Scenario = scenario;
        Model = model;
        Stream = stream;
        _system = system;
        Temperature = temperature;
        MaxTokens = maxTokens;
        _opener = opener;
        _closing = closing;
    }

    public Scenario Scenario { get; }

    public ModelChoice Model { get; }

    public bool Stream { get; }

    public double Temperature { get; }

    public int MaxTokens { get; }

    public LlmRequest RequestFor(int step)
    {
        var turns = new List<Turn>();
        if (_opener is { } opener)
        {
            turns.Add(new UserTurn(opener.User));
            turns.Add(new AssistantTurn(opener.Assistant, null));
        }
        turns.Add(new UserTurn(Scenario.Prompt));
        for (var j = 0; j < step; j++)
        {
            var earlier = Scenario.Steps[j];
            var call = CallFor(j);
            turns.Add(new AssistantTurn(earlier.Text.Length == 0 ? null : earlier.Text, call));
            turns.Add(new ToolResultTurn(call, earlier.ToolOutput ?? ""));
        }
        return new LlmRequest(Model.Requested, _system, turns, Scenario.Tools, Stream, MaxTokens, Temperature);
    }

    public LlmAnswer AnswerFor(int step)
    {
        var current = Scenario.Steps[step];
        return current.ToolName is null
            ? new LlmAnswer(current.Text + _closing, null)
            : new LlmAnswer(current.Text, CallFor(step));
    }

    private SyntheticToolCall CallFor(int step)
    {
        if (!_calls.TryGetValue(step, out var call))
        {
            var definition = Scenario.Steps[step];
            call = new SyntheticToolCall(_api.NewToolCallId(_random), definition.ToolName!, definition.ArgumentsJson ?? "{}");
            _calls[step] = call;
        }
        return call;
    }
}
