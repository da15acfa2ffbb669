using System.Diagnostics;
using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Numerics;

namespace RlRobotics.Control.Planning;

/// <summary>Which sampling planner.</summary>
public enum SamplingMethod
{
    /// <summary>Random shooting: uniform samples in the control box (plus the warm start); keep the best.</summary>
    Random,
    /// <summary>Cross-entropy method: Gaussian samples around a mean, refit mean and deviation to the elites.</summary>
    Cem,
    /// <summary>Model-predictive path integral: perturb the nominal, average the perturbations weighted by exp(−S/λ).</summary>
    Mppi,
}

/// <summary>
/// Sampling-based trajectory optimisation on the same model and cost as iLQR, with no Jacobians, so it serves learned
/// models as they are. Each iteration draws <see cref="SamplingOptions.Samples"/> control sequences (noise drawn on the
/// calling thread from one seeded generator, so results do not depend on the thread count), rolls them out in parallel
/// over <see cref="RolloutWorkers"/>, and updates the nominal sequence:
/// <list type="bullet">
/// <item>CEM: μ ← α μ + (1 − α) mean(elites), σ ← α σ + (1 − α) std(elites); the plan is μ (not the best sample,
/// which over-fits the model);</item>
/// <item>MPPI: U ← U + Σᵢ wᵢ εᵢ / Σᵢ wᵢ with wᵢ = exp(−(Sᵢ − min S) / λ);</item>
/// <item>random shooting: the cheapest sequence seen, the warm start included.</item>
/// </list>
/// Angle errors are measured on the circle (the cost need not be smooth). Without <see cref="SamplingOptions.Feedback"/>
/// the plan has zero gains and the controller applies its controls as they are; with it, time-varying LQR gains are
/// computed along the plan (one Riccati pass on the model's Jacobians, as AutoRally's MPPI does), which holds an
/// unstable equilibrium far better between replans. Allocation-free after construction.
/// </summary>
public sealed class SamplingPlanner : IPlanner, IDisposable
{
    private readonly PlanningProblem _problem;
    private readonly TrajectoryCost _cost;
    private readonly SamplingMethod _method;
    private readonly int _n, _m, _steps, _samples, _length;
    private readonly double _dt;
    private readonly Trajectory _solution;
    private readonly double[] _x0, _candidates, _noise, _white, _costs, _sortKeys, _std, _mean, _halfRange, _center;
    private readonly int[] _order;
    private readonly IStepper[] _rk4;
    private readonly double[][] _xa, _xb;
    private readonly RolloutWorkers _workers;
    private readonly Random _random;
    private readonly GaussianSampler _gaussian;
    private readonly IlqrSolver? _feedback;
    private readonly IParticlePropagator? _propagator;
    private readonly int _particles;
    private readonly double[] _px = Array.Empty<double>(), _pnext = Array.Empty<double>(), _pu = Array.Empty<double>();

    public SamplingPlanner(PlanningProblem problem, SamplingMethod method, SamplingOptions? options = null)
    {
        Options = options ?? new SamplingOptions();
        Options.Validate();
        _problem = problem;
        _method = method;
        _cost = problem.Cost.Clone();
        _cost.WrapAngles = true;
        _n = problem.StateSize;
        _m = problem.ControlSize;
        _steps = problem.Steps;
        _dt = problem.Dt;
        _samples = Options.Samples;
        _length = _steps * _m;
        _solution = new Trajectory(_steps, _n, _m) { Dt = _dt };
        _x0 = new double[_n];
        _candidates = new double[_samples * _length];
        _noise = new double[_samples * _length];
        _white = new double[_samples * _length];
        _costs = new double[_samples];
        _sortKeys = new double[_samples];
        _order = new int[_samples];
        _std = new double[_length];
        _mean = new double[_length];
        _halfRange = new double[_m];
        _center = new double[_m];
        for (var j = 0; j < _m; j++)
        {
            var lo = problem.ControlMin[j];
            var hi = problem.ControlMax[j];
            // An unbounded control samples around u* with a unit scale.
            _halfRange[j] = double.IsFinite(hi - lo) ? 0.5 * (hi - lo) : 1.0;
            _center[j] = double.IsFinite(hi - lo) ? 0.5 * (hi + lo) : problem.Cost.ControlGoal[j];
        }
        // A particle model rolls every candidate out in one batched pass per step on the calling thread: no workers.
        var particleModel = problem.Model as IParticleDynamicsModel;
        var threads = particleModel is not null ? 1 : Options.Threads > 0 ? Options.Threads : Environment.ProcessorCount;
        _rk4 = new IStepper[threads];
        _xa = new double[threads][];
        _xb = new double[threads][];
        for (var w = 0; w < threads; w++) { _rk4[w] = Steppers.Create(problem.Model); _xa[w] = new double[_n]; _xb[w] = new double[_n]; }
        _workers = new RolloutWorkers(threads, EvaluateRange, $"rlr-{Name}");
        _random = new Random(Options.Seed);
        _gaussian = new GaussianSampler(_random);
        _feedback = Options.Feedback ? new IlqrSolver(problem, new IlqrOptions { AlignGoal = false }) : null;
        if (particleModel is not null)
        {
            // A learned ensemble: every candidate's particles move together, one batched network pass per step.
            _particles = Options.Particles;
            var rows = _samples * _particles;
            _propagator = particleModel.CreatePropagator(rows, Options.Propagation, Options.Seed + 1);
            _px = new double[rows * _n];
            _pnext = new double[rows * _n];
            _pu = new double[rows * _m];
        }
        Reset();
    }

