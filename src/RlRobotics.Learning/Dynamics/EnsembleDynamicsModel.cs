using System.Globalization;
using RlRobotics.Core.Dynamics;
using RlRobotics.Learning.Checkpoints;
using RlRobotics.Learning.Compute;
using RlRobotics.Learning.Nn;

namespace RlRobotics.Learning.Dynamics;

/// <summary>
/// Probabilistic ensemble dynamics (PETS, Chua et al. 2018): E bootstrapped MLPs each predict the state change over one
/// step as a Gaussian, Δ ~ N(μ_e(x, u), diag e^{ℓ_e(x, u)}), in normalised units. Inputs are the state with every angle
/// replaced by (sin, cos), then the controls, normalised; targets are Δ = x⁺ − x (angles wrapped), normalised.
/// <para>As an <see cref="IDynamicsModel"/> it is the ensemble-mean model x⁺ = x + mean_e μ_e with exact Jacobians by
/// backpropagation through the networks, so iLQR runs on it unchanged; as an <see cref="IParticleDynamicsModel"/> it
/// propagates particles in batches (TS-1, TS-∞ or mean) for CEM and MPPI.</para>
/// The weights are read-only while planners use it; the learner trains a copy or between episodes.
/// </summary>
public sealed class EnsembleDynamicsModel : IParticleDynamicsModel
{
    public const string CheckpointKind = "pets-ensemble";
    private readonly bool[] _periodic;

    public EnsembleDynamicsModel(IReadOnlyList<string> stateNames, IReadOnlyList<string> controlNames, IReadOnlyList<bool> periodic,
        EnsembleOptions options, IBlas? blas = null, int seed = 0)
    {
        options.Validate();
        if (periodic.Count != stateNames.Count) throw new ArgumentException("one periodic flag per state");
        Options = options;
        StateNames = stateNames.ToArray();
        ControlNames = controlNames.ToArray();
        _periodic = periodic.ToArray();
        StateSize = StateNames.Count;
        ControlSize = ControlNames.Count;
        FeatureSize = _periodic.Count(p => p) * 2 + _periodic.Count(p => !p) + ControlSize;
        var sizes = new[] { FeatureSize }.Concat(options.Hidden).Append(2 * StateSize).ToArray();
        Net = new Mlp(new MlpShape(options.Members, sizes, options.Activation), blas);
        Net.InitialiseTruncatedNormal(new Random(seed));
        Bounds = new ParameterSet(new[] { ("max_logvar", new[] { StateSize }), ("min_logvar", new[] { StateSize }) });
        Bounds.Value(Bounds["max_logvar"]).Fill(options.MaxLogVar);
        Bounds.Value(Bounds["min_logvar"]).Fill(options.MinLogVar);
        InputNormaliser = new Normaliser(FeatureSize);
        TargetNormaliser = new Normaliser(StateSize);
    }

    public EnsembleOptions Options { get; }
    public int StateSize { get; }
    public int ControlSize { get; }
    public IReadOnlyList<string> StateNames { get; }
    public IReadOnlyList<string> ControlNames { get; }
    public double Dt_s => Options.Dt_s;
    public int Members => Options.Members;

    /// <summary>Network inputs: state features (an angle gives sin and cos) and controls.</summary>
    public int FeatureSize { get; }

    /// <summary>The ensemble network: [E, features] → [E, 2n] (μ then raw log-variance), normalised units.</summary>
    public Mlp Net { get; }

    /// <summary>Learnable log-variance bounds ℓ_max, ℓ_min, one per state dimension.</summary>
    public ParameterSet Bounds { get; }

    public Normaliser InputNormaliser { get; }
    public Normaliser TargetNormaliser { get; }

    /// <summary>Times the model was fitted (0: untrained, its predictions are noise).</summary>
    public int Fits { get; internal set; }

    public bool IsPeriodic(int i) => _periodic[i];

