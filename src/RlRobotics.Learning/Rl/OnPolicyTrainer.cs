using System.Diagnostics;
using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Numerics;
using RlRobotics.Learning.Compute;
using RlRobotics.Learning.Envs;
using RlRobotics.Learning.Nn;
using RlRobotics.Learning.Optim;

namespace RlRobotics.Learning.Rl;

/// <summary>
/// On-policy learning on a <see cref="VectorEnv"/>: collect T steps from N copies with the stochastic policy, compute
/// GAE advantages for reward and cost, update λ (Lagrangian methods), then update the policy — the clipped surrogate
/// (PPO family; REINFORCE and A2C are its one-step, unclipped special cases) or CPO's trust-region step — and the
/// critics. It reads top to bottom in the order it runs. Single-threaded learning and per-copy random streams make a run
/// bit-identical from its seed on one machine and build.
/// </summary>
public sealed class OnPolicyTrainer
{
    private readonly OnPolicyOptions _o;
    private readonly EnvTask _task;
    private readonly RolloutBuffer _buffer;
    private readonly MlpWorkspace _actWs, _criticWs, _costWs;        // collection, batch N
    private readonly MlpWorkspace _actorMb, _criticMb, _costMb;      // update, one minibatch
    private readonly Adam _adam;
    private readonly ICostMultiplier? _multiplier;
    private readonly CpoUpdate? _cpo;
    private readonly GaussianSampler _noise;
    private readonly Random _shuffle;
    private readonly int[] _order;
    private readonly float[] _obsRaw, _lastNorm, _actions, _mb, _dMean, _dValue, _finalNorm;
    private readonly double[] _physical, _discounted;
    private readonly RunningVariance _returnStats = new();
    private readonly double _costLimit;
    private readonly int _iterations;
    private long _steps, _lastInterventions, _lastInfeasible, _lastViolations;

    public OnPolicyTrainer(EnvTask task, IDynamicsModel model, OnPolicyOptions options, bool shield = false, IBlas? blas = null, int envThreads = 1)
    {
        options.Validate();
        _o = options.Effective();
        _task = task;
        _costLimit = _o.CostLimit ?? task.CostLimit;
        if (_o.Constrained && !task.HasCost) throw new ArgumentException($"{_o.Algorithm} needs a cost: declare task.cost in the robot file");
        if (_o.Constrained && !double.IsFinite(_costLimit)) throw new ArgumentException($"{_o.Algorithm} needs a cost limit: declare task.cost_limit or pass --cost-limit");
        Env = new VectorEnv(task, model, _o.Envs, _o.Seed, shield, envThreads);
        Policy = new ActorCritic(task.ObservationSize, task.ActionSize, _o, costCritic: _o.Constrained, blas);
        int n = _o.Envs, o = task.ObservationSize, m = task.ActionSize, mbMax = _o.Algorithm == OnPolicyAlgorithm.Cpo ? _o.BatchSize : Math.Min(_o.MinibatchSize, _o.BatchSize);
        _buffer = new RolloutBuffer(_o.StepsPerEnv, n, o, m);
        _actWs = Policy.Actor.CreateWorkspace(n);
        _criticWs = Policy.Critic.CreateWorkspace(n);
        _costWs = Policy.Critic.CreateWorkspace(n);
        _actorMb = Policy.Actor.CreateWorkspace(mbMax);
        _criticMb = Policy.Critic.CreateWorkspace(Math.Max(mbMax, Math.Min(_o.BatchSize, 128)));
        _costMb = Policy.Critic.CreateWorkspace(Math.Max(mbMax, Math.Min(_o.BatchSize, 128)));
        var sets = _o.Algorithm == OnPolicyAlgorithm.Cpo ? Policy.AllSets.Skip(2) : Policy.AllSets;
        _adam = new Adam(sets, new AdamOptions { LearningRate = _o.Algorithm == OnPolicyAlgorithm.Cpo ? _o.CriticLearningRate : _o.LearningRate, Epsilon = _o.AdamEpsilon });
        _multiplier = _o.Algorithm switch
        {
            OnPolicyAlgorithm.PpoLagrangian => new LagrangeMultiplier(_costLimit, _o.LambdaInit, _o.LambdaLearningRate, _o.LambdaMax),
            OnPolicyAlgorithm.PpoPid => new PidLagrangeMultiplier(_costLimit, _o.LambdaInit, _o.Kp, _o.Ki, _o.Kd, _o.DerivativeDelay, _o.PidEmaAlpha, _o.LambdaMax),
            _ => null,
        };
        _cpo = _o.Algorithm == OnPolicyAlgorithm.Cpo ? new CpoUpdate(Policy, _o, _buffer, _actorMb) : null;
        var seeds = new Random(_o.Seed ^ 0x5EED);
        _noise = new GaussianSampler(new Random(seeds.Next()));
        _shuffle = new Random(seeds.Next());
        _order = Enumerable.Range(0, _buffer.Size).ToArray();
        _obsRaw = new float[n * o];
        _lastNorm = new float[n * o];
        _actions = new float[n * m];
        _physical = new double[n * m];
        _discounted = new double[n];
        _finalNorm = new float[o];
        _mb = new float[mbMax * Math.Max(o, m)];
        _dMean = new float[mbMax * m];
        _dValue = new float[Math.Max(mbMax, 128)];
        _iterations = (int)Math.Max(1, _o.TotalSteps / _o.BatchSize); // never past the step budget
        LearningRate = _o.LearningRate;
    }