    public string Name => _method switch { SamplingMethod.Cem => "cem", SamplingMethod.Mppi => "mppi", _ => "random" };
    public SamplingMethod Method => _method;
    public SamplingOptions Options { get; }
    public PlanningProblem Problem => _problem;
    public Trajectory Solution => _solution;

    /// <summary>Threads used for the rollouts, the caller included.</summary>
    public int Threads => _workers.Threads;

    public void Reset() => _problem.ResetToHoldingControl(_solution);

    public SolveStatus Solve(ReadOnlySpan<double> x0, int maxIterations)
    {
        var started = Stopwatch.GetTimestamp();
        x0.CopyTo(_x0);
        var nominal = _solution.U;
        nominal.AsSpan().CopyTo(_mean);
        for (var i = 0; i < _length; i++) _std[i] = Options.NoiseFraction * _halfRange[i % _m];
        var best = double.PositiveInfinity;
        var iterations = 0;
        var collapsed = false;
        while (iterations < Math.Max(1, maxIterations) && !collapsed)
        {
            iterations++;
            Sample();
            if (_propagator is not null) EvaluateParticles();
            else _workers.Run(_samples, Math.Max(8, _samples / (8 * _workers.Threads)));
            switch (_method)
            {
                case SamplingMethod.Cem:
                    collapsed = RefitToElites(); // the distribution has collapsed: more samples would repeat the mean
                    break;
                case SamplingMethod.Mppi:
                    ReweightPerturbations();
                    // Anneal the exploration so later iterations refine rather than re-perturb the nominal.
                    for (var i = 0; i < _length; i++) _std[i] *= Options.NoiseDecay;
                    break;
                default:
                    var (index, value) = Cheapest();
                    if (value < best) { best = value; _candidates.AsSpan(index * _length, _length).CopyTo(_mean); }
                    break;
            }
        }
        for (var pass = 0; pass < Options.SmoothingPasses; pass++) Smooth();
        _mean.AsSpan().CopyTo(nominal);
        var cost = RolloutNominal();
        _solution.Status = double.IsFinite(cost) ? SolveStatus.IterationLimit : SolveStatus.Diverged;
        if (_feedback is not null && double.IsFinite(cost)) _feedback.ComputeFeedback(_solution);
        _solution.Cost = cost;
        _solution.Iterations = iterations;
        _solution.SolveTime_s = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return _solution.Status;
    }

    // Candidate i = clamp(mean + σ ε_i) (random shooting: uniform in the box). Sample 0 is the mean itself, so the
    // warm start is always among the candidates.
    private void Sample()
    {
        _mean.AsSpan().CopyTo(_candidates.AsSpan(0, _length));
        _noise.AsSpan(0, _length).Clear();
        var beta = Options.NoiseCorrelation;
        var fresh = Math.Sqrt(1 - beta * beta);
        for (var s = 1; s < _samples; s++)
        {
            var offset = s * _length;
            for (var i = 0; i < _length; i++)
            {
                var j = i % _m;
                double u;
                if (_method == SamplingMethod.Random) u = _center[j] + _halfRange[j] * (2 * _random.NextDouble() - 1);
                else
                {
                    // Coloured noise: e_k = β e_{k−1} + √(1 − β²) η_k keeps each sample smooth in time (unit variance).
                    var e = _gaussian.Next();
                    if (beta > 0 && i >= _m) e = beta * _white[offset + i - _m] + fresh * e;
                    _white[offset + i] = e;
                    u = _mean[i] + _std[i] * e;
                }
                u = Math.Clamp(u, _problem.ControlMin[j], _problem.ControlMax[j]);
                _candidates[offset + i] = u;
                _noise[offset + i] = u - _mean[i]; // the perturbation actually applied, after clamping
            }
        }
    }

    // Rolls candidates [start, end) out from x0 and stores their costs (runs on the workers).
    private void EvaluateRange(int worker, int start, int end)
    {
        var rk4 = _rk4[worker];
        for (var s = start; s < end; s++) _costs[s] = Rollout(rk4, _xa[worker], _xb[worker], _candidates.AsSpan(s * _length, _length), null);
    }

