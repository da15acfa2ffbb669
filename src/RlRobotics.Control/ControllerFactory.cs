using RlRobotics.Control.Controllers;
using RlRobotics.Core.Control;
using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Spec;

namespace RlRobotics.Control;

/// <summary>
/// Builds the agent's controller from the robot file's <c>agent:</c> section. Every controller section present
/// (<c>hold:</c>, <c>pd:</c>, <c>lqr:</c>) is validated, whichever one runs, so a file is either right or refused.
/// </summary>
public static class ControllerFactory
{
    public static IReadOnlyList<string> Kinds { get; } = new[] { "hold", "pd", "lqr" };

    /// <summary>
    /// Creates controller <paramref name="kind"/> (the YAML's <c>agent.controller</c> when null).
    /// <paramref name="model"/> supplies the dynamics model for model-based controllers.
    /// Throws <see cref="SpecException"/> with located errors.
    /// </summary>
    public static IController Create(RobotSpec robot, string? kind, Func<IDynamicsModel?> model)
    {
        var agent = robot.Agent.Node;
        var diagnostics = agent.Diagnostics;
        kind ??= robot.Agent.Controller;
        agent.Has("controller");
        agent.Has("model"); // read by the composition root, which owns the model registry
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
        if (kind == "lqr" || !lqrNode.IsMissing)
        {
            dynamics = model();
            if (dynamics is null)
                (lqrNode.IsMissing ? agent : lqrNode).Error("LQR needs a dynamics model: add agent.model (kind and params) or serve the robot with a simulated component");
            else lqr = ReadLqr(lqrNode, dynamics);
        }
        agent.RejectUnknownKeys();
        diagnostics.ThrowIfAny();

        try
        {
            return kind switch
            {
                "hold" => new PdController(robot, hold, hold: true),
                "pd" => new PdController(robot, pd, hold: false),
                _ => new LqrController(robot, dynamics!, lqr!),
            };
        }
        catch (InvalidOperationException ex)
        {
            (lqrNode.IsMissing ? agent : lqrNode).Error($"cannot build controller '{kind}': {ex.Message}");
            diagnostics.ThrowIfAny();
            throw;
        }
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
