using RlRobotics.Learning.Nn;

namespace RlRobotics.Learning.Rl;

/// <summary>What one CPO step did.</summary>
/// <param name="Case">0: infeasible, recovery step only; 1, 2: constrained step (cost now above, below the limit);
/// 3: the whole trust region is feasible; 4: no cost gradient — both plain trust-region steps.</param>
/// <param name="AcceptedStep">Line-search step accepted (0 = the full step), −1 when none was and the policy was kept.</param>
/// <param name="Kl">Mean KL(old ‖ new) of the accepted policy.</param>
/// <param name="SurrogateImprovement">Change of the reward surrogate mean(ρ Â_r).</param>
public readonly record struct CpoResult(int Case, int AcceptedStep, double Kl, double SurrogateImprovement);

/// <summary>
/// Constrained Policy Optimisation (Achiam, Held, Tamar &amp; Abbeel 2017) on the whole batch. With g = ∇ E[ρ Â_r],
/// b = ∇ E[ρ Â_c] at θ_k, c = J_c − d and the Fisher matrix H of the Gaussian policy, it solves
/// max gᵀΔ s.t. c + bᵀΔ ≤ 0, ½ ΔᵀHΔ ≤ δ through its dual: x = H⁻¹g and p = H⁻¹b by conjugate gradient on
/// Fisher-vector products, q = gᵀx, r = gᵀp, s = bᵀp, then Δ = (x − ν* p)/λ*; when no policy in the trust region can
/// satisfy the constraint it takes the recovery step Δ = −√(2δ/s) p. A backtracking line search then accepts the first
/// step with KL ≤ δ, a cost-surrogate change ≤ max(−c, 0) and (in the feasible cases) a reward improvement.
/// <para>H v for the mean: (1/B) Σ_i J_iᵀ diag(σ⁻²) J_i v with J_i = ∂μ(s_i)/∂θ (forward mode, then reverse mode
/// through the actor); for log σ it is 2 v. Damping adds <see cref="OnPolicyOptions.CgDamping"/> v.</para>
/// </summary>
public sealed class CpoUpdate
{
    private readonly ActorCritic _policy;
    private readonly OnPolicyOptions _o;
    private readonly RolloutBuffer _buffer;
    private readonly MlpWorkspace _ws;
    private readonly int _actorCount, _m, _count;
    private readonly double[] _g, _b, _x, _p, _step, _old, _r, _d, _hd;
    private readonly float[] _direction, _jv, _obs, _adv, _costAdv;

    public CpoUpdate(ActorCritic policy, OnPolicyOptions options, RolloutBuffer buffer, MlpWorkspace ws)
    {
        _policy = policy;
        _o = options;
        _buffer = buffer;
        _ws = ws;
        _actorCount = policy.Actor.Parameters.Count;
        _m = policy.ActionSize;
        _count = _actorCount + _m;
        _g = new double[_count]; _b = new double[_count]; _x = new double[_count]; _p = new double[_count];
        _step = new double[_count]; _old = new double[_count]; _r = new double[_count]; _d = new double[_count]; _hd = new double[_count];
        _direction = new float[_actorCount];
        _jv = new float[buffer.Size * _m];
        _obs = new float[buffer.Size * buffer.ObservationSize];
        _adv = new float[buffer.Size];
        _costAdv = new float[buffer.Size];
    }

