using RlRobotics.Control.Lqr;
using RlRobotics.Core.Control;
using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Numerics;
using RlRobotics.Core.Spec;

namespace RlRobotics.Control.Controllers;

/// <summary>LQR weights: diagonal Q on x − x* (model state order) and R on u − u*.</summary>
public sealed record LqrOptions(double[] Q, double[] R);

/// <summary>
/// Infinite-horizon LQR about the task goal: u = u* − K (x − x*), with angle differences wrapped and K from
/// the discrete Riccati equation on the model linearised (exact RK4 Jacobians) at the control period.
/// The output is kept inside the joints' effort and rate limits.
/// </summary>
public sealed class LqrController : IController, IGoalTarget
{
    private readonly GoalMailbox _goals;
    private readonly int[] _goalIndex;       // goal-interface index → state index in the model
    private readonly double[] _goalScratch;
    private readonly IDynamicsModel _model;
    private readonly double[] _goal, _uStar, _gain, _error;
    private readonly int[] _stateIndex, _commandIndex;
    private readonly CommandShaper[] _shapers;

    public LqrController(RobotSpec robot, IDynamicsModel model, LqrOptions options)
    {
        _model = model;
        var n = model.StateSize;
        var m = model.ControlSize;
        _goal = model.StateNames.Select(name => robot.Task?.Term(name)?.Goal ?? 0).ToArray();
        _uStar = DiscreteLqr.EquilibriumControl(model, _goal);
        // Positions may be moved while running; the gain is kept (exact where the dynamics do not depend on that
        // coordinate, as a cart's position; elsewhere only near the design point, which the goal limits keep it to).
        _goalIndex = Enumerable.Range(0, n).Where(i => model.StateNames[i].EndsWith("/position", StringComparison.Ordinal)).ToArray();
        _goals = new GoalMailbox(_goalIndex.Select(i => model.StateNames[i]).ToArray(), _goalIndex.Select(i => _goal[i]).ToArray());
        _goalScratch = new double[_goalIndex.Length];
        // A discrete-time (learned) model is linearised at its own step; its gain then runs at the loop rate.
        var dt = model is IDiscreteDynamicsModel discrete ? discrete.Dt_s : robot.Period_s;
        var (a, b) = DiscreteLqr.Linearise(model, _goal, _uStar, dt);
        var (p, k) = DiscreteLqr.Solve(a, b, Matrix.Diagonal(options.Q), Matrix.Diagonal(options.R));
        CostToGo = p;
        Gain = k;
        _gain = k.Data;
        _error = new double[n];
        _stateIndex = new int[n];
        _commandIndex = new int[m];
        _shapers = model.ControlNames.Select(name =>
        {
            var joint = robot.Joint(name.Split('/')[0]) ?? throw new InvalidOperationException($"LQR control '{name}' names no joint of the robot");
            return new CommandShaper(joint, InterfaceKind.Effort);
        }).ToArray();
        ClaimedCommands = model.ControlNames;
    }

    public string Kind => "lqr";

    public IReadOnlyList<string> ClaimedCommands { get; }

    /// <summary>The gain K (m×n).</summary>
    public Matrix Gain { get; }

    /// <summary>The Riccati solution P (n×n).</summary>
    public Matrix CostToGo { get; }

    /// <summary>The feed-forward control at the goal, u*.</summary>
    public IReadOnlyList<double> EquilibriumControl => _uStar;

    public void Bind(StateFrame state, CommandFrame command)
    {
        for (var i = 0; i < _stateIndex.Length; i++) _stateIndex[i] = state.Require(_model.StateNames[i]);
        for (var i = 0; i < _commandIndex.Length; i++) _commandIndex[i] = command.Require(_model.ControlNames[i]);
    }

    public void Start(StateFrame state)
    {
        foreach (var s in _shapers) s.Reset(0);
    }

    public IReadOnlyList<string> GoalInterfaces => _goals.Names;

    public double Goal(string interfaceName) => _goals.Get(interfaceName);

    public bool RequestGoal(string interfaceName, double value) => _goals.Request(interfaceName, value);

    public void Update(StateFrame state, CommandFrame command, in CycleTime time)
    {
        if (_goals.TryTake(_goalScratch))
            for (var g = 0; g < _goalIndex.Length; g++) _goal[_goalIndex[g]] = _goalScratch[g];
        var n = _error.Length;
        var s = state.Values;
        for (var i = 0; i < n; i++) _error[i] = Angles.Difference(s[_stateIndex[i]], _goal[i], _model.IsPeriodic(i));
        for (var j = 0; j < _commandIndex.Length; j++)
        {
            var u = _uStar[j];
            for (var i = 0; i < n; i++) u -= _gain[j * n + i] * _error[i];
            command.Values[_commandIndex[j]] = _shapers[j].Shape(u, time.Period_s);
        }
    }
}
