using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Expressions;
using RlRobotics.Core.Spec;

namespace RlRobotics.Learning.Envs;

/// <summary>
/// Reads a robot file's learning task (<c>task.observation</c>, <c>reward</c>, <c>cost</c>, <c>cost_limit</c>,
/// <c>terminate</c>, <c>episode</c>, <c>shield</c>) against the robot's model, compiling every expression and reporting
/// each problem with its line. Names are the model's state interfaces (<c>cart/position</c>) and command interfaces
/// (<c>cart/effort</c>, the action applied); <c>next(name)</c> reads the state after the step.
/// </summary>
public static class EnvTaskReader
{
    private static readonly string[] Modifiers = { "next" };

    /// <summary>True when the robot file declares a learning task (a reward).</summary>
    public static bool Declares(RobotSpec robot) => robot.Task?.Node is { } node && node.Has("reward");

    /// <summary>Reads the task; throws <see cref="SpecException"/> with located errors (also when there is none).</summary>
    public static EnvTask Read(RobotSpec robot, IDynamicsModel model) => Read(robot, model, throwOnError: true)!;

    /// <summary>
    /// Checks the task, recording its errors in the robot file's diagnostics without throwing, so they are reported
    /// together with every other section's; null when it has errors.
    /// </summary>
    public static EnvTask? Check(RobotSpec robot, IDynamicsModel model) => Read(robot, model, throwOnError: false);

    private static EnvTask? Read(RobotSpec robot, IDynamicsModel model, bool throwOnError)
    {
        var node = robot.Task?.Node;
        if (node is null || !node.Has("reward"))
            throw new SpecException(new SpecError(robot.SourcePath, 0, 0, "task.reward",
                "this robot file declares no learning task: add task.observation, task.reward and task.episode"));
        var diagnostics = node.Diagnostics;
        var states = model.StateNames;
        var controls = model.ControlNames;
        var known = states.Concat(controls).ToArray();
        var stepNames = StepNames(states, controls);
        var stateNames = StateNames(states);

        Expression? Compile(ConfigNode at, SymbolResolver resolver, string what)
        {
            var text = at.AsString();
            if (text is null) return null;
            try { return Expression.Compile(text, resolver, known, ReferenceEquals(resolver, stepNames) ? Modifiers : null); }
            catch (ExpressionException ex)
            {
                at.Error($"{what}: {ex.Message}");
                return null;
            }
        }

        var observation = new List<Expression>();
        var obsNode = node["observation"];
        if (obsNode.IsMissing) obsNode.Error("missing; expected a list of expressions over the state, e.g. [cos(pole/position), pole/velocity]");
        foreach (var item in obsNode.Items()) if (Compile(item, stateNames, "observation (state names only)") is { } e) observation.Add(e);
        var reward = Compile(node["reward"], stepNames, "reward");
        var cost = node.Has("cost") ? Compile(node["cost"], stepNames, "cost") : null;
        var terminate = node.Has("terminate") ? Compile(node["terminate"], stepNames, "terminate") : null;
        var costLimit = node.Has("cost_limit") ? node.Double("cost_limit", v => v >= 0, "a limit of at least 0 on the mean episode cost") : double.NaN;
        if (!double.IsNaN(costLimit) && cost is null && !node.Has("cost")) node["cost_limit"].Error("a cost limit needs task.cost");

        var episode = node["episode"];
        episode.ExpectMapping();
        var steps = episode.Int("steps", 200, 1, 10_000_000);
        var dt = episode.Double("dt", 0.02, v => v > 0 && v <= 10, "a step from 0 to 10 s");
        var integrator = episode.Enum<Integrator>("integrator", Integrator.Rk4);
        var substeps = episode.Int("substeps", 1, 1, 10_000);
        var clipVelocity = episode.Bool("clip_velocity", false);
        var n = states.Count;
        var (low, high) = ReadInitial(episode["initial_state"], n);
        episode.RejectUnknownKeys();

        var clip = Enumerable.Repeat(double.PositiveInfinity, n).ToArray();
        if (clipVelocity)
        {
            for (var i = 0; i < n; i++)
            {
                var (joint, kind) = Split(states[i]);
                if (kind == "velocity" && robot.Joint(joint)?.Limits.Velocity is { } v && double.IsFinite(v)) clip[i] = v;
            }
        }
        var actionLow = new double[controls.Count];
        var actionHigh = new double[controls.Count];
        for (var j = 0; j < controls.Count; j++)
        {
            var (joint, _) = Split(controls[j]);
            var limit = robot.Joint(joint)?.Limits.Effort;
            if (limit is not { } e || !double.IsFinite(e) || e <= 0)
            {
                node.Error($"the action '{controls[j]}' needs an effort limit on joint '{joint}' (joints[].limits.effort) to scale the policy's output");
                continue;
            }
            (actionLow[j], actionHigh[j]) = (-e, e);
        }

        var constraints = new List<HardConstraint>();
        var shield = node["shield"];
        shield.ExpectMapping(optional: true);
        var decay = shield.Double("decay", 0.2, v => v > 0 && v <= 1, "a decay in (0, 1]");
        foreach (var c in shield["constraints"].Items())
        {
            if (!c.ExpectMapping()) continue;
            if (c.Has("barrier"))
            {
                var barrier = Compile(c["barrier"], stateNames, "barrier");
                var violation = c.Has("violation") ? Compile(c["violation"], stateNames, "violation") : null;
                if (barrier is not null) constraints.Add(new HardConstraint(barrier.Text, violation ?? Negate(barrier, stateNames), barrier));
            }
            else
            {
                var state = c.String("state");
                var i = IndexOf(states, state);
                if (i < 0) { c["state"].Error($"unknown state '{state}'; expected one of: {string.Join(", ", states)}"); continue; }
                var min = c.NullableDouble("min");
                var max = c.NullableDouble("max");
                var brake = c.NullableDouble("brake", v => v > 0, "a deceleration above 0 (units/s²)");
                if (min is null && max is null) c.Error("expected min, max or both");
                if (min is { } lo && max is { } hi && lo >= hi) c.Error($"min {lo} must be below max {hi}");
                var (joint, kind) = Split(state);
                var rate = $"{joint}/velocity";
                if (brake is not null && (kind != "position" || IndexOf(states, rate) < 0)) c["brake"].Error($"braking needs a position with a velocity state ({rate})");
                foreach (var (bound, sign) in new[] { (max, 1.0), (min, -1.0) })
                {
                    if (bound is not { } b) continue;
                    // Distance to the bound left after braking at 'brake': h = ±(b − x) − max(±v, 0)²/(2 a).
                    var distance = sign > 0 ? $"({Num(b)} - {state})" : $"({state} - {Num(b)})";
                    var barrierText = brake is { } a ? $"{distance} - sq(max({(sign > 0 ? "" : "-")}{rate}, 0)) / {Num(2 * a)}" : distance;
                    var barrier = Expression.Compile(barrierText, stateNames, known);
                    var violation = Expression.Compile($"-{distance}", stateNames, known);
                    constraints.Add(new HardConstraint($"{state} {(sign > 0 ? "≤" : "≥")} {Num(b)}", violation, barrier));
                }
                c.RejectUnknownKeys();
            }
        }
        shield.RejectUnknownKeys();
        if (shield.Has("constraints") && constraints.Count == 0 && !diagnostics.HasErrors) shield["constraints"].Error("expected at least one constraint");
        if (throwOnError) diagnostics.ThrowIfAny();
        if (diagnostics.HasErrors || reward is null) return null;

        return new EnvTask
        {
            StateNames = states.ToArray(),
            ActionNames = controls.ToArray(),
            Observation = observation,
            Reward = reward!,
            Cost = cost,
            Terminate = terminate,
            CostLimit = costLimit,
            EpisodeSteps = steps,
            Dt_s = dt,
            Integrator = integrator,
            Substeps = substeps,
            StateClip = clip,
            InitialLow = low,
            InitialHigh = high,
            ActionLow = actionLow,
            ActionHigh = actionHigh,
            Constraints = constraints,
            ShieldDecay = decay,
        };
    }