    /// <summary>One CPO step from the buffer (advantages computed); <paramref name="violation"/> is c = J_c − d.</summary>
    public CpoResult Step(double violation)
    {
        var size = _buffer.Size;
        _buffer.Observations.AsSpan(0, size * _buffer.ObservationSize).CopyTo(_obs);
        // Reward advantages standardised, cost advantages centred (OmniSafe).
        Standardise(_buffer.Advantages, _adv, scale: true);
        Standardise(_buffer.CostAdvantages, _costAdv, scale: false);
        Flatten(_old);
        var mean = _policy.Actor.Forward(_ws, _obs, size);
        var surrogateR = Surrogate(mean, _adv);
        var surrogateC = Surrogate(mean, _costAdv);
        Gradient(mean, _adv, _g);
        Gradient(mean, _costAdv, _b);

        var delta = _o.CpoTargetKl;
        ConjugateGradient(_g, _x);
        double q = Dot(_g, _x), c = violation, caseNumber, lambdaStar, nuStar;
        Array.Clear(_p);
        double r = 0, s = 0;
        if (Dot(_b, _b) <= 1e-8 && c < 0)
        {
            caseNumber = 4;
        }
        else
        {
            ConjugateGradient(_b, _p);
            r = Dot(_g, _p);
            s = Dot(_b, _p);
            var aa = q - r * r / s;          // A = q − r²/s
            var bb = 2 * delta - c * c / s;   // B = 2δ − c²/s
            caseNumber = c < 0 && bb < 0 ? 3 : c < 0 ? 2 : bb >= 0 ? 1 : 0;
            if (s <= 0 || !double.IsFinite(s)) caseNumber = c < 0 ? 3 : 0;
            if (caseNumber is 1 or 2)
            {
                // Dual: maximise over λ ≥ 0 the better of f_a (constraint active) and f_b (inactive), each on its own interval.
                var lambdaA = Math.Sqrt(Math.Max(aa, 0) / bb);
                var lambdaB = Math.Sqrt(q / (2 * delta));
                var ratio = r / (c + 1e-8);
                double la, lb;
                if (c < 0) { la = Math.Clamp(lambdaA, 0, Math.Max(0, ratio)); lb = Math.Max(lambdaB, ratio); }
                else { la = Math.Max(lambdaA, Math.Max(0, ratio)); lb = Math.Clamp(lambdaB, 0, Math.Max(0, ratio)); }
                double Fa(double l) => -0.5 * (aa / (l + 1e-8) + bb * l) - r * c / (s + 1e-8);
                double Fb(double l) => -0.5 * (q / (l + 1e-8) + 2 * delta * l);
                lambdaStar = Fa(la) >= Fb(lb) ? la : lb;
                nuStar = Math.Max(0, lambdaStar * c - r) / (s + 1e-8);
                for (var k = 0; k < _count; k++) _step[k] = (_x[k] - nuStar * _p[k]) / (lambdaStar + 1e-8);
            }
        }
        if (caseNumber is 3 or 4)
        {
            var alpha = Math.Sqrt(2 * delta / (q + 1e-8));
            for (var k = 0; k < _count; k++) _step[k] = alpha * _x[k];
        }
        else if (caseNumber == 0)
        {
            nuStar = Math.Sqrt(2 * delta / (s + 1e-8));
            for (var k = 0; k < _count; k++) _step[k] = -nuStar * _p[k];
        }

        // Backtracking line search on the true surrogates and KL.
        var fraction = 1.0;
        for (var k = 0; k < _o.LineSearchSteps; k++, fraction *= _o.LineSearchDecay)
        {
            for (var i = 0; i < _count; i++) _d[i] = _old[i] + fraction * _step[i];
            Unflatten(_d);
            var newMean = _policy.Actor.Forward(_ws, _obs, size);
            var kl = MeanKl(newMean);
            var improve = Surrogate(newMean, _adv) - surrogateR;
            var costChange = Surrogate(newMean, _costAdv) - surrogateC;
            var ok = double.IsFinite(kl) && double.IsFinite(improve) && kl <= delta && costChange <= Math.Max(-c, 0)
                     && (caseNumber <= 1 || improve >= 0);
            if (ok) return new CpoResult((int)caseNumber, k, kl, improve);
        }
        Unflatten(_old);
        return new CpoResult((int)caseNumber, -1, 0, 0);
    }

    private void Standardise(float[] source, float[] target, bool scale)
    {
        var n = _buffer.Size;
        double mean = 0, var = 0;
        for (var i = 0; i < n; i++) mean += source[i];
        mean /= n;
        for (var i = 0; i < n; i++) var += (source[i] - mean) * (source[i] - mean);
        var std = scale && n > 1 ? Math.Sqrt(var / (n - 1)) + 1e-8 : 1;
        for (var i = 0; i < n; i++) target[i] = (float)((source[i] - mean) / std);
    }

    // mean_i ρ_i w_i with ρ = π/π_old at the current actor output.
    private double Surrogate(ReadOnlySpan<float> mean, float[] weights)
    {
        double sum = 0;
        for (var i = 0; i < _buffer.Size; i++)
        {
            var logRatio = _policy.LogProbability(mean.Slice(i * _m, _m), _buffer.Actions.AsSpan(i * _m, _m)) - _buffer.LogProbabilities[i];
            sum += Math.Exp(logRatio) * weights[i];
        }
        return sum / _buffer.Size;
    }