    public OnPolicyOptions Options => _o;
    public VectorEnv Env { get; }
    public ActorCritic Policy { get; }
    public List<IterationMetrics> History { get; } = new();
    public int Iterations => _iterations;
    public double LearningRate { get; private set; }
    public double Lambda => _multiplier?.Lambda ?? 0;
    /// <summary>The task's or the options' cost limit d (NaN when there is none).</summary>
    public double CostLimit => _costLimit;
    /// <summary>Reward scale in use: rewards are divided by this before learning.</summary>
    public double RewardScale => _o.ScaleRewards ? Math.Sqrt(_returnStats.Variance + 1e-8) : 1;

    /// <summary>Runs every iteration; <paramref name="onIteration"/> sees each one's metrics.</summary>
    public void Run(Action<IterationMetrics>? onIteration = null)
    {
        while (History.Count < _iterations)
        {
            var metrics = RunIteration();
            onIteration?.Invoke(metrics);
        }
    }

    /// <summary>One iteration: collect a batch, then learn from it.</summary>
    public IterationMetrics RunIteration()
    {
        var iteration = History.Count + 1;
        if (_o.Schedule == LearningRateSchedule.Linear && _o.Algorithm != OnPolicyAlgorithm.Cpo)
            LearningRate = _o.LearningRate * (1.0 - (iteration - 1.0) / _iterations);
        if (_o.Algorithm != OnPolicyAlgorithm.Cpo) _adam.SetLearningRate(LearningRate);

        var clock = Stopwatch.StartNew();
        var episodes = Collect();
        var collect = clock.Elapsed.TotalSeconds;
        clock.Restart();

        _buffer.ComputeAdvantages(_o.Gamma, _o.GaeLambda);
        var explained = ExplainedVariance();
        var meanCost = episodes.Count > 0 ? episodes.Average(e => e.Cost) : double.NaN;
        _multiplier?.Update(meanCost);
        var update = _cpo is not null ? CpoIteration(meanCost) : PolicyGradientUpdate();
        var learn = clock.Elapsed.TotalSeconds;

        long interventions = Env.ShieldInterventions, infeasible = Env.ShieldInfeasible, violations = Env.Violations;
        var metrics = update with
        {
            Iteration = iteration,
            Steps = _steps,
            Episodes = episodes.Count,
            EpisodeReturn = episodes.Count > 0 ? episodes.Average(e => e.Return) : double.NaN,
            EpisodeCost = meanCost,
            EpisodeLength = episodes.Count > 0 ? episodes.Average(e => e.Length) : double.NaN,
            Lambda = Lambda,
            Entropy = Policy.Entropy(),
            ExplainedVariance = explained,
            LearningRate = _cpo is null ? LearningRate : 0,
            Std = Enumerable.Range(0, _task.ActionSize).Average(Policy.Std),
            ShieldInterventions = interventions - _lastInterventions,
            ShieldInfeasible = infeasible - _lastInfeasible,
            Violations = violations - _lastViolations,
            CollectSeconds = collect,
            LearnSeconds = learn,
        };
        (_lastInterventions, _lastInfeasible, _lastViolations) = (interventions, infeasible, violations);
        History.Add(metrics);
        return metrics;
    }

