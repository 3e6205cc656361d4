namespace AgentSight.Contracts;

/// <summary>A type only the stub has.</summary>
public interface IFutureAnalyzer
{
    /// <summary>A member only version 3 has.</summary>
    void Process(object evt);
}
