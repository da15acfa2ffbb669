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

    public GoalTerm? Term(string interfaceName) => Terms.FirstOrDefault(t => t.Interface == interfaceName);
}
