using RlRobotics.Core.Dynamics;

namespace RlRobotics.Learning.Envs;

/// <summary>
/// One environment step x⁺ = F(x, u) of a task's model with its integrator, sub-steps and state clip. Scratch per
/// instance (one per thread); allocation-free.
/// </summary>
public sealed class EnvStepper
{
    private readonly EnvTask _task;
    private readonly IDynamicsModel _model;
    private readonly IStepper _stepper;
    private readonly double[] _xdot, _x;

    public EnvStepper(EnvTask task, IDynamicsModel model)
    {
        _task = task;
        _model = model;
        _stepper = Steppers.Create(model);
        _xdot = new double[model.StateSize];
        _x = new double[model.StateSize];
        if (task.Integrator == Integrator.SemiImplicitEuler && model.StateSize % 2 != 0)
            throw new ArgumentException("the semi-implicit Euler integrator needs a state of positions then velocities");
    }

    public void Step(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> next)
    {
        var n = _x.Length;
        var h = _task.Dt_s / _task.Substeps;
        x.CopyTo(_x);
        for (var s = 0; s < _task.Substeps; s++)
        {
            if (_task.Integrator == Integrator.Rk4 || _model is IDiscreteDynamicsModel)
            {
                _stepper.Step(_x, u, h, next);
            }
            else
            {
                // q̇⁺ = q̇ + q̈ h (clipped), q⁺ = q + q̇⁺ h.
                _model.Derivative(_x, u, _xdot);
                var k = n / 2;
                for (var i = 0; i < k; i++)
                {
                    var v = Clip(_x[k + i] + _xdot[k + i] * h, _task.StateClip[k + i]);
                    next[k + i] = v;
                    next[i] = _x[i] + v * h;
                }
            }
            for (var i = 0; i < n; i++) next[i] = Clip(next[i], _task.StateClip[i]);
            next.CopyTo(_x);
        }
    }

    private static double Clip(double v, double limit) => double.IsPositiveInfinity(limit) ? v : Math.Clamp(v, -limit, limit);
}
