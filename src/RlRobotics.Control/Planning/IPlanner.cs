namespace RlRobotics.Control.Planning;

/// <summary>
/// A trajectory optimiser on a <see cref="PlanningProblem"/>: iLQR, CEM, MPPI or random shooting. It owns one
/// solution, improved in place by each <see cref="Solve"/> and warm-started from the previous one (shift it first
/// with <see cref="Trajectory.Shift"/> for receding-horizon use). Allocation-free after construction.
/// Not thread-safe: one thread drives a planner.
/// </summary>
public interface IPlanner
{
    /// <summary><c>ilqr</c>, <c>cem</c>, <c>mppi</c> or <c>random</c>.</summary>
    string Name { get; }

    PlanningProblem Problem { get; }

    /// <summary>The current plan (its time fields are the caller's to set).</summary>
    Trajectory Solution { get; }

    /// <summary>Forgets the warm start: controls back to u*, gains to zero.</summary>
    void Reset();

    /// <summary>Improves the plan from state <paramref name="x0"/> with at most <paramref name="maxIterations"/> iterations.</summary>
    SolveStatus Solve(ReadOnlySpan<double> x0, int maxIterations);
}
