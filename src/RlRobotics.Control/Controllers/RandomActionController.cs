using RlRobotics.Core.Control;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;

namespace RlRobotics.Control.Controllers;

/// <summary>
/// Exploration: uniformly random commands inside each joint's limits, held for <c>holdPeriod_s</c> (the learned model's
/// step), from a seeded generator. The first episode of model-based RL, before any model exists.
/// </summary>
public sealed class RandomActionController : IController
{
    private readonly string[] _controls;
    private readonly CommandShaper[] _shapers;
    private readonly double[] _low, _high, _held;
    private readonly int[] _index;
    private readonly int _holdCycles;
    private readonly Random _random;
    private long _cycles;

    public RandomActionController(RobotSpec robot, IReadOnlyList<string> controls, double holdPeriod_s, int seed)
    {
        _controls = controls.ToArray();
        _index = new int[_controls.Length];
        _held = new double[_controls.Length];
        _low = new double[_controls.Length];
        _high = new double[_controls.Length];
        _shapers = new CommandShaper[_controls.Length];
        for (var j = 0; j < _controls.Length; j++)
        {
            var (joint, kind) = InterfaceName.Split(_controls[j]);
            var spec = robot.Joint(joint) ?? throw new InvalidOperationException($"control '{_controls[j]}' names no joint of the robot");
            _shapers[j] = new CommandShaper(spec, kind);
            var limit = kind switch
            {
                InterfaceKind.Effort => spec.Limits.Effort,
                InterfaceKind.Velocity => spec.Limits.Velocity,
                _ => null,
            } ?? throw new InvalidOperationException($"random actions need an effort or velocity limit on '{_controls[j]}'");
            _low[j] = -limit;
            _high[j] = limit;
        }
        _holdCycles = Math.Max(1, (int)Math.Round(holdPeriod_s * robot.RateHz));
        _random = new Random(seed);
    }

    public string Kind => "random-actions";
    public IReadOnlyList<string> ClaimedCommands => _controls;

    public void Bind(StateFrame state, CommandFrame command)
    {
        for (var j = 0; j < _controls.Length; j++) _index[j] = command.Require(_controls[j]);
    }

    public void Start(StateFrame state)
    {
        _cycles = 0;
        foreach (var s in _shapers) s.Reset(0);
    }

    public void Update(StateFrame state, CommandFrame command, in CycleTime time)
    {
        if (_cycles++ % _holdCycles == 0)
            for (var j = 0; j < _held.Length; j++) _held[j] = _low[j] + (_high[j] - _low[j]) * _random.NextDouble();
        for (var j = 0; j < _held.Length; j++) command.Values[_index[j]] = _shapers[j].Shape(_held[j], time.Period_s);
    }
}
