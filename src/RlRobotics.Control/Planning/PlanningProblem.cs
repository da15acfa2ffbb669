using RlRobotics.Core.Dynamics;

namespace RlRobotics.Control.Planning;

/// <summary>
/// A finite-horizon optimal control problem: minimise <see cref="Cost"/> over N controls of the dynamics
/// x_{k+1} = RK4(x_k, u_k, dt), with every control inside the box [<see cref="ControlMin"/>, <see cref="ControlMax"/>].
/// Planners take one and never change it (each keeps its own cost copy for goal alignment).
/// </summary>
public sealed class PlanningProblem
{
    public PlanningProblem(IDynamicsModel model, TrajectoryCost cost, int steps, double dt, double[] controlMin, double[] controlMax)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), "the horizon needs at least one step");
        if (!(dt > 0) || !double.IsFinite(dt)) throw new ArgumentOutOfRangeException(nameof(dt), "the step must be a positive time");
        if (cost.StateSize != model.StateSize || cost.ControlSize != model.ControlSize)
            throw new ArgumentException("the cost's sizes do not match the model's");
        if (controlMin.Length != model.ControlSize || controlMax.Length != model.ControlSize)
            throw new ArgumentException("one control bound per control is needed");
        for (var j = 0; j < controlMin.Length; j++)
        {
            if (!(controlMin[j] <= controlMax[j]))
                throw new ArgumentException($"control {model.ControlNames[j]}: the lower bound {controlMin[j]} is above the upper {controlMax[j]}");
        }
        Model = model;
        Cost = cost;
        Steps = steps;
        Dt = dt;
        ControlMin = (double[])controlMin.Clone();
        ControlMax = (double[])controlMax.Clone();
    }

    public IDynamicsModel Model { get; }
    public TrajectoryCost Cost { get; }

    /// <summary>Horizon N, steps.</summary>
    public int Steps { get; }

    /// <summary>Step length, s.</summary>
    public double Dt { get; }

    /// <summary>Control box, in the controls' units (N, N·m).</summary>
    public double[] ControlMin { get; }
    public double[] ControlMax { get; }

    public int StateSize => Model.StateSize;
    public int ControlSize => Model.ControlSize;

    /// <summary>Horizon length, s.</summary>
    public double Horizon_s => Steps * Dt;

    /// <summary>The cold start: every control u* (clamped into the box), zero gains and states, no status.</summary>
    public void ResetToHoldingControl(Trajectory plan)
    {
        for (var k = 0; k < plan.Steps; k++)
        {
            var u = plan.Control(k);
            Cost.ControlGoal.CopyTo(u);
            Clamp(u);
        }
        Array.Clear(plan.K);
        Array.Clear(plan.X);
        plan.Status = SolveStatus.None;
    }

    /// <summary>Clamps u into the box in place.</summary>
    public void Clamp(Span<double> u)
    {
        for (var j = 0; j < u.Length; j++) u[j] = Math.Clamp(u[j], ControlMin[j], ControlMax[j]);
    }
}
