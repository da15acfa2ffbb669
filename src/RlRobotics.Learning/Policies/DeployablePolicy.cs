using System.Globalization;
using System.Text.Json;
using RlRobotics.Core.Expressions;
using RlRobotics.Learning.Checkpoints;
using RlRobotics.Learning.Compute;
using RlRobotics.Learning.Nn;
using RlRobotics.Learning.Rl;

namespace RlRobotics.Learning.Policies;

/// <summary>
/// A trained policy as one self-describing artefact (<c>.rlpolicy</c>, checkpoint kind <c>rlr-policy</c>): the actor's
/// weights, the frozen observation normaliser and clip, the observation expressions over named state interfaces, the
/// action names and their physical bounds, and the policy step. It acts with the deterministic mean:
/// obs = clip((f(x) − μ)/σ, ±c), a = clip(MLP(obs), ±1) mapped onto [low, high] — the post-processing ships with the
/// weights, so nothing is left for the deploying side to get wrong. <see cref="Act"/> allocates nothing.
/// </summary>
public sealed class DeployablePolicy
{
    public const string CheckpointKind = "rlr-policy";
    private readonly MlpWorkspace _ws;
    private readonly float[] _obs, _out;

    private DeployablePolicy(Mlp actor, Normaliser observations, double clip, string[] observationText, IReadOnlyList<Expression> observation,
        string[] stateNames, string[] actionNames, double[] low, double[] high, double dt_s, Dictionary<string, string> info)
    {
        Actor = actor;
        ObservationStats = observations;
        ObservationClip = clip;
        ObservationText = observationText;
        Observation = observation;
        StateNames = stateNames;
        ActionNames = actionNames;
        ActionLow = low;
        ActionHigh = high;
        Dt_s = dt_s;
        Info = info;
        _ws = actor.CreateWorkspace(1);
        _obs = new float[observation.Count];
        _out = new float[actionNames.Length];
    }

    public Mlp Actor { get; }
    public Normaliser ObservationStats { get; }
    public double ObservationClip { get; }
    public IReadOnlyList<string> ObservationText { get; }
    /// <summary>Observation terms compiled against <see cref="StateNames"/> (source 0 = the state).</summary>
    public IReadOnlyList<Expression> Observation { get; }
    /// <summary>The state the observation expressions read, in the order <see cref="Act"/> expects it.</summary>
    public IReadOnlyList<string> StateNames { get; }
    /// <summary>Command interfaces written, physical units.</summary>
    public IReadOnlyList<string> ActionNames { get; }
    public IReadOnlyList<double> ActionLow { get; }
    public IReadOnlyList<double> ActionHigh { get; }
    /// <summary>The step the policy was trained at, s: hold each action this long.</summary>
    public double Dt_s { get; }
    /// <summary>Provenance: algorithm, robot, steps, seed, final return.</summary>
    public IReadOnlyDictionary<string, string> Info { get; }

    /// <summary>The deterministic action for state <paramref name="x"/> (ordered as <see cref="StateNames"/>), physical units.</summary>
    public void Act(ReadOnlySpan<double> x, Span<double> action)
    {
        for (var k = 0; k < _obs.Length; k++) _obs[k] = (float)Observation[k].Evaluate(x);
        ObservationStats.Apply(_obs, _obs);
        var c = (float)ObservationClip;
        for (var k = 0; k < _obs.Length; k++) _obs[k] = float.IsNaN(_obs[k]) ? 0 : Math.Clamp(_obs[k], -c, c);
        Actor.ForwardOne(_ws, 0, _obs, _out);
        for (var j = 0; j < _out.Length; j++)
        {
            var a = float.IsFinite(_out[j]) ? Math.Clamp(_out[j], -1f, 1f) : 0f;
            action[j] = ActionLow[j] + (a + 1) * 0.5 * (ActionHigh[j] - ActionLow[j]);
        }
    }

    /// <summary>Snapshot of a trainer's current policy (its normaliser frozen).</summary>
    public static DeployablePolicy From(OnPolicyTrainer trainer, IReadOnlyDictionary<string, string>? info = null) =>
        FromCheckpoint(ToCheckpoint(trainer, info));