    /// <summary>
    /// The policy-gradient update again on the batch last collected, advantages as they are (benchmark W4: one full PPO
    /// update); not for CPO.
    /// </summary>
    public IterationMetrics UpdateOnLastBatch() =>
        _cpo is null ? PolicyGradientUpdate() : throw new InvalidOperationException("CPO's step needs the cost violation of a fresh batch");

    private readonly record struct Episode(double Return, double Cost, int Length);

    // ---- Collection -------------------------------------------------------------------------------------------------

    private List<Episode> Collect()
    {
        int n = _o.Envs, o = _task.ObservationSize, m = _task.ActionSize;
        var episodes = new List<Episode>();
        var b = _buffer;
        for (var j = 0; j < m; j++) b.OldLogStd[j] = (float)Policy.ClampedLogStd(j);
        for (var t = 0; t < b.Steps; t++)
        {
            var row = t * n;
            var obs = b.Observations.AsSpan(row * o, n * o);
            Env.Observations.AsSpan().CopyTo(_obsRaw);
            if (_o.NormaliseObservations)
                for (var e = 0; e < n; e++) Policy.Observations.Update(_obsRaw.AsSpan(e * o, o));
            Policy.Normalise(_obsRaw, obs, _o.ObservationClip);

            var mean = Policy.Actor.Infer(_actWs, obs, n);
            mean.CopyTo(b.Means.AsSpan(row * m, n * m));
            Policy.Critic.Infer(_criticWs, obs, n).CopyTo(b.Values.AsSpan(row, n));
            if (Policy.CostCritic is { } cc) cc.Infer(_costWs, obs, n).CopyTo(b.CostValues.AsSpan(row, n));

            // a = μ + σ ε; the physical command is the clipped, rescaled a (the unclipped a is what log π is of).
            for (var e = 0; e < n; e++)
            {
                for (var j = 0; j < m; j++)
                {
                    var a = mean[e * m + j] + Policy.Std(j) * _noise.Next();
                    _actions[e * m + j] = (float)a;
                    _physical[e * m + j] = _task.ToPhysical(j, a);
                }
                b.LogProbabilities[row + e] = (float)Policy.LogProbability(mean.Slice(e * m, m), _actions.AsSpan(e * m, m));
            }
            _actions.AsSpan().CopyTo(b.Actions.AsSpan(row * m, n * m));

            Env.Step(_physical);
            _steps += n;

            for (var e = 0; e < n; e++)
            {
                var i = row + e;
                var ended = Env.Terminated[e] || Env.Truncated[e];
                b.Rewards[i] = (float)ScaleReward(e, Env.Rewards[e], ended);
                b.Costs[i] = (float)Env.Costs[e];
                b.Dones[i] = ended;
                if (!ended) continue;
                episodes.Add(new Episode(Env.EpisodeReturn[e], Env.EpisodeCost[e], Env.EpisodeLength[e]));
                if (Env.Truncated[e])
                {
                    // Time limit: the state had a future; bootstrap it as r + γ V(s_final).
                    Policy.Normalise(Env.FinalObservations.AsSpan(e * o, o), _finalNorm, _o.ObservationClip);
                    b.Rewards[i] += (float)(_o.Gamma * Policy.Critic.Infer(_criticWs, _finalNorm, 1)[0]);
                    if (Policy.CostCritic is { } c2) b.Costs[i] += (float)(_o.Gamma * c2.Infer(_costWs, _finalNorm, 1)[0]);
                }
            }
        }
        Env.Observations.AsSpan().CopyTo(_obsRaw);
        Policy.Normalise(_obsRaw, _lastNorm, _o.ObservationClip);
        Policy.Critic.Infer(_criticWs, _lastNorm, n).CopyTo(b.LastValues);
        if (Policy.CostCritic is { } c3) c3.Infer(_costWs, _lastNorm, n).CopyTo(b.LastCostValues);
        return episodes;
    }