    internal ReadOnlySpan<float> MaxLogVar => Bounds.Values.AsSpan(0, StateSize);
    internal ReadOnlySpan<float> MinLogVar => Bounds.Values.AsSpan(StateSize, StateSize);

    /// <summary>Raw (unnormalised) features of (x, u).</summary>
    public void Features(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<float> features)
    {
        var f = 0;
        for (var i = 0; i < StateSize; i++)
        {
            if (_periodic[i])
            {
                var (sin, cos) = Math.SinCos(x[i]);
                features[f++] = (float)sin;
                features[f++] = (float)cos;
            }
            else features[f++] = (float)x[i];
        }
        for (var j = 0; j < ControlSize; j++) features[f++] = (float)u[j];
    }

    /// <summary>Normalised features (the network's input) of (x, u).</summary>
    public void NormalisedFeatures(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<float> features)
    {
        Features(x, u, features);
        InputNormaliser.Apply(features[..FeatureSize], features[..FeatureSize]);
    }

    /// <summary>The training target of a transition: Δ = x⁺ − x with angle differences wrapped to [−π, π).</summary>
    public void Target(ReadOnlySpan<double> x, ReadOnlySpan<double> next, Span<float> target)
    {
        for (var i = 0; i < StateSize; i++) target[i] = (float)Angles.Difference(next[i], x[i], _periodic[i]);
    }

    /// <summary>∂feature/∂x (features × n) and ∂feature/∂u (features × m) of the raw features, divided by the input σ.</summary>
    internal void FeatureJacobian(ReadOnlySpan<double> x, Span<double> dfdx, Span<double> dfdu)
    {
        dfdx.Clear();
        dfdu.Clear();
        var f = 0;
        var std = InputNormaliser.Std;
        for (var i = 0; i < StateSize; i++)
        {
            if (_periodic[i])
            {
                var (sin, cos) = Math.SinCos(x[i]);
                dfdx[f * StateSize + i] = cos / std[f]; f++;
                dfdx[f * StateSize + i] = -sin / std[f]; f++;
            }
            else { dfdx[f * StateSize + i] = 1.0 / std[f]; f++; }
        }
        for (var j = 0; j < ControlSize; j++) { dfdu[f * ControlSize + j] = 1.0 / std[f]; f++; }
    }

    public void Derivative(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> xdot)
    {
        // Forward-Euler reading of the discrete model: ẋ ≈ (x⁺ − x)/dt. Planners use the stepper instead; this view
        // serves one-off users (equilibrium search, LQR linearisation), so one shared stepper behind a lock will do.
        Span<double> next = stackalloc double[StateSize];
        lock (_continuousGate)
        {
            _continuous ??= new EnsembleStepper(this);
            _continuous.Step(x, u, Dt_s, next);
        }
        for (var i = 0; i < StateSize; i++) xdot[i] = (next[i] - x[i]) / Dt_s;
    }

    public void Jacobians(ReadOnlySpan<double> x, ReadOnlySpan<double> u, Span<double> a, Span<double> b)
    {
        Span<double> next = stackalloc double[StateSize];
        lock (_continuousGate)
        {
            _continuous ??= new EnsembleStepper(this);
            _continuous.StepWithJacobians(x, u, Dt_s, next, a, b);
        }
        for (var i = 0; i < StateSize; i++) a[i * StateSize + i] -= 1;
        for (var i = 0; i < a.Length; i++) a[i] /= Dt_s;
        for (var i = 0; i < b.Length; i++) b[i] /= Dt_s;
    }

    private readonly object _continuousGate = new();
    private EnsembleStepper? _continuous;

    public IStepper CreateStepper() => new EnsembleStepper(this);

    public IParticlePropagator CreatePropagator(int maxRows, ParticlePropagation mode, int seed) => new EnsemblePropagator(this, maxRows, mode, seed);

