using RlRobotics.Learning.Compute;
using RlRobotics.Learning.Nn;

namespace RlRobotics.Learning.Rl;

/// <summary>
/// A diagonal Gaussian policy with a state-independent log σ, a value critic and, for constrained algorithms, a cost
/// critic — separate MLPs, as CleanRL builds them. Actions live in normalised units (±1 is the actuator's range), so one
/// σ means the same on any robot. Orthogonal initialisation: √2 on hidden layers, 0.01 on the policy output, 1 on the
/// critics' outputs; biases 0.
/// </summary>
public sealed class ActorCritic
{
    private const double HalfLog2Pi = 0.91893853320467274178;

    public ActorCritic(int observationSize, int actionSize, OnPolicyOptions options, bool costCritic, IBlas? blas = null)
    {
        ObservationSize = observationSize;
        ActionSize = actionSize;
        var hidden = options.Hidden;
        Actor = new Mlp(new MlpShape(1, new[] { observationSize }.Concat(hidden).Append(actionSize).ToArray(), options.Activation), blas);
        Critic = new Mlp(new MlpShape(1, new[] { observationSize }.Concat(hidden).Append(1).ToArray(), options.Activation), blas);
        CostCritic = costCritic ? new Mlp(Critic.Shape, blas) : null;
        LogStd = new ParameterSet(new[] { ("log_std", new[] { actionSize }) });
        var random = new Random(options.Seed);
        Actor.InitialiseOrthogonal(random, outputGain: 0.01);
        Critic.InitialiseOrthogonal(random, outputGain: 1.0);
        CostCritic?.InitialiseOrthogonal(random, outputGain: 1.0);
        LogStd.Values.AsSpan().Fill((float)options.InitialLogStd);
        Observations = new Normaliser(observationSize, minStd: 1e-4);
        AllSets = CostCritic is null
            ? new[] { Actor.Parameters, LogStd, Critic.Parameters }
            : new[] { Actor.Parameters, LogStd, Critic.Parameters, CostCritic.Parameters };
    }

    public int ObservationSize { get; }
    public int ActionSize { get; }
    /// <summary>Normalised observation → action mean (normalised units).</summary>
    public Mlp Actor { get; }
    /// <summary>log σ per action dimension.</summary>
    public ParameterSet LogStd { get; }
    /// <summary>Normalised observation → expected discounted (scaled) reward.</summary>
    public Mlp Critic { get; }
    /// <summary>Normalised observation → expected discounted cost; null for unconstrained algorithms.</summary>
    public Mlp? CostCritic { get; }
    /// <summary>Running observation statistics (updated during collection, frozen in the exported policy).</summary>
    public Normaliser Observations { get; }

    /// <summary>Every trainable set: actor weights, log σ, critic, then the cost critic when there is one.</summary>
    public IReadOnlyList<ParameterSet> AllSets { get; }

    /// <summary>σ_j, with log σ clamped to [−20, 2] so a diverging optimiser cannot produce a zero, negative or NaN σ.</summary>
    public double Std(int j) => Math.Exp(ClampedLogStd(j));

    public double ClampedLogStd(int j)
    {
        var v = LogStd.Values[j];
        return float.IsFinite(v) ? Math.Clamp(v, -20.0, 2.0) : 0.0;
    }

    /// <summary>log π(a | s) = Σ_j −½ ((a_j − μ_j)/σ_j)² − log σ_j − ½ log 2π.</summary>
    public double LogProbability(ReadOnlySpan<float> mean, ReadOnlySpan<float> action)
    {
        double sum = 0;
        for (var j = 0; j < ActionSize; j++)
        {
            var logStd = ClampedLogStd(j);
            var z = (action[j] - mean[j]) / Math.Exp(logStd);
            sum += -0.5 * z * z - logStd - HalfLog2Pi;
        }
        return sum;
    }

    /// <summary>Entropy of the Gaussian, Σ_j log σ_j + ½(1 + log 2π) (state-independent).</summary>
    public double Entropy()
    {
        double sum = 0;
        for (var j = 0; j < ActionSize; j++) sum += ClampedLogStd(j) + 0.5 + HalfLog2Pi;
        return sum;
    }

    /// <summary>Normalises (and clips) raw observations into <paramref name="normalised"/>.</summary>
    public void Normalise(ReadOnlySpan<float> raw, Span<float> normalised, double clip)
    {
        Observations.Apply(raw, normalised);
        var c = (float)clip;
        for (var i = 0; i < normalised.Length; i++) normalised[i] = Math.Clamp(normalised[i], -c, c);
    }
}