    // CleanRL's NormalizeReward: divide by the running std of the discounted return, then clip.
    private double ScaleReward(int env, double reward, bool ended)
    {
        if (!_o.ScaleRewards) return reward;
        _discounted[env] = _discounted[env] * _o.Gamma + reward;
        _returnStats.Add(_discounted[env]);
        if (ended) _discounted[env] = 0;
        return Math.Clamp(reward / Math.Sqrt(_returnStats.Variance + 1e-8), -_o.RewardClip, _o.RewardClip);
    }

    private double ExplainedVariance()
    {
        double mr = 0, md = 0;
        var size = _buffer.Size;
        for (var i = 0; i < size; i++) { mr += _buffer.Returns[i]; md += _buffer.Returns[i] - _buffer.Values[i]; }
        mr /= size; md /= size;
        double vr = 0, vd = 0;
        for (var i = 0; i < size; i++)
        {
            var r = _buffer.Returns[i] - mr; vr += r * r;
            var d = _buffer.Returns[i] - _buffer.Values[i] - md; vd += d * d;
        }
        return vr > 0 ? 1 - vd / vr : double.NaN;
    }

    // ---- PPO family ---------------------------------------------------------------------------------------------------

    private IterationMetrics PolicyGradientUpdate()
    {
        var size = _buffer.Size;
        var mbSize = Math.Min(_o.MinibatchSize, size);
        var clip = _o.Algorithm is OnPolicyAlgorithm.Reinforce or OnPolicyAlgorithm.A2c ? double.PositiveInfinity : _o.ClipRange;
        double klSum = 0, clipSum = 0, policySum = 0, valueSum = 0, costValueSum = 0;
        var batches = 0;
        var stop = false;
        for (var epoch = 0; epoch < _o.Epochs && !stop; epoch++)
        {
            Shuffle();
            for (var start = 0; start + mbSize <= size && !stop; start += mbSize)
            {
                var idx = _order.AsSpan(start, mbSize);
                for (var k = 0; k < Policy.AllSets.Count; k++) Policy.AllSets[k].ZeroGradients();
                var (kl, exactKl, clipped, policyLoss) = PolicyGradients(idx, clip);
                valueSum += ValueGradients(Policy.Critic, _criticMb, idx, _buffer.Returns, _buffer.Values);
                if (Policy.CostCritic is { } cc) costValueSum += ValueGradients(cc, _costMb, idx, _buffer.CostReturns, _buffer.CostValues);
                ParameterSet.ClipGradientNorm(_adam.Sets, _o.MaxGradNorm);
                _adam.Step();
                klSum += kl; clipSum += clipped; policySum += policyLoss;
                batches++;
                if (_o.Schedule == LearningRateSchedule.AdaptiveKl)
                {
                    // rsl_rl: lr ÷ 1.5 when KL > 2 KL*, × 1.5 when KL < KL*/2, within [1e-5, 1e-2].
                    if (exactKl > 2 * _o.DesiredKl) LearningRate = Math.Max(1e-5, LearningRate / 1.5);
                    else if (exactKl > 0 && exactKl < _o.DesiredKl / 2) LearningRate = Math.Min(1e-2, LearningRate * 1.5);
                    _adam.SetLearningRate(LearningRate);
                }
                if (_o.TargetKl > 0 && kl > 1.5 * _o.TargetKl) stop = true;
            }
        }
        var count = Math.Max(1, batches);
        return new IterationMetrics
        {
            Kl = klSum / count, ClipFraction = clipSum / count, PolicyLoss = policySum / count,
            ValueLoss = valueSum / count, CostValueLoss = Policy.CostCritic is null ? double.NaN : costValueSum / count,
        };
    }