    /// <summary>The artefact of a trainer's current policy.</summary>
    public static Checkpoint ToCheckpoint(OnPolicyTrainer trainer, IReadOnlyDictionary<string, string>? info = null)
    {
        var task = trainer.Env.Task;
        var policy = trainer.Policy;
        var c = new Checkpoint(CheckpointKind);
        var inv = CultureInfo.InvariantCulture;
        c.Metadata["observation"] = JsonSerializer.Serialize(task.Observation.Select(e => e.Text).ToArray());
        c.Metadata["state_names"] = JsonSerializer.Serialize(task.StateNames);
        c.Metadata["action_names"] = JsonSerializer.Serialize(task.ActionNames);
        c.Metadata["dt_s"] = task.Dt_s.ToString("R", inv);
        c.Metadata["observation_clip"] = trainer.Options.ObservationClip.ToString("R", inv);
        c.Metadata["hidden"] = string.Join(",", policy.Actor.Shape.Sizes[1..^1]);
        c.Metadata["activation"] = policy.Actor.Shape.Hidden.ToString().ToLowerInvariant();
        c.Metadata["algorithm"] = trainer.Options.Algorithm.ToString();
        foreach (var (k, v) in info ?? new Dictionary<string, string>()) c.Metadata["info." + k] = v;
        foreach (var t in policy.Actor.Parameters.Tensors) c.Add("actor." + t.Name, t.Shape, policy.Actor.Parameters.Value(t));
        c.Add("log_std", new[] { task.ActionSize }, policy.LogStd.Values);
        c.Add("observation.mean", new[] { task.ObservationSize }, policy.Observations.Mean);
        c.Add("observation.std", new[] { task.ObservationSize }, policy.Observations.Std);
        c.Add("action.low", new[] { task.ActionSize }, task.ActionLow.Select(v => (float)v).ToArray());
        c.Add("action.high", new[] { task.ActionSize }, task.ActionHigh.Select(v => (float)v).ToArray());
        return c;
    }

    /// <summary>Reads an artefact; <see cref="CheckpointException"/> says what is wrong with a bad one.</summary>
    public static DeployablePolicy Load(string path, IBlas? blas = null) => FromCheckpoint(Checkpoint.Load(path), blas);

    public static DeployablePolicy FromCheckpoint(Checkpoint c, IBlas? blas = null)
    {
        if (c.Kind != CheckpointKind) throw new CheckpointException($"holds a '{c.Kind}', not a policy ('{CheckpointKind}')");
        string[] Json(string key)
        {
            try { return JsonSerializer.Deserialize<string[]>(c.Meta(key)) ?? throw new CheckpointException($"metadata '{key}' is empty"); }
            catch (JsonException) { throw new CheckpointException($"metadata '{key}' is not a JSON list of names"); }
        }
        var observationText = Json("observation");
        var states = Json("state_names");
        var actions = Json("action_names");
        if (!Activations.TryParse(c.Meta("activation"), out var act)) throw new CheckpointException($"unknown activation '{c.Meta("activation")}'");
        int[] hidden;
        try { hidden = c.Meta("hidden").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(h => int.Parse(h, CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new CheckpointException("metadata 'hidden' is not a list of whole numbers"); }
        if (observationText.Length == 0 || actions.Length == 0 || hidden.Any(h => h < 1)) throw new CheckpointException("the policy has no observation, no action or a bad layer width");
        var observation = new List<Expression>();
        foreach (var text in observationText)
        {
            try
            {
                observation.Add(Expression.Compile(text, Envs.EnvTaskReader.StateNames(states), states));
            }
            catch (ExpressionException e) { throw new CheckpointException($"observation term '{text}' does not compile: {e.Message}"); }
        }
        var actor = new Mlp(new MlpShape(1, new[] { observation.Count }.Concat(hidden).Append(actions.Length).ToArray(), act), blas);
        foreach (var t in actor.Parameters.Tensors) c.Tensor("actor." + t.Name, t.Shape).Data.CopyTo(actor.Parameters.Value(t));
        var stats = new Normaliser(observation.Count, minStd: 1e-4);
        stats.Set(c.Tensor("observation.mean", observation.Count).Data, c.Tensor("observation.std", observation.Count).Data);
        var low = c.Tensor("action.low", actions.Length).Data.Select(v => (double)v).ToArray();
        var high = c.Tensor("action.high", actions.Length).Data.Select(v => (double)v).ToArray();
        for (var j = 0; j < actions.Length; j++)
            if (!(low[j] < high[j]) || !double.IsFinite(low[j]) || !double.IsFinite(high[j])) throw new CheckpointException($"action '{actions[j]}' has bounds [{low[j]}, {high[j]}]");
        if (c.Tensors.Any(t => t.Data.Any(v => !float.IsFinite(v)))) throw new CheckpointException("the policy holds non-finite weights or statistics");
        var dt = c.MetaDouble("dt_s");
        var clip = c.MetaDouble("observation_clip");
        if (!(dt > 0) || !(clip > 0)) throw new CheckpointException("the policy step and observation clip must be above 0");
        var info = c.Metadata.Where(kv => kv.Key.StartsWith("info.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[5..], kv => kv.Value);
        info["algorithm"] = c.Metadata.GetValueOrDefault("algorithm", "?");
        return new DeployablePolicy(actor, stats, clip, observationText, observation, states, actions, low, high, dt, info);
    }
}
