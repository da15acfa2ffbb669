using RlRobotics.Core.Dynamics;
using RlRobotics.Learning.Envs;

namespace RlRobotics.Learning.Safety;

/// <summary>
/// A safety layer between the policy and the robot (Dalal et al. 2018, as a one-step discrete control-barrier
/// condition): each declared hard constraint has a barrier h_i(x) ≥ 0, and the action is moved, as little as needed, so
/// that the model's next state keeps h_i(x⁺) ≥ (1 − γ) h_i(x). Per violated constraint, h_i(F(x, u)) is linearised in
/// u (central differences through the analytic or learned model) and the closed-form projection
/// u ← u + [(1 − γ) h_i(x) − h_i(x⁺)]⁺ g / gᵀg is applied, then the action box; a few rounds handle several
/// constraints. When no projection satisfies them all, the box corner that leaves the most margin is taken and counted
/// as infeasible. It works on top of, never instead of, the HAL safety filter. Allocation-free after construction;
/// one instance per thread.
/// </summary>
public sealed class ActionShield
{
    private const int Rounds = 4;
    private readonly EnvTask _task;
    private readonly EnvStepper _stepper;
    private readonly double[] _next, _u, _trial, _target, _g, _best;

    public ActionShield(EnvTask task, IDynamicsModel model)
    {
        if (task.Constraints.Count == 0) throw new ArgumentException("the shield needs at least one hard constraint (task.shield.constraints)");
        _task = task;
        _stepper = new EnvStepper(task, model);
        _next = new double[task.StateSize];
        _u = new double[task.ActionSize];
        _trial = new double[task.ActionSize];
        _best = new double[task.ActionSize];
        _target = new double[task.Constraints.Count];
        _g = new double[task.ActionSize];
    }

    /// <summary>Actions the shield changed.</summary>
    public long Interventions { get; private set; }
    /// <summary>States where no action satisfied every barrier condition (the best-margin corner was used).</summary>
    public long Infeasible { get; private set; }
    /// <summary>Actions checked.</summary>
    public long Checked { get; private set; }

    /// <summary>
    /// Makes <paramref name="action"/> (physical units, inside the box on return) safe for state <paramref name="x"/>.
    /// Returns true when it changed the action.
    /// </summary>
    public bool Apply(ReadOnlySpan<double> x, Span<double> action)
    {
        Checked++;
        var m = _u.Length;
        for (var j = 0; j < m; j++) action[j] = _u[j] = Math.Clamp(action[j], _task.ActionLow[j], _task.ActionHigh[j]);
        for (var i = 0; i < _target.Length; i++) _target[i] = (1 - _task.ShieldDecay) * _task.Constraints[i].Barrier.Evaluate(x);
        for (var round = 0; round < Rounds; round++)
        {
            var (worst, slack) = WorstSlack(x, _u);
            if (slack >= 0) return Finish(action);
            // g = ∂h_worst(F(x, u))/∂u by central differences.
            double gg = 0;
            for (var j = 0; j < m; j++)
            {
                var step = 1e-4 * (_task.ActionHigh[j] - _task.ActionLow[j]);
                _u.AsSpan().CopyTo(_trial);
                _trial[j] = _u[j] + step;
                var up = BarrierAfter(x, _trial, worst);
                _trial[j] = _u[j] - step;
                var down = BarrierAfter(x, _trial, worst);
                _g[j] = (up - down) / (2 * step);
                gg += _g[j] * _g[j];
            }
            if (!(gg > 1e-12)) break;
            var lambda = -slack / gg * 1.001; // a hair past the boundary so rounding keeps it satisfied
            for (var j = 0; j < m; j++) _u[j] = Math.Clamp(_u[j] + lambda * _g[j], _task.ActionLow[j], _task.ActionHigh[j]);
        }
        if (WorstSlack(x, _u).Slack >= 0) return Finish(action);
        BestCorner(x);
        Infeasible++;
        return Finish(action);
    }

    private bool Finish(Span<double> action)
    {
        var changed = false;
        for (var j = 0; j < _u.Length; j++)
        {
            if (Math.Abs(_u[j] - action[j]) > 1e-9 * (_task.ActionHigh[j] - _task.ActionLow[j])) changed = true;
            action[j] = _u[j];
        }
        if (changed) Interventions++;
        return changed;
    }

    // Among the current action and the box corners, the one whose worst barrier margin is largest.
    private void BestCorner(ReadOnlySpan<double> x)
    {
        var m = _u.Length;
        _u.AsSpan().CopyTo(_best);
        var bestSlack = WorstSlack(x, _best).Slack;
        var corners = m <= 10 ? 1 << m : 0;
        for (var c = 0; c < corners; c++)
        {
            for (var j = 0; j < m; j++) _trial[j] = (c >> j & 1) == 0 ? _task.ActionLow[j] : _task.ActionHigh[j];
            var s = WorstSlack(x, _trial).Slack;
            if (s > bestSlack) { bestSlack = s; _trial.AsSpan().CopyTo(_best); }
        }
        _best.AsSpan().CopyTo(_u);
    }

    private (int Worst, double Slack) WorstSlack(ReadOnlySpan<double> x, double[] u)
    {
        _stepper.Step(x, u, _next);
        var worst = -1;
        var slack = double.PositiveInfinity;
        for (var i = 0; i < _target.Length; i++)
        {
            var s = _task.Constraints[i].Barrier.Evaluate(_next) - _target[i];
            if (double.IsNaN(s)) s = double.NegativeInfinity;
            if (s < slack) { slack = s; worst = i; }
        }
        return (worst, slack);
    }

    private double BarrierAfter(ReadOnlySpan<double> x, double[] u, int constraint)
    {
        _stepper.Step(x, u, _next);
        return _task.Constraints[constraint].Barrier.Evaluate(_next);
    }
}