    private void Shuffle()
    {
        for (var i = _order.Length - 1; i > 0; i--)
        {
            var j = _shuffle.Next(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }

    // Clipped surrogate L = −mean min(ρ A, clip(ρ, 1 ± ε) A), ρ = π(a|s)/π_old(a|s). ∂L/∂log π_i = −ρ_i A_i / B unless the
    // clipped branch is the smaller (A > 0, ρ > 1 + ε or A < 0, ρ < 1 − ε), where it is 0. Then ∂log π/∂μ_j = (a_j − μ_j)/σ_j²
    // and ∂log π/∂log σ_j = z_j² − 1. Entropy bonus: ∂(−c_H H)/∂log σ_j = −c_H.
    private (double ApproxKl, double ExactKl, double ClipFraction, double Loss) PolicyGradients(ReadOnlySpan<int> idx, double clip)
    {
        int o = _task.ObservationSize, m = _task.ActionSize, bsz = idx.Length;
        var b = _buffer;
        var obs = _mb.AsSpan(0, bsz * o);
        for (var k = 0; k < bsz; k++) b.Observations.AsSpan(idx[k] * o, o).CopyTo(obs.Slice(k * o, o));
        var mean = Policy.Actor.Forward(_actorMb, obs, bsz);

        // Advantages: reward advantages standardised, cost advantages centred, combined (A_r − λ A_c)/(1 + λ).
        double ma = 0, sa = 0, mc = 0;
        for (var k = 0; k < bsz; k++) { ma += b.Advantages[idx[k]]; mc += b.CostAdvantages[idx[k]]; }
        ma /= bsz; mc /= bsz;
        for (var k = 0; k < bsz; k++) { var d = b.Advantages[idx[k]] - ma; sa += d * d; }
        sa = bsz > 1 ? Math.Sqrt(sa / (bsz - 1)) : 1;
        var lambda = Lambda;
        var logStdGrad = Policy.LogStd.Gradients;
        double klApprox = 0, klExact = 0, clipped = 0, loss = 0;
        for (var k = 0; k < bsz; k++)
        {
            var i = idx[k];
            var adv = _o.NormaliseAdvantages ? (b.Advantages[i] - ma) / (sa + 1e-8) : b.Advantages[i];
            if (_multiplier is not null)
            {
                var costAdv = _o.NormaliseAdvantages ? b.CostAdvantages[i] - mc : b.CostAdvantages[i];
                adv = (adv - lambda * costAdv) / (1 + lambda);
            }
            var mu = mean.Slice(k * m, m);
            var action = b.Actions.AsSpan(i * m, m);
            var logRatio = Policy.LogProbability(mu, action) - b.LogProbabilities[i];
            var ratio = Math.Exp(logRatio);
            klApprox += ratio - 1 - logRatio;
            var unclipped = ratio * adv;
            var clippedRatio = Math.Clamp(ratio, 1 - clip, 1 + clip);
            loss += -Math.Min(unclipped, clippedRatio * adv);
            var active = !((adv > 0 && ratio > 1 + clip) || (adv < 0 && ratio < 1 - clip));
            if (Math.Abs(ratio - 1) > clip) clipped++;
            var g = active ? -ratio * adv / bsz : 0.0;
            for (var j = 0; j < m; j++)
            {
                var logStd = Policy.ClampedLogStd(j);
                var std = Math.Exp(logStd);
                var z = (action[j] - mu[j]) / std;
                _dMean[k * m + j] = (float)(g * z / std);
                logStdGrad[j] += (float)(g * (z * z - 1));
                // KL(old ‖ new) of the two Gaussians, for the adaptive schedule.
                var oldStd = Math.Exp(b.OldLogStd[j]);
                var dm = b.Means[i * m + j] - mu[j];
                klExact += logStd - b.OldLogStd[j] + (oldStd * oldStd + dm * dm) / (2 * std * std) - 0.5;
            }
        }
        for (var j = 0; j < m; j++) logStdGrad[j] -= (float)_o.EntropyCoefficient;
        Policy.Actor.Backward(_actorMb, _dMean.AsSpan(0, bsz * m), bsz);
        return (klApprox / bsz, klExact / bsz, clipped / bsz, loss / bsz);
    }

    // Value loss c_v · ½ mean max((V − R)², (V_clip − R)²), V_clip = V_old + clip(V − V_old, ±ε) (CleanRL's clip_vloss).
    private double ValueGradients(Mlp critic, MlpWorkspace ws, ReadOnlySpan<int> idx, float[] returns, float[] oldValues)
    {
        int o = _task.ObservationSize, bsz = idx.Length;
        var obs = _mb.AsSpan(0, bsz * o);
        for (var k = 0; k < bsz; k++) _buffer.Observations.AsSpan(idx[k] * o, o).CopyTo(obs.Slice(k * o, o));
        var v = critic.Forward(ws, obs, bsz);
        double loss = 0;
        var clipValue = _o.ClipValueLoss && _o.Algorithm is not (OnPolicyAlgorithm.Reinforce or OnPolicyAlgorithm.A2c);
        for (var k = 0; k < bsz; k++)
        {
            var i = idx[k];
            double value = v[k], target = returns[i], error = value - target;
            var grad = error;
            if (clipValue)
            {
                var clipped = oldValues[i] + Math.Clamp(value - oldValues[i], -_o.ClipRange, _o.ClipRange);
                var clippedError = clipped - target;
                if (clippedError * clippedError > error * error)
                {
                    error = clippedError;
                    grad = Math.Abs(value - oldValues[i]) < _o.ClipRange ? clippedError : 0;
                }
            }
            loss += 0.5 * error * error;
            _dValue[k] = (float)(_o.ValueCoefficient * grad / bsz);
        }
        critic.Backward(ws, _dValue.AsSpan(0, bsz), bsz);
        return loss / bsz;
    }

    // ---- CPO ----------------------------------------------------------------------------------------------------------

    private IterationMetrics CpoIteration(double meanCost)
    {
        // Critics first (OmniSafe: several passes of minibatch regression), with their own Adam.
        var size = _buffer.Size;
        var mb = Math.Min(128, size);
        double valueSum = 0, costSum = 0;
        var batches = 0;
        for (var epoch = 0; epoch < _o.CriticEpochs; epoch++)
        {
            Shuffle();
            for (var start = 0; start + mb <= size; start += mb)
            {
                var idx = _order.AsSpan(start, mb);
                for (var k = 0; k < _adam.Sets.Count; k++) _adam.Sets[k].ZeroGradients();
                valueSum += ValueGradients(Policy.Critic, _criticMb, idx, _buffer.Returns, _buffer.Values);
                costSum += ValueGradients(Policy.CostCritic!, _costMb, idx, _buffer.CostReturns, _buffer.CostValues);
                ParameterSet.ClipGradientNorm(_adam.Sets, Math.Max(_o.MaxGradNorm, 40));
                _adam.Step();
                batches++;
            }
        }
        var result = _cpo!.Step(double.IsFinite(meanCost) ? meanCost - _costLimit : 0);
        var count = Math.Max(1, batches);
        return new IterationMetrics
        {
            Kl = result.Kl, PolicyLoss = -result.SurrogateImprovement, ValueLoss = valueSum / count, CostValueLoss = costSum / count,
            CpoCase = result.Case, CpoStep = result.AcceptedStep,
        };
    }
}
