using RlRobotics.Control.Controllers;
using RlRobotics.Control.Mpc;
using RlRobotics.Control.Planning;
using RlRobotics.Core.Control;
using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;

namespace RlRobotics.Control;

/// <summary>Where a controller runs: the loop's clock (the MPC planner runs in lockstep with a simulated one) and the seed.</summary>
/// <param name="Clock">The loop's clock.</param>
/// <param name="Seed">Seed for planners' noise.</param>
/// <param name="Planner">Overrides <c>agent.learned.planner</c> for <c>mpc-learned</c>.</param>
/// <param name="Policy">The <c>policy</c> controller, built by the caller from a trained policy file.</param>
public sealed record ControllerContext(IClock Clock, int Seed = 0, string? Planner = null, IController? Policy = null)
{
    public static ControllerContext Simulated(int seed = 0) => new(new SimulatedClock(), seed);
}

/// <summary>
/// Builds the agent's controller from the robot file's <c>agent:</c> section. Every section present
/// (<c>hold</c>, <c>pd</c>, <c>lqr</c>, <c>cost</c>, <c>mpc</c>, <c>ilqr</c>, <c>cem</c>, <c>mppi</c>, <c>random</c>)
/// is validated, whichever controller runs, so a file is either right or refused.
/// </summary>
public static class ControllerFactory
{
    private static readonly string[] PlanningSections = { "cost", "mpc", "ilqr", "cem", "mppi", "random" };

    public static IReadOnlyList<string> Kinds { get; } = new[] { "hold", "pd", "lqr", "ilqr-mpc", "cem-mpc", "mppi-mpc", "random-mpc", LearnedMpc, Policy };

    /// <summary>A trained policy (<c>rlr train ppo</c> …) deployed with <c>--policy file.rlpolicy</c>.</summary>
    public const string Policy = "policy";

    /// <summary>MPC on a model learned in discrete time (<c>agent.learned</c>), with a zero-order hold at the model's step.</summary>
    public const string LearnedMpc = "mpc-learned";

    /// <summary>
    /// Creates controller <paramref name="kind"/> (the YAML's <c>agent.controller</c> when null).
    /// <paramref name="model"/> supplies the dynamics model for model-based controllers.
    /// Throws <see cref="SpecException"/> with located errors.
    /// </summary>
    public static IController Create(RobotSpec robot, string? kind, Func<IDynamicsModel?> model, ControllerContext? context = null)
    {
        context ??= ControllerContext.Simulated();
        var agent = robot.Agent.Node;
        var diagnostics = agent.Diagnostics;
        kind ??= robot.Agent.Controller;
        agent.Has("controller");
        agent.Has("model"); // read by the composition root, which owns the model registry
        agent.Has("rl");    // the on-policy learners' settings, read by their trainer
        var learnedNode = agent["learned"];
        learnedNode.ExpectMapping(optional: true);
        if (!Kinds.Contains(kind))
        {
            var where = agent["controller"];
            var message = $"unknown controller '{kind}'; expected one of: {string.Join(", ", Kinds)}";
            if (where.IsMissing) throw new SpecException(new SpecError(robot.SourcePath, 0, 0, "agent.controller", message));
            where.Error(message);
        }

        var pd = ReadPdGains(robot, agent["pd"]);
        var hold = ReadPdGains(robot, agent["hold"]);
        var lqrNode = agent["lqr"];
        LqrOptions? lqr = null;
        IDynamicsModel? dynamics = null;
        var learned = kind == LearnedMpc;
        // agent.learned.planner is read (and checked) whenever the section exists; the rest of it belongs to the trainer.
        var learnedPlanner = PlannerConfig.ReadLearnedPlanner(learnedNode);
        var planner = learned ? context.Planner ?? learnedPlanner : kind.EndsWith("-mpc", StringComparison.Ordinal) ? kind[..^4] : null;
        var planning = planner is not null || PlanningSections.Any(agent.Has);
        var mpcFallback = planner is not null ? agent["mpc"].Enum<FallbackKind>("fallback", FallbackKind.Stop) : (FallbackKind?)null;
        PlannerSetup? setup = null;
        if (kind == "lqr" || !lqrNode.IsMissing || planning)
        {
            dynamics = model();
            if (dynamics is null)
            {
                var what = planner is not null ? $"{kind} needs a dynamics model" : "LQR needs a dynamics model";
                (lqrNode.IsMissing ? agent : lqrNode).Error($"{what}: add agent.model (kind and params) or serve the robot with a simulated component");
            }
            else
            {
                lqr = ReadLqr(lqrNode, dynamics);
                if (planning) setup = PlannerConfig.Read(robot, agent, dynamics, planner ?? "ilqr", context.Clock.IsSimulated, context.Seed, learned ? learnedNode : null);
                if (learned) setup = ForLearnedModel(agent, learnedNode, dynamics, setup);
            }
        }
        agent.RejectUnknownKeys();
        diagnostics.ThrowIfAny();

        if (kind == Policy)
        {
            if (context.Policy is { } policy) return policy;
            diagnostics.ThrowIfAny(); // the file's own errors first: the policy was not built because of them
            var at = agent["controller"];
            throw new SpecException(new SpecError(robot.SourcePath, at.Line, at.Column, "agent.controller", "the policy controller needs a trained policy: pass --policy file.rlpolicy (made by 'rlr train ppo')"));
        }
        try
        {
            return kind switch
            {
                "hold" => new PdController(robot, hold, hold: true),
                "pd" => new PdController(robot, pd, hold: false),
                "lqr" => new LqrController(robot, dynamics!, lqr!),
                _ => CreateMpc(robot, dynamics!, setup!, mpcFallback!.Value, hold, lqr!, context),
            };
        }
        catch (InvalidOperationException ex)
        {
            (lqrNode.IsMissing ? agent : lqrNode).Error($"cannot build controller '{kind}': {ex.Message}");
            diagnostics.ThrowIfAny();
            throw;
        }
    }

