namespace AgentSight.Contracts;

/// <summary>Why a file cannot be read as a stored session (<see cref="ISessionReader.Check"/>, contracts 1.4).</summary>
/// <param name="Message">One line for the user, naming the file.</param>
/// <param name="Damaged">True when the file is a damaged session (the run fails, exit 1); false when it is not a session it can read (exit 2).</param>
public sealed record SessionProblem(string Message, bool Damaged);