    private double MeanKl(ReadOnlySpan<float> mean)
    {
        double sum = 0;
        for (var i = 0; i < _buffer.Size; i++)
        {
            for (var j = 0; j < _m; j++)
            {
                var logStd = _policy.ClampedLogStd(j);
                var std = Math.Exp(logStd);
                var oldStd = Math.Exp(_buffer.OldLogStd[j]);
                var dm = _buffer.Means[i * _m + j] - mean[i * _m + j];
                sum += logStd - _buffer.OldLogStd[j] + (oldStd * oldStd + dm * dm) / (2 * std * std) - 0.5;
            }
        }
        return sum / _buffer.Size;
    }

    // ∇θ mean_i w_i ρ_i at ρ = 1: (1/B) Σ w_i ∇ log π(a_i|s_i), after a forward pass at θ_k.
    private void Gradient(ReadOnlySpan<float> mean, float[] weights, double[] into)
    {
        var size = _buffer.Size;
        _policy.Actor.Parameters.ZeroGradients();
        Span<double> logStdGrad = stackalloc double[_m];
        var dMean = _jv;
        for (var i = 0; i < size; i++)
        {
            var w = weights[i] / (double)size;
            for (var j = 0; j < _m; j++)
            {
                var std = _policy.Std(j);
                var z = (_buffer.Actions[i * _m + j] - mean[i * _m + j]) / std;
                dMean[i * _m + j] = (float)(w * z / std);
                logStdGrad[j] += w * (z * z - 1);
            }
        }
        _policy.Actor.Backward(_ws, dMean.AsSpan(0, size * _m), size);
        var grads = _policy.Actor.Parameters.Gradients;
        for (var k = 0; k < _actorCount; k++) into[k] = grads[k];
        for (var j = 0; j < _m; j++) into[_actorCount + j] = logStdGrad[j];
    }

    // H v + damping v (see the class remarks); needs the forward pass at θ_k still in the workspace.
    private void FisherVector(double[] v, double[] into)
    {
        var size = _buffer.Size;
        for (var k = 0; k < _actorCount; k++) _direction[k] = (float)v[k];
        _policy.Actor.Jvp(_ws, _direction, size, _jv);
        for (var i = 0; i < size; i++)
            for (var j = 0; j < _m; j++)
            {
                var std = _policy.Std(j);
                _jv[i * _m + j] = (float)(_jv[i * _m + j] / (std * std * size));
            }
        _policy.Actor.Parameters.ZeroGradients();
        _policy.Actor.Backward(_ws, _jv.AsSpan(0, size * _m), size);
        var grads = _policy.Actor.Parameters.Gradients;
        for (var k = 0; k < _actorCount; k++) into[k] = grads[k] + _o.CgDamping * v[k];
        for (var j = 0; j < _m; j++) into[_actorCount + j] = (2 + _o.CgDamping) * v[_actorCount + j];
    }

    // Solves H x = g by conjugate gradient from x = 0.
    private void ConjugateGradient(double[] g, double[] x)
    {
        Array.Clear(x);
        g.AsSpan().CopyTo(_r);
        g.AsSpan().CopyTo(_d);
        var rr = Dot(_r, _r);
        for (var it = 0; it < _o.CgIterations && rr > 1e-12; it++)
        {
            FisherVector(_d, _hd);
            var alpha = rr / (Dot(_d, _hd) + 1e-12);
            for (var k = 0; k < _count; k++) { x[k] += alpha * _d[k]; _r[k] -= alpha * _hd[k]; }
            var next = Dot(_r, _r);
            var beta = next / rr;
            rr = next;
            for (var k = 0; k < _count; k++) _d[k] = _r[k] + beta * _d[k];
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private void Flatten(double[] into)
    {
        var values = _policy.Actor.Parameters.Values;
        for (var k = 0; k < _actorCount; k++) into[k] = values[k];
        for (var j = 0; j < _m; j++) into[_actorCount + j] = _policy.LogStd.Values[j];
    }

    private void Unflatten(double[] from)
    {
        var values = _policy.Actor.Parameters.Values;
        for (var k = 0; k < _actorCount; k++) values[k] = (float)from[k];
        for (var j = 0; j < _m; j++) _policy.LogStd.Values[j] = (float)from[_actorCount + j];
    }
}
