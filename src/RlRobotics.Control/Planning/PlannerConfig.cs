using RlRobotics.Control.Lqr;
using RlRobotics.Control.Mpc;
using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Spec;

namespace RlRobotics.Control.Planning;

/// <summary>Everything a planner and its MPC need, read from the robot file's <c>agent:</c> section.</summary>
/// <param name="Planner"><c>ilqr</c>, <c>cem</c>, <c>mppi</c> or <c>random</c>.</param>
/// <param name="Problem">The horizon, cost and control box this planner optimises.</param>
/// <param name="Ilqr">iLQR settings (<c>agent.ilqr</c>).</param>
/// <param name="Sampling">Sampling-planner settings (<c>agent.cem</c>, <c>agent.mppi</c> or <c>agent.random</c>).</param>
/// <param name="Mpc">Receding-horizon settings (<c>agent.mpc</c>).</param>
public sealed record PlannerSetup(string Planner, PlanningProblem Problem, IlqrOptions Ilqr, SamplingOptions Sampling, MpcOptions Mpc)
{
    /// <summary>A fresh planner for this setup (the caller disposes sampling planners).</summary>
    public IPlanner CreatePlanner() => Planner switch
    {
        "ilqr" => new IlqrSolver(Problem, Ilqr),
        "cem" => new SamplingPlanner(Problem, SamplingMethod.Cem, Sampling),
        "mppi" => new SamplingPlanner(Problem, SamplingMethod.Mppi, Sampling),
        _ => new SamplingPlanner(Problem, SamplingMethod.Random, Sampling),
    };
}

/// <summary>
/// Reads and validates the planning sections of <c>agent:</c> — <c>cost</c>, <c>mpc</c>, <c>ilqr</c>, <c>cem</c>,
/// <c>mppi</c>, <c>random</c> — reporting every problem at its line. Sections that are present are checked whichever
/// planner runs. The goal is the task's goal state; the control box comes from the joints' limits.
/// </summary>
public static class PlannerConfig
{
    public static IReadOnlyList<string> Planners { get; } = new[] { "ilqr", "cem", "mppi", "random" };

    /// <summary>
    /// <c>agent.learned.planner</c> (default <c>ilqr</c>), checked against <see cref="Planners"/>; an unknown name is
    /// reported at its line and the default returned.
    /// </summary>
    public static string ReadLearnedPlanner(ConfigNode learned)
    {
        if (learned.IsMissing) return "ilqr";
        var planner = learned.String("planner", "ilqr");
        if (Planners.Contains(planner)) return planner;
        learned["planner"].Error($"unknown planner '{planner}'; expected one of: {string.Join(", ", Planners)}");
        return "ilqr";
    }

    /// <summary>
    /// Returns the setup for <paramref name="planner"/>, or null with errors in the agent node's diagnostics.
    /// <paramref name="overrides"/> (the <c>agent.learned</c> section for a learned model) may hold its own <c>cost</c>,
    /// <c>mpc</c>, <c>ilqr</c>, <c>cem</c>, <c>mppi</c> and <c>random</c> sections, used instead of the agent's.
    /// </summary>
    public static PlannerSetup? Read(RobotSpec robot, ConfigNode agent, IDynamicsModel model, string planner, bool lockstep, int seed,
        ConfigNode? overrides = null)
    {
        ConfigNode Section(string name)
        {
            agent.Has(name); // the agent's own section stays a known key even when the override replaces it
            return overrides is not null && overrides.Has(name) ? overrides[name] : agent[name];
        }
        var diagnostics = agent.Diagnostics;
        var before = diagnostics.Count;
        var n = model.StateSize;
        var m = model.ControlSize;

        // Control box from the joints' limits of each control's interface.
        var lo = new double[m];
        var hi = new double[m];
        for (var j = 0; j < m; j++)
        {
            var (jointName, kind) = InterfaceName.Split(model.ControlNames[j]);
            var limits = robot.Joint(jointName)?.Limits;
            var bound = kind switch
            {
                InterfaceKind.Effort => limits?.Effort,
                InterfaceKind.Velocity => limits?.Velocity,
                _ => null,
            };
            lo[j] = kind == InterfaceKind.Position ? limits?.PositionMin ?? double.NegativeInfinity : -(bound ?? double.PositiveInfinity);
            hi[j] = kind == InterfaceKind.Position ? limits?.PositionMax ?? double.PositiveInfinity : bound ?? double.PositiveInfinity;
        }

        var goal = model.StateNames.Select(name => robot.Task?.Term(name)?.Goal ?? 0).ToArray();
        var periodic = Enumerable.Range(0, n).Select(model.IsPeriodic).ToArray();
        double[] uGoal;
        try { uGoal = DiscreteLqr.EquilibriumControl(model, goal); }
        catch (InvalidOperationException) { uGoal = new double[m]; }
        for (var j = 0; j < m; j++) uGoal[j] = Math.Clamp(uGoal[j], lo[j], hi[j]);

        var mpcNode = Section("mpc");
        mpcNode.ExpectMapping(optional: true);
        var steps = mpcNode.Int("horizon", 100, 1, 100_000);
        var dt = mpcNode.Double("dt", 0.02, v => v > 0 && v <= 10, "a step from 0 to 10 s");
        var cost = ReadCost(Section("cost"), model, goal, uGoal, periodic, dt);
        var ilqr = ReadIlqr(Section("ilqr"));
        var sampling = new Dictionary<string, (SamplingOptions Options, int Steps, double Dt)>();
        foreach (var name in new[] { "cem", "mppi", "random" })
            sampling[name] = ReadSampling(Section(name), name, steps, dt, seed);
        var mpc = ReadMpc(mpcNode, planner, dt, lockstep, ilqr, sampling.TryGetValue(planner, out var chosen) ? chosen.Options : null);

        if (diagnostics.Count > before || cost is null || ilqr is null || mpc is null) return null;
        var (sOptions, sSteps, sDt) = sampling.TryGetValue(planner, out var s) ? s : (new SamplingOptions { Seed = seed }, steps, dt);
        var problemSteps = planner == "ilqr" ? steps : sSteps;
        var problemDt = planner == "ilqr" ? dt : sDt;
        if (problemDt != dt) cost = cost.WithRunningScale(cost.RunningScale == dt ? problemDt : cost.RunningScale);
        try
        {
            var problem = new PlanningProblem(model, cost, problemSteps, problemDt, lo, hi);
            return new PlannerSetup(planner, problem, ilqr, sOptions, mpc);
        }
        catch (ArgumentException ex)
        {
            agent.Error($"cannot build the planning problem: {ex.Message}");
            return null;
        }
    }

