namespace RlRobotics.Core.Spec;

/// <summary>One state interface's goal value and tolerance.</summary>
/// <param name="Interface">State interface name, e.g. <c>pole/position</c>.</param>
/// <param name="Goal">Goal value in the interface's unit.</param>
/// <param name="Tolerance">Largest |value − goal| that counts as success; null when the term is a goal only.</param>
/// <param name="Periodic">Whether the difference wraps to [−π, π) (continuous joints).</param>
public sealed record GoalTerm(string Interface, double Goal, double? Tolerance, bool Periodic);

/// <summary>The task: a goal state and a success criterion "every tolerance held for the last <see cref="Hold_s"/> seconds".</summary>
public sealed record TaskSpec
{
    public required IReadOnlyList<GoalTerm> Terms { get; init; }
    /// <summary>How long, at the end of the run, every tolerance must have held, s.</summary>
    public required double Hold_s { get; init; }

    /// <summary>The whole <c>task:</c> mapping; the learning task (observation, reward, cost, episode, shield) is read from it.</summary>
    public ConfigNode? Node { get; init; }

    /// <summary>Keys of the learning task, read by its own reader (RlRobotics.Learning.Envs.EnvTaskReader).</summary>
    public static IReadOnlyList<string> LearningKeys { get; } = new[] { "observation", "reward", "cost", "cost_limit", "terminate", "episode", "shield" };

    public GoalTerm? Term(string interfaceName) => Terms.FirstOrDefault(t => t.Interface == interfaceName);
}