    private double Rollout(IStepper rk4, double[] xa, double[] xb, ReadOnlySpan<double> controls, double[]? states)
    {
        int n = _n, m = _m;
        _x0.AsSpan().CopyTo(xa);
        double j = 0;
        for (var k = 0; k < _steps; k++)
        {
            var u = controls.Slice(k * m, m);
            if (states is not null) xa.AsSpan().CopyTo(states.AsSpan(k * n, n));
            j += _cost.Running(xa, u);
            rk4.Step(xa, u, _dt, xb);
            (xa, xb) = (xb, xa);
            for (var i = 0; i < n; i++) if (!(Math.Abs(xa[i]) < 1e8)) return double.PositiveInfinity;
        }
        if (states is not null) xa.AsSpan().CopyTo(states.AsSpan(_steps * n, n));
        return j + _cost.Terminal(xa);
    }

    // Batched rollouts on a particle model: row r = candidate r / P. The cost of a candidate is its particles' mean;
    // a particle that leaves the finite range makes its candidate infinitely expensive.
    private void EvaluateParticles()
    {
        int n = _n, m = _m, rows = _samples * _particles;
        var propagator = _propagator!;
        for (var r = 0; r < rows; r++) _x0.AsSpan().CopyTo(_px.AsSpan(r * n, n));
        Array.Clear(_costs);
        propagator.BeginRollouts(rows);
        var x = _px;
        var next = _pnext;
        for (var k = 0; k < _steps; k++)
        {
            for (var s = 0; s < _samples; s++)
            {
                var u = _candidates.AsSpan(s * _length + k * m, m);
                double sum = 0;
                for (var p = 0; p < _particles; p++)
                {
                    var r = s * _particles + p;
                    u.CopyTo(_pu.AsSpan(r * m, m));
                    sum += _cost.Running(x.AsSpan(r * n, n), u);
                }
                _costs[s] += sum / _particles;
            }
            propagator.Step(x, _pu, rows, next);
            (x, next) = (next, x);
            for (var i = 0; i < rows * n; i++)
                if (!(Math.Abs(x[i]) < 1e8)) { _costs[i / (n * _particles)] = double.PositiveInfinity; x[i] = 0; }
        }
        for (var s = 0; s < _samples; s++)
        {
            double sum = 0;
            for (var p = 0; p < _particles; p++) sum += _cost.Terminal(x.AsSpan((s * _particles + p) * n, n));
            _costs[s] += sum / _particles;
        }
    }

    private double RolloutNominal() => Rollout(_rk4[0], _xa[0], _xb[0], _solution.U, _solution.X);

    // CEM refit. Returns true once every deviation is negligible.
    private bool RefitToElites()
    {
        var elites = Options.Elites;
        SortByCost();
        var alpha = Options.Alpha;
        var collapsed = true;
        for (var i = 0; i < _length; i++)
        {
            double sum = 0, sumSq = 0;
            for (var e = 0; e < elites; e++) { var v = _candidates[_order[e] * _length + i]; sum += v; sumSq += v * v; }
            var mean = sum / elites;
            var std = Math.Sqrt(Math.Max(0, sumSq / elites - mean * mean));
            _mean[i] = alpha * _mean[i] + (1 - alpha) * mean;
            _std[i] = alpha * _std[i] + (1 - alpha) * std;
            if (_std[i] > Options.MinNoiseFraction * _halfRange[i % _m]) collapsed = false;
        }
        return collapsed;
    }

    // MPPI: U ← U + Σ w_i ε_i / Σ w_i, w_i = exp(−(S_i − S_min)/λ).
    private void ReweightPerturbations()
    {
        var min = double.PositiveInfinity;
        foreach (var c in _costs) if (c < min) min = c;
        if (!double.IsFinite(min)) return;
        var lambda = Options.Temperature;
        double total = 0;
        for (var s = 0; s < _samples; s++)
        {
            var w = double.IsFinite(_costs[s]) ? Math.Exp(-(_costs[s] - min) / lambda) : 0;
            _sortKeys[s] = w;
            total += w;
        }
        for (var i = 0; i < _length; i++)
        {
            double step = 0;
            for (var s = 1; s < _samples; s++) step += _sortKeys[s] * _noise[s * _length + i];
            _mean[i] = Math.Clamp(_mean[i] + step / total, _problem.ControlMin[i % _m], _problem.ControlMax[i % _m]);
        }
    }

    // One pass of the [¼ ½ ¼] filter along time (ends kept), in place, to take sampling jitter out of the plan.
    private void Smooth()
    {
        for (var j = 0; j < _m; j++)
        {
            var previous = _mean[j];
            for (var k = 1; k < _steps - 1; k++)
            {
                var i = k * _m + j;
                var current = _mean[i];
                _mean[i] = 0.25 * previous + 0.5 * current + 0.25 * _mean[i + _m];
                previous = current;
            }
        }
    }

    private (int Index, double Cost) Cheapest()
    {
        var index = 0;
        for (var s = 1; s < _samples; s++) if (_costs[s] < _costs[index]) index = s;
        return (index, _costs[index]);
    }

    private void SortByCost()
    {
        for (var s = 0; s < _samples; s++) { _order[s] = s; _sortKeys[s] = double.IsNaN(_costs[s]) ? double.PositiveInfinity : _costs[s]; }
        Array.Sort(_sortKeys, _order);
    }


    public void Dispose() => _workers.Dispose();
}