    private static TrajectoryCost? ReadCost(ConfigNode node, IDynamicsModel model, double[] goal, double[] uGoal, bool[] periodic, double dt)
    {
        node.ExpectMapping(optional: true);
        var n = model.StateSize;
        var m = model.ControlSize;
        var states = $"[{string.Join(", ", model.StateNames)}]";
        var q = node.Doubles("q", n) ?? Enumerable.Repeat(1.0, n).ToArray();
        var r = node.Doubles("r", m) ?? Enumerable.Repeat(0.01, m).ToArray();
        var qf = node.Doubles("qf", n) ?? q.Select(v => 100 * v).ToArray();
        var ok = true;
        if (q.Any(v => v < 0)) { node["q"].Error($"expected {n} weights of at least 0 for {states}"); ok = false; }
        if (qf.Any(v => v < 0)) { node["qf"].Error($"expected {n} weights of at least 0 for {states}"); ok = false; }
        if (r.Any(v => v <= 0)) { node["r"].Error($"expected {m} weights above 0 for [{string.Join(", ", model.ControlNames)}]"); ok = false; }
        double scale = dt;
        var scaleNode = node["running_scale"];
        if (!scaleNode.IsMissing && scaleNode.AsString() != "dt")
            scale = node.Double("running_scale", 1.0, v => v > 0, "'dt' or a factor above 0");

        var constraints = new List<StateConstraint>();
        foreach (var item in node["constraints"].Items())
        {
            if (!item.ExpectMapping()) { ok = false; continue; }
            var name = item.String("state");
            var index = model.StateNames.ToList().IndexOf(name);
            if (index < 0 && name.Length > 0) { item["state"].Error($"unknown state '{name}'; expected one of {states}"); ok = false; }
            var min = item.Double("min", double.NegativeInfinity);
            var max = item.Double("max", double.PositiveInfinity);
            if (!item.Has("min") && !item.Has("max")) { item.Error("a constraint needs min, max or both"); ok = false; }
            if (!(min < max)) { item.Error($"min {min} must be below max {max}"); ok = false; }
            var kind = item.Enum<ConstraintKind>("kind", ConstraintKind.Penalty);
            var weight = item.Double("weight", kind == ConstraintKind.Penalty ? 100 : 0.1, v => v > 0, "a weight above 0");
            var range = double.IsFinite(max - min) ? max - min : 1.0;
            var delta = item.Double("delta", 0.05 * range, v => v > 0, "a relaxation width above 0");
            item.RejectUnknownKeys();
            if (index >= 0) constraints.Add(new StateConstraint(index, name, min, max, kind, weight, delta));
        }
        node.RejectUnknownKeys();
        return ok ? new TrajectoryCost(goal, uGoal, q, r, qf, scale, periodic, constraints) : null;
    }

