using RlRobotics.Control.Planning;
using RlRobotics.Sim.Models;

namespace RlRobotics.Cli.Bench;

/// <summary>
/// Benchmark B1 of reference/benchmarks.md, exactly: cart-pole swing-up, N = 100, dt = 0.02 s RK4, zero initial
/// controls, running cost dt·[½ eᵀ diag(1, 1, 0.1, 0.1) e + ½ 0.01 u²], terminal ½ eᵀ diag(100, 100, 10, 10) e,
/// |u| ≤ 10 N in the backward pass, stop at a relative decrease below 1e-6 or 200 iterations.
/// </summary>
public static class B1
{
    public const int Steps = 100;
    public const double Dt = 0.02;

    /// <summary>Reference figures (C++17, Eigen, box-QP; benchmarks.md).</summary>
    public const int ReferenceIterations = 87;
    public const double ReferenceCost = 6.057759;
    public const double ReferenceAngleError_rad = 0.010;
    public const double ReferenceSolve_ms = 8.9;
    public const double ReferenceIteration_us = 103;
    public const double ReferenceWarmStep_us = 61;

    public static double[] InitialState => new[] { 0.0, 0.0, 0.0, 0.0 };

    public static PlanningProblem Problem()
    {
        var model = new CartPole(new CartPoleParameters());
        var cost = new TrajectoryCost(
            goal: new[] { 0, Math.PI, 0, 0 }, controlGoal: new[] { 0.0 },
            q: new[] { 1, 1, 0.1, 0.1 }, r: new[] { 0.01 }, qf: new[] { 100.0, 100, 10, 10 },
            runningScale: Dt, periodic: new[] { false, true, false, false });
        return new PlanningProblem(model, cost, Steps, Dt, new[] { -10.0 }, new[] { 10.0 });
    }

    public static IlqrOptions Options => new() { MaxIterations = 200, Tolerance = 1e-6, AlignGoal = false };

    /// <summary>The B1 warm MPC step: shift the converged plan one step, re-roll through the gains from the next state, one iteration.</summary>
    public static SolveStatus WarmStep(IlqrSolver solver, ReadOnlySpan<double> nextState)
    {
        solver.Solution.Shift(1);
        return solver.Solve(nextState, 1);
    }
}