    /// <summary>The model as a checkpoint: shapes and settings in the metadata, weights, bounds and normalisers as tensors.</summary>
    public Checkpoint ToCheckpoint()
    {
        var c = new Checkpoint(CheckpointKind);
        var inv = CultureInfo.InvariantCulture;
        c.Metadata["state_names"] = string.Join(",", StateNames);
        c.Metadata["control_names"] = string.Join(",", ControlNames);
        c.Metadata["periodic"] = string.Join(",", _periodic.Select(p => p ? "1" : "0"));
        c.Metadata["dt_s"] = Dt_s.ToString("R", inv);
        c.Metadata["members"] = Members.ToString(inv);
        c.Metadata["hidden"] = string.Join(",", Options.Hidden);
        c.Metadata["activation"] = Options.Activation.ToString().ToLowerInvariant();
        c.Metadata["fits"] = Fits.ToString(inv);
        foreach (var t in Net.Parameters.Tensors) c.Add("net." + t.Name, t.Shape, Net.Parameters.Value(t));
        foreach (var t in Bounds.Tensors) c.Add(t.Name, t.Shape, Bounds.Value(t));
        c.Add("input.mean", new[] { FeatureSize }, InputNormaliser.Mean);
        c.Add("input.std", new[] { FeatureSize }, InputNormaliser.Std);
        c.Add("target.mean", new[] { StateSize }, TargetNormaliser.Mean);
        c.Add("target.std", new[] { StateSize }, TargetNormaliser.Std);
        return c;
    }

    /// <summary>Rebuilds a model from a checkpoint; <see cref="CheckpointException"/> when it is not a PETS ensemble or a shape disagrees.</summary>
    public static EnsembleDynamicsModel FromCheckpoint(Checkpoint c, IBlas? blas = null)
    {
        if (c.Kind != CheckpointKind) throw new CheckpointException($"holds a '{c.Kind}', not a dynamics ensemble ('{CheckpointKind}')");
        var inv = CultureInfo.InvariantCulture;
        static string[] List(string s) => s.Length == 0 ? Array.Empty<string>() : s.Split(',');
        var states = List(c.Meta("state_names"));
        var controls = List(c.Meta("control_names"));
        var periodic = List(c.Meta("periodic")).Select(p => p == "1").ToArray();
        if (!Activations.TryParse(c.Meta("activation"), out var act)) throw new CheckpointException($"unknown activation '{c.Meta("activation")}'");
        int[] hidden;
        int members, fits;
        try
        {
            hidden = List(c.Meta("hidden")).Select(h => int.Parse(h, inv)).ToArray();
            members = int.Parse(c.Meta("members"), inv);
            fits = int.Parse(c.Meta("fits"), inv);
        }
        catch (FormatException) { throw new CheckpointException("metadata 'hidden', 'members' or 'fits' is not a whole number"); }
        EnsembleDynamicsModel model;
        try
        {
            model = new EnsembleDynamicsModel(states, controls, periodic,
                new EnsembleOptions { Members = members, Hidden = hidden, Activation = act, Dt_s = c.MetaDouble("dt_s") }, blas);
        }
        catch (ArgumentException e) { throw new CheckpointException($"inconsistent model settings: {e.Message}"); }
        foreach (var t in model.Net.Parameters.Tensors) c.Tensor("net." + t.Name, t.Shape).Data.CopyTo(model.Net.Parameters.Value(t));
        foreach (var t in model.Bounds.Tensors) c.Tensor(t.Name, t.Shape).Data.CopyTo(model.Bounds.Value(t));
        model.InputNormaliser.Set(c.Tensor("input.mean", model.FeatureSize).Data, c.Tensor("input.std", model.FeatureSize).Data);
        model.TargetNormaliser.Set(c.Tensor("target.mean", model.StateSize).Data, c.Tensor("target.std", model.StateSize).Data);
        model.Fits = fits;
        return model;
    }

    public void Save(string path) => ToCheckpoint().Save(path);

    public static EnsembleDynamicsModel Load(string path, IBlas? blas = null) => FromCheckpoint(Checkpoint.Load(path), blas);
}