    private static IlqrOptions? ReadIlqr(ConfigNode node)
    {
        node.ExpectMapping(optional: true);
        var d = new IlqrOptions();
        var options = new IlqrOptions
        {
            MaxIterations = node.Int("max_iterations", d.MaxIterations, 1, 100_000),
            Tolerance = node.Double("tolerance", d.Tolerance, v => v >= 0, "a relative tolerance of at least 0"),
            MuInitial = node.Double("mu_initial", d.MuInitial, v => v >= 0, "a regularisation of at least 0"),
            MuMin = node.Double("mu_min", d.MuMin, v => v > 0, "a regularisation above 0"),
            MuMax = node.Double("mu_max", d.MuMax, v => v > 0, "a regularisation above 0"),
            MuFactor = node.Double("mu_factor", d.MuFactor, v => v > 1, "a factor above 1"),
            LineSearchSteps = node.Int("line_search_steps", d.LineSearchSteps, 1, 100),
            MinStep = node.Double("min_step", d.MinStep, v => v > 0 && v <= 1, "a step in (0, 1]"),
            AcceptRatio = node.Double("accept_ratio", d.AcceptRatio, v => v >= 0 && v < 1, "a ratio in [0, 1)"),
            BoxQp = node.Bool("box_qp", d.BoxQp),
        };
        node.RejectUnknownKeys();
        if (!(options.MuMin < options.MuMax)) { node.Error("mu_min must be below mu_max"); return null; }
        return options;
    }

    private static (SamplingOptions, int, double) ReadSampling(ConfigNode node, string name, int steps, double dt, int seed)
    {
        node.ExpectMapping(optional: true);
        var d = new SamplingOptions();
        var samples = node.Int("samples", d.Samples, 2, 1_000_000);
        var options = new SamplingOptions
        {
            Samples = samples,
            Iterations = node.Int("iterations", name == "random" ? 1 : d.Iterations, 1, 1000),
            Elites = node.Int("elites", Math.Min(d.Elites, samples), 1, samples),
            Alpha = node.Double("alpha", d.Alpha, v => v >= 0 && v < 1, "a smoothing weight in [0, 1)"),
            NoiseFraction = node.Double("noise", d.NoiseFraction, v => v > 0 && v <= 10, "a fraction of the control range from 0 to 10"),
            NoiseCorrelation = node.Double("noise_correlation", 0, v => v >= 0 && v < 1, "a correlation in [0, 1)"),
            NoiseDecay = node.Double("noise_decay", name == "mppi" ? 0.5 : 1, v => v > 0 && v <= 1, "a factor in (0, 1]"),
            MinNoiseFraction = node.Double("min_noise", d.MinNoiseFraction, v => v >= 0, "a fraction of at least 0"),
            Temperature = node.Double("temperature", d.Temperature, v => v > 0, "a temperature above 0"),
            Threads = node.Int("threads", 0, 0, 256),
            SmoothingPasses = node.Int("smoothing", 0, 0, 100),
            Feedback = node.Bool("feedback", false),
            Particles = node.Int("particles", 1, 1, 1000),
            Propagation = node.Enum<ParticlePropagation>("propagation", ParticlePropagation.TsInfinity),
            Seed = seed,
        };
        var horizon = node.Int("horizon", steps, 1, 100_000);
        var step = node.Double("dt", dt, v => v > 0 && v <= 10, "a step from 0 to 10 s");
        node.RejectUnknownKeys();
        return (options, horizon, step);
    }

    private static MpcOptions? ReadMpc(ConfigNode node, string planner, double dt, bool lockstep, IlqrOptions? ilqr, SamplingOptions? sampling)
    {
        var d = new MpcOptions();
        var defaultIterations = planner == "ilqr" ? 3 : sampling?.Iterations ?? 1;
        var defaultInitial = planner == "ilqr" ? ilqr?.MaxIterations ?? 200 : 2 * defaultIterations;
        var options = new MpcOptions
        {
            ReplanPeriod_s = node.Double("replan_period_s", dt, v => v > 0 && v <= 10, "a period from 0 to 10 s"),
            IterationsPerReplan = node.Int("iterations", defaultIterations, 1, 10_000),
            InitialIterations = node.Int("initial_iterations", defaultInitial, 1, 100_000),
            Latency_s = node.Double("latency_s", 0, v => v >= 0 && v <= 1, "a latency from 0 to 1 s"),
            MaxPlanAge_s = node.NullableDouble("max_plan_age_s", v => v > 0, "an age above 0 s"),
            Fallback = node.Enum<FallbackKind>("fallback", d.Fallback),
            Lockstep = lockstep,
            LockstepTimeout_s = node.Double("lockstep_timeout_s", d.LockstepTimeout_s, v => v > 0, "a timeout above 0 s"),
        };
        node.RejectUnknownKeys(); // horizon and dt were read with the problem
        return options;
    }
}
