namespace AgentSight.Contracts;

/// <summary>A stage of the chain: takes the event stream and produces an event stream.</summary>
/// <remarks>
/// <para>For each event, call <see cref="IEventOutput.Emit"/> for what goes on: the same event (pass), a changed one
/// (change), nothing (drop), several (split); or keep it in your state and emit later (hold, merge).</para>
/// <para>Lifecycle: the factory creates the instance; the host then calls <see cref="Process"/> for each event,
/// <see cref="OnTimer"/> every <see cref="TimerInterval"/>, and, at shutdown, <see cref="Flush"/> once after the last
/// event, so nothing held is lost. Then it disposes the instance if it is <see cref="IDisposable"/>.</para>
/// <para>The host calls one instance from one task at a time: no locks are needed inside. If a call throws, the
/// host logs the plugin and the event, throws the instance away (after trying <see cref="Flush"/> on it) and creates
/// a fresh one from the same configuration.</para>
/// </remarks>
public interface IAnalyzer
{
    /// <summary>How often <see cref="OnTimer"/> runs, in pipeline time; zero (the default) for never.</summary>
    /// <remarks>
    /// Since 2.1 the host reads it again after every call to <see cref="Process"/> and <see cref="OnTimer"/>, so it may
    /// change: answer zero while the instance holds nothing a timer would release, and no timer wakes the pipeline while
    /// the agent is idle. A changed value starts a new deadline. Keep it cheap (a field, not a search): it is read once
    /// per event.
    /// </remarks>
    TimeSpan TimerInterval => TimeSpan.Zero;

    /// <summary>
    /// True when this instance, as configured, would emit every event unchanged, at once, and hold nothing (a filter
    /// without patterns). The host then leaves the stage out of the event path, so it costs nothing, and lists it as
    /// <see cref="StageState.Bypassed"/>. Asked once, right after the factory creates the instance. Since 1.2.
    /// </summary>
    bool PassesEverything => false;

    /// <summary>Handles one event.</summary>
    void Process(AgentEvent evt, IEventOutput output);

    /// <summary>Runs every <see cref="TimerInterval"/>: expire what has waited too long.</summary>
    /// <param name="now">The pipeline clock (<see cref="IPipelineClock.Now"/>), Unix epoch nanoseconds.</param>
    /// <param name="output">Where to emit.</param>
    void OnTimer(long now, IEventOutput output)
    {
    }

    /// <summary>Called once at shutdown after the last event: emit everything still held.</summary>
    void Flush(IEventOutput output)
    {
    }
}
