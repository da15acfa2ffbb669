using System.Runtime.Intrinsics;
using RlRobotics.Learning.Nn;

namespace RlRobotics.Learning.Optim;

/// <summary>Adam settings (Kingma &amp; Ba 2015); <see cref="WeightDecay"/> with <see cref="Decoupled"/> is AdamW (Loshchilov &amp; Hutter 2019).</summary>
public sealed record AdamOptions
{
    public double LearningRate { get; init; } = 1e-3;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>Weight decay λ: AdamW's p ← p − lr λ p when decoupled, else L2 (g ← g + λ p).</summary>
    public double WeightDecay { get; init; }
    public bool Decoupled { get; init; } = true;

    public void Validate()
    {
        if (!(LearningRate > 0)) throw new ArgumentException("learning rate must be above 0");
        if (!(Beta1 >= 0 && Beta1 < 1 && Beta2 >= 0 && Beta2 < 1)) throw new ArgumentException("betas must be in [0, 1)");
        if (!(Epsilon > 0) || WeightDecay < 0) throw new ArgumentException("epsilon must be above 0 and weight decay at least 0");
    }
}

/// <summary>
/// Adam over one or more <see cref="ParameterSet"/>s:
/// m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g², p ← p − α √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε̂). Vectorised; allocation-free.
/// </summary>
public sealed class Adam
{
    private readonly ParameterSet[] _sets;
    private readonly float[][] _m, _v;

    public Adam(IEnumerable<ParameterSet> sets, AdamOptions? options = null)
    {
        Options = options ?? new AdamOptions();
        Options.Validate();
        _sets = sets.ToArray();
        _m = _sets.Select(s => new float[s.Count]).ToArray();
        _v = _sets.Select(s => new float[s.Count]).ToArray();
    }

    public AdamOptions Options { get; private set; }
    public long Steps { get; private set; }
    public IReadOnlyList<ParameterSet> Sets => _sets;

    /// <summary>Changes the learning rate (schedules).</summary>
    public void SetLearningRate(double lr) => Options = Options with { LearningRate = lr };

    /// <summary>Clears the moments and the step count.</summary>
    public void Reset()
    {
        Steps = 0;
        foreach (var m in _m) Array.Clear(m);
        foreach (var v in _v) Array.Clear(v);
    }

    /// <summary>One update from the gradients currently in the sets (they are left as they are).</summary>
    public void Step()
    {
        Steps++;
        var o = Options;
        var b1 = (float)o.Beta1;
        var b2 = (float)o.Beta2;
        var correction1 = 1 - Math.Pow(o.Beta1, Steps);
        var correction2 = 1 - Math.Pow(o.Beta2, Steps);
        var stepSize = (float)(o.LearningRate * Math.Sqrt(correction2) / correction1);
        var eps = (float)(o.Epsilon * Math.Sqrt(correction2));
        var decay = (float)(o.LearningRate * o.WeightDecay);
        var l2 = o.Decoupled ? 0f : (float)o.WeightDecay;
        for (var s = 0; s < _sets.Length; s++)
        {
            Update(_sets[s].Values, _sets[s].Gradients, _m[s], _v[s], b1, b2, stepSize, eps, o.Decoupled ? decay : 0f, l2);
        }
    }

    private static void Update(float[] p, float[] g, float[] m, float[] v, float b1, float b2, float stepSize, float eps, float decay, float l2)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vb1 = Vector256.Create(b1); var vc1 = Vector256.Create(1 - b1);
            var vb2 = Vector256.Create(b2); var vc2 = Vector256.Create(1 - b2);
            var vStep = Vector256.Create(stepSize); var vEps = Vector256.Create(eps);
            var vKeep = Vector256.Create(1 - decay); var vL2 = Vector256.Create(l2);
            for (; i + 8 <= p.Length; i += 8)
            {
                var pi = Vector256.Create(p.AsSpan(i, 8));
                var gi = Vector256.Create(g.AsSpan(i, 8)) + vL2 * pi;
                var mi = vb1 * Vector256.Create(m.AsSpan(i, 8)) + vc1 * gi;
                var vi = vb2 * Vector256.Create(v.AsSpan(i, 8)) + vc2 * gi * gi;
                mi.CopyTo(m.AsSpan(i, 8));
                vi.CopyTo(v.AsSpan(i, 8));
                (pi * vKeep - vStep * mi / (Vector256.Sqrt(vi) + vEps)).CopyTo(p.AsSpan(i, 8));
            }
        }
        for (; i < p.Length; i++)
        {
            var gi = g[i] + l2 * p[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            p[i] = p[i] * (1 - decay) - stepSize * m[i] / (MathF.Sqrt(v[i]) + eps);
        }
    }
}