    // A learned model steps in discrete time: the plan must use its step, and the loop holds each command for one step.
    private static PlannerSetup? ForLearnedModel(ConfigNode agent, ConfigNode learnedNode, IDynamicsModel model, PlannerSetup? setup)
    {
        if (model is not IDiscreteDynamicsModel discrete)
        {
            (learnedNode.IsMissing ? agent : learnedNode).Error($"{LearnedMpc} needs a learned model (pass --model dir/model.ckpt, made by 'rlr train mbrl')");
            return null;
        }
        if (setup is null) return null;
        if (Math.Abs(setup.Problem.Dt - discrete.Dt_s) > 1e-9)
        {
            (learnedNode.IsMissing ? agent : learnedNode).Error($"the planner's dt {setup.Problem.Dt} s differs from the learned model's step {discrete.Dt_s} s");
            return null;
        }
        return setup with { Mpc = setup.Mpc with { HoldPeriod_s = discrete.Dt_s } };
    }

    private static MpcController CreateMpc(RobotSpec robot, IDynamicsModel model, PlannerSetup setup, FallbackKind fallbackKind,
        Dictionary<string, PdGains> hold, LqrOptions lqr, ControllerContext context)
    {
        IController fallback = fallbackKind switch
        {
            FallbackKind.Lqr => new LqrController(robot, model, lqr),
            FallbackKind.Hold => new PdController(robot, hold, hold: true),
            _ => new SafeStopController(robot, model.ControlNames),
        };
        return new MpcController(robot, model, setup.CreatePlanner(), setup.Mpc, fallback, context.Clock);
    }

    private static Dictionary<string, PdGains> ReadPdGains(RobotSpec robot, ConfigNode node)
    {
        node.ExpectMapping(optional: true);
        var kp = ReadPerJoint(robot, node, "kp", 20.0);
        var kd = ReadPerJoint(robot, node, "kd", 2.0);
        node.RejectUnknownKeys();
        return robot.Joints.ToDictionary(j => j.Name, j => new PdGains(kp[j.Name], kd[j.Name]));
    }

    // A gain is either one number for every joint or a mapping joint → number.
    private static Dictionary<string, double> ReadPerJoint(RobotSpec robot, ConfigNode node, string key, double fallback)
    {
        var result = robot.Joints.ToDictionary(j => j.Name, _ => fallback);
        var child = node[key];
        if (child.IsMissing) return result;
        if (child.IsMapping)
        {
            foreach (var (joint, value) in child.Entries())
            {
                if (!result.ContainsKey(joint)) { value.Error($"unknown joint '{joint}'"); continue; }
                var v = value.AsDouble("a gain of at least 0");
                if (v < 0) value.Error($"expected a gain of at least 0, got {v}");
                result[joint] = v;
            }
            return result;
        }
        var all = node.Double(key, fallback, v => v >= 0, "a gain of at least 0, or a mapping joint: gain");
        foreach (var j in robot.Joints) result[j.Name] = all;
        return result;
    }

    private static LqrOptions? ReadLqr(ConfigNode node, IDynamicsModel model)
    {
        node.ExpectMapping(optional: true);
        var n = model.StateSize;
        var m = model.ControlSize;
        var q = node.Doubles("q", n) ?? Enumerable.Repeat(1.0, n).ToArray();
        var r = node.Doubles("r", m) ?? Enumerable.Repeat(1.0, m).ToArray();
        if (q.Any(v => v < 0)) node["q"].Error($"expected {n} weights of at least 0 for [{string.Join(", ", model.StateNames)}]");
        if (r.Any(v => v <= 0)) node["r"].Error($"expected {m} weights above 0 for [{string.Join(", ", model.ControlNames)}]");
        node.RejectUnknownKeys();
        return new LqrOptions(q, r);
    }
}
