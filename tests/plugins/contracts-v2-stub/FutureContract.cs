namespace AgentSight.Contracts;

/// <summary>A type only the stub has.</summary>
public interface IFutureAnalyzer
{
    /// <summary>A member only version 2 has.</summary>
    void Process(object evt);
}
