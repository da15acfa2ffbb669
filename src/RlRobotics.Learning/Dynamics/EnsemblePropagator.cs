using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Numerics;
using RlRobotics.Learning.Nn;

namespace RlRobotics.Learning.Dynamics;

/// <summary>
/// Batched particle propagation through the ensemble. Rows are split evenly over the members by a random permutation
/// (redrawn every step for TS-1, once per rollout set for TS-∞, as mbrl-lib does), so each step is one batched forward
/// pass [E, rows/E, features]; each particle then moves by a sample of its member's Gaussian, x⁺ = x + σ_Δ(μ + e^{ℓ/2} ε) + m_Δ.
/// <see cref="ParticlePropagation.Mean"/> sends every row through every member and moves it by the mean μ, without noise.
/// Allocation-free after construction.
/// </summary>
internal sealed class EnsemblePropagator : IParticlePropagator
{
    private readonly EnsembleDynamicsModel _model;
    private readonly ParticlePropagation _mode;
    private readonly int _n, _m, _f, _e, _maxRows, _perMember;
    private readonly MlpWorkspace _ws;
    private readonly float[] _input;
    private readonly int[] _perm;
    private readonly Random _random;
    private readonly GaussianSampler _gaussian;

    public EnsemblePropagator(EnsembleDynamicsModel model, int maxRows, ParticlePropagation mode, int seed)
    {
        if (maxRows < 1) throw new ArgumentOutOfRangeException(nameof(maxRows));
        _model = model;
        _mode = mode;
        _n = model.StateSize;
        _m = model.ControlSize;
        _f = model.FeatureSize;
        _e = model.Members;
        _maxRows = maxRows;
        _perMember = mode == ParticlePropagation.Mean ? maxRows : (maxRows + _e - 1) / _e;
        _ws = model.Net.CreateWorkspace(_perMember);
        _input = new float[_e * _perMember * _f];
        _perm = new int[_perMember * _e];
        for (var i = 0; i < _perm.Length; i++) _perm[i] = i;
        _random = new Random(seed);
        _gaussian = new GaussianSampler(_random);
    }

    public void BeginRollouts(int rows)
    {
        if (_mode == ParticlePropagation.TsInfinity) Shuffle(rows);
    }

    public void Step(ReadOnlySpan<double> x, ReadOnlySpan<double> u, int rows, Span<double> next)
    {
        if (rows < 1 || rows > _maxRows) throw new ArgumentOutOfRangeException(nameof(rows), $"rows {rows} outside 1..{_maxRows}");
        var targetMean = _model.TargetNormaliser.Mean;
        var targetStd = _model.TargetNormaliser.Std;
        if (_mode == ParticlePropagation.Mean)
        {
            for (var r = 0; r < rows; r++) _model.NormalisedFeatures(x.Slice(r * _n, _n), u.Slice(r * _m, _m), _input.AsSpan(r * _f, _f));
            for (var e = 1; e < _e; e++) _input.AsSpan(0, rows * _f).CopyTo(_input.AsSpan(e * rows * _f, rows * _f));
            var output = _model.Net.Infer(_ws, _input, rows);
            for (var r = 0; r < rows; r++)
                for (var i = 0; i < _n; i++)
                {
                    double mu = 0;
                    for (var e = 0; e < _e; e++) mu += output[(e * rows + r) * 2 * _n + i];
                    next[r * _n + i] = x[r * _n + i] + mu / _e * targetStd[i] + targetMean[i];
                }
            return;
        }

        if (_mode == ParticlePropagation.Ts1) Shuffle(rows);
        var per = (rows + _e - 1) / _e;
        // Slot s of member e holds row perm[e·per + s]; the permutation covers 0..rows−1 first, so slots past the real
        // rows repeat row 0 (computed, then ignored).
        for (var e = 0; e < _e; e++)
            for (var s = 0; s < per; s++)
            {
                var r = _perm[e * per + s];
                if (r >= rows) r = 0;
                _model.NormalisedFeatures(x.Slice(r * _n, _n), u.Slice(r * _m, _m), _input.AsSpan((e * per + s) * _f, _f));
            }
        var outputs = _model.Net.Infer(_ws, _input, per);
        var maxLv = _model.MaxLogVar;
        var minLv = _model.MinLogVar;
        for (var e = 0; e < _e; e++)
            for (var s = 0; s < per; s++)
            {
                var r = _perm[e * per + s];
                if (r >= rows) continue;
                var o = outputs.Slice((e * per + s) * 2 * _n, 2 * _n);
                for (var i = 0; i < _n; i++)
                {
                    var logVar = GaussianNll.LogVariance(o[_n + i], maxLv[i], minLv[i]);
                    var delta = o[i] + Math.Exp(0.5 * logVar) * _gaussian.Next();
                    next[r * _n + i] = x[r * _n + i] + delta * targetStd[i] + targetMean[i];
                }
            }
    }

    // A permutation of 0..rows−1 in the first `rows` slots (Fisher–Yates), padding slots after them.
    private void Shuffle(int rows)
    {
        for (var i = 0; i < _perm.Length; i++) _perm[i] = i;
        for (var i = rows - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (_perm[i], _perm[j]) = (_perm[j], _perm[i]);
        }
    }
}