    // initial_state: a list (fixed start) or { low: [...], high: [...] } (uniform).
    private static (double[] Low, double[] High) ReadInitial(ConfigNode node, int n)
    {
        if (node.IsMissing) return (new double[n], new double[n]);
        if (node.IsSequence)
        {
            var fixedState = node.Items().Select(i => i.AsDouble()).ToArray();
            if (fixedState.Length != n) node.Error($"expected {n} numbers, got {fixedState.Length}");
            return fixedState.Length == n ? (fixedState, fixedState.ToArray()) : (new double[n], new double[n]);
        }
        node.ExpectMapping();
        var low = node.Doubles("low", n, required: true) ?? new double[n];
        var high = node.Doubles("high", n, required: true) ?? new double[n];
        for (var i = 0; i < n; i++) if (low[i] > high[i]) node.Error($"low[{i}] = {low[i]} is above high[{i}] = {high[i]}");
        node.RejectUnknownKeys();
        return (low, high);
    }

    /// <summary>Names of a step's terms: states (source 0), controls (source 1) and <c>next(state)</c> (source 2).</summary>
    public static SymbolResolver StepNames(IReadOnlyList<string> states, IReadOnlyList<string> controls) => (name, modifier) =>
    {
        var s = IndexOf(states, name);
        if (modifier == "next") return s >= 0 ? new Slot(2, s) : null;
        if (modifier is not null) return null;
        if (s >= 0) return new Slot(0, s);
        var c = IndexOf(controls, name);
        return c >= 0 ? new Slot(1, c) : null;
    };

    /// <summary>Names of a state-only term (observations, barriers): the states, source 0.</summary>
    public static SymbolResolver StateNames(IReadOnlyList<string> states) => (name, modifier) =>
        modifier is null && IndexOf(states, name) is var s and >= 0 ? new Slot(0, s) : null;

    private static Expression Negate(Expression e, SymbolResolver resolver) => Expression.Compile($"-({e.Text})", resolver);

    private static string Num(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }

    private static (string Joint, string Kind) Split(string name)
    {
        var slash = name.IndexOf('/');
        return slash < 0 ? (name, "") : (name[..slash], name[(slash + 1)..]);
    }
}
