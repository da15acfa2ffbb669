using RlRobotics.Core.Control;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Learning.Policies;
using RlRobotics.Learning.Safety;

namespace RlRobotics.Control.Controllers;

/// <summary>
/// Runs a trained policy (<see cref="DeployablePolicy"/>, a <c>.rlpolicy</c> file) on the robot: every policy step
/// (the step it was trained at) it reads the state, computes the deterministic action, passes it through the action
/// shield when one is given, and holds it until the next step (a zero-order hold, as in training). Commands are kept
/// inside the joints' effort and rate limits here, and the HAL safety filter still checks every one of them.
/// Allocation-free in <see cref="Update"/>.
/// </summary>
public sealed class PolicyController : IController
{
    private readonly DeployablePolicy _policy;
    private readonly ActionShield? _shield;
    private readonly CommandShaper[] _shapers;
    private readonly int[] _stateIndex, _commandIndex;
    private readonly double[] _x, _held;
    private double _nextAct_s;

    public PolicyController(RobotSpec robot, DeployablePolicy policy, ActionShield? shield = null)
    {
        _policy = policy;
        _shield = shield;
        _shapers = policy.ActionNames.Select(name =>
        {
            var (joint, kind) = InterfaceName.Split(name);
            var spec = robot.Joint(joint) ?? throw new InvalidOperationException($"the policy commands '{name}', but the robot has no joint '{joint}'");
            if (!spec.Commands(kind)) throw new InvalidOperationException($"the policy commands '{name}', which joint '{joint}' does not accept");
            return new CommandShaper(spec, kind);
        }).ToArray();
        _stateIndex = new int[policy.StateNames.Count];
        _commandIndex = new int[policy.ActionNames.Count];
        _x = new double[policy.StateNames.Count];
        _held = new double[policy.ActionNames.Count];
        ClaimedCommands = policy.ActionNames;
    }

    public string Kind => "policy";
    public IReadOnlyList<string> ClaimedCommands { get; }

    /// <summary>Policy steps taken.</summary>
    public long Decisions { get; private set; }
    /// <summary>Actions the shield changed (0 without a shield).</summary>
    public long ShieldInterventions => _shield?.Interventions ?? 0;

    public void Bind(StateFrame state, CommandFrame command)
    {
        for (var i = 0; i < _stateIndex.Length; i++) _stateIndex[i] = state.Require(_policy.StateNames[i]);
        for (var j = 0; j < _commandIndex.Length; j++) _commandIndex[j] = command.Require(_policy.ActionNames[j]);
    }

    public void Start(StateFrame state)
    {
        foreach (var s in _shapers) s.Reset(0);
        _nextAct_s = double.NegativeInfinity;
        Decisions = 0;
    }

    public void Update(StateFrame state, CommandFrame command, in CycleTime time)
    {
        var now = time.Now_s;
        if (now >= _nextAct_s - 1e-9)
        {
            var s = state.Values;
            for (var i = 0; i < _x.Length; i++) _x[i] = s[_stateIndex[i]];
            _policy.Act(_x, _held);
            _shield?.Apply(_x, _held);
            // Keep the schedule on the policy's grid; after a stall, restart it from now instead of catching up.
            _nextAct_s = double.IsNegativeInfinity(_nextAct_s) || now - _nextAct_s > _policy.Dt_s ? now + _policy.Dt_s : _nextAct_s + _policy.Dt_s;
            Decisions++;
        }
        for (var j = 0; j < _held.Length; j++) command.Values[_commandIndex[j]] = _shapers[j].Shape(_held[j], time.Period_s);
    }
}
