using RlRobotics.Core.Dynamics;
using RlRobotics.Learning.Nn;

namespace RlRobotics.Learning.Dynamics;

/// <summary>
/// The ensemble-mean model as an <see cref="IStepper"/>: x⁺ = x + σ_Δ ⊙ mean_e μ_e(z) + m_Δ, z the normalised features,
/// and its exact Jacobians ∂x⁺/∂x = I + diag(σ_Δ) · mean_e ∂μ_e/∂z · ∂z/∂x (likewise for u), the network part by reverse
/// mode through every member at once. One instance per thread; allocation-free.
/// </summary>
internal sealed class EnsembleStepper : IStepper
{
    private readonly EnsembleDynamicsModel _model;
    private readonly MlpWorkspace _ws;
    private readonly int _n, _m, _f, _e;
    private readonly float[] _input, _jacobian;
    private readonly double[] _dfdx, _dfdu, _meanJ;

    public EnsembleStepper(EnsembleDynamicsModel model)
    {
        _model = model;
        _n = model.StateSize;
        _m = model.ControlSize;
        _f = model.FeatureSize;
        _e = model.Members;
        _ws = model.Net.CreateWorkspace(1);
        _input = new float[_e * _f];
        _jacobian = new float[_e * _n * _f];
        _dfdx = new double[_f * _n];
        _dfdu = new double[_f * _m];
        _meanJ = new double[_n * _f];
    }

    public void Step(ReadOnlySpan<double> x, ReadOnlySpan<double> u, double h, Span<double> next)
    {
        CheckStep(h);
        Encode(x, u);
        _model.Net.Infer(_ws, _input, 1);
        MeanStep(x, next);
    }

    public void StepWithJacobians(ReadOnlySpan<double> x, ReadOnlySpan<double> u, double h, Span<double> next, Span<double> ad, Span<double> bd)
    {
        CheckStep(h);
        Encode(x, u);
        _model.Net.InputJacobians(_ws, _input, 1, _n, _jacobian);
        MeanStep(x, next);
        // mean_e ∂μ_e/∂z  (n × f)
        Array.Clear(_meanJ);
        for (var e = 0; e < _e; e++)
            for (var i = 0; i < _n * _f; i++) _meanJ[i] += _jacobian[e * _n * _f + i];
        for (var i = 0; i < _n * _f; i++) _meanJ[i] /= _e;
        _model.FeatureJacobian(x, _dfdx, _dfdu);
        var std = _model.TargetNormaliser.Std;
        for (var i = 0; i < _n; i++)
        {
            for (var j = 0; j < _n; j++)
            {
                double s = 0;
                for (var f = 0; f < _f; f++) s += _meanJ[i * _f + f] * _dfdx[f * _n + j];
                ad[i * _n + j] = std[i] * s + (i == j ? 1 : 0);
            }
            for (var j = 0; j < _m; j++)
            {
                double s = 0;
                for (var f = 0; f < _f; f++) s += _meanJ[i * _f + f] * _dfdu[f * _m + j];
                bd[i * _m + j] = std[i] * s;
            }
        }
    }

    private void Encode(ReadOnlySpan<double> x, ReadOnlySpan<double> u)
    {
        _model.NormalisedFeatures(x, u, _input);
        for (var e = 1; e < _e; e++) _input.AsSpan(0, _f).CopyTo(_input.AsSpan(e * _f, _f));
    }

    private void MeanStep(ReadOnlySpan<double> x, Span<double> next)
    {
        var output = _ws.Output(1);
        var mean = _model.TargetNormaliser.Mean;
        var std = _model.TargetNormaliser.Std;
        for (var i = 0; i < _n; i++)
        {
            double mu = 0;
            for (var e = 0; e < _e; e++) mu += output[e * 2 * _n + i];
            next[i] = x[i] + mu / _e * std[i] + mean[i];
        }
    }

    private void CheckStep(double h)
    {
        if (Math.Abs(h - _model.Dt_s) > 1e-9)
            throw new InvalidOperationException($"the learned model predicts steps of {_model.Dt_s} s; it cannot step {h} s (set the planner's dt to {_model.Dt_s})");
    }
}
