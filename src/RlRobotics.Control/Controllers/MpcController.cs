using RlRobotics.Control.Mpc;
using RlRobotics.Control.Planning;
using RlRobotics.Core.Control;
using RlRobotics.Core.Dynamics;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Core.Time;

namespace RlRobotics.Control.Controllers;

/// <summary>
/// Receding-horizon MPC on the real-time loop. Every cycle it
/// <list type="number">
/// <item>predicts the state x̂ at t + L (L = the actuation latency) with the model and the commands still in flight;</item>
/// <item>hands x̂ to the planner thread (every replan period), wait-free;</item>
/// <item>takes the newest plan, wait-free, and applies u = u_k + K_k (x̂ − x_ref(t + L)), with k the plan step that
/// holds t + L and x_ref interpolated between x_k and x_{k+1}, kept inside the joints' limits;</item>
/// <item>falls back (LQR, hold or safe stop, as the robot file says) while there is no plan it may apply: none yet,
/// one older than the maximum age, a diverged solve, or a dead planner — counted and reported.</item>
/// </list>
/// Update allocates nothing and never blocks on the wall clock.
/// </summary>
public sealed class MpcController : IController, IDisposable
{
    private readonly IDynamicsModel _model;
    private readonly MpcOptions _options;
    private readonly PlannerThread _planner;
    private readonly IController _fallback;
    private readonly int _n, _m, _latencySteps, _holdCycles;
    private readonly int[] _stateIndex, _commandIndex;
    private readonly CommandShaper[] _shapers;
    private readonly double[] _measured, _predicted, _next, _history, _u, _held;
    private readonly IStepper _rk4;
    private readonly long _replanPeriod_ns, _maxAge_ns;
    private readonly long[] _reasonCounts = new long[Enum.GetValues<FallbackReason>().Length];
    private readonly long _latency_ns;
    private readonly double _predictStep_s;
    private long _nextReplan_ns, _cycles;
    private int _historyHead;
    private bool _started, _unresponsive;

    public MpcController(RobotSpec robot, IDynamicsModel model, IPlanner planner, MpcOptions options, IController fallback, IClock clock)
    {
        _model = model;
        _options = options;
        _fallback = fallback;
        _n = model.StateSize;
        _m = model.ControlSize;
        Kind = planner.Name + "-mpc";
        _planner = new PlannerThread(planner, options, clock);
        // With a zero-order hold the commands in flight change once per hold period, so the prediction steps by it.
        _holdCycles = options.HoldPeriod_s is { } hold ? Math.Max(1, (int)Math.Round(hold / robot.Period_s)) : 1;
        _predictStep_s = _holdCycles * robot.Period_s;
        _latencySteps = (int)Math.Round(options.Latency_s / _predictStep_s);
        _latency_ns = (long)Math.Round(_latencySteps * _predictStep_s * 1e9);
        _replanPeriod_ns = (long)Math.Round(options.ReplanPeriod_s * 1e9);
        _maxAge_ns = (long)Math.Round((options.MaxPlanAge_s ?? planner.Problem.Horizon_s) * 1e9);
        _stateIndex = new int[_n];
        _commandIndex = new int[_m];
        _measured = new double[_n];
        _predicted = new double[_n];
        _next = new double[_n];
        _u = new double[_m];
        _held = new double[_m];
        _history = new double[Math.Max(1, _latencySteps) * _m];
        _rk4 = Steppers.Create(model);
        _shapers = model.ControlNames.Select(name =>
        {
            var (joint, kind) = InterfaceName.Split(name);
            var spec = robot.Joint(joint) ?? throw new InvalidOperationException($"MPC control '{name}' names no joint of the robot");
            return new CommandShaper(spec, kind);
        }).ToArray();
        ClaimedCommands = model.ControlNames;
    }

    public string Kind { get; }

    public IReadOnlyList<string> ClaimedCommands { get; }

    public MpcOptions Options => _options;

    /// <summary>The planner thread (statistics, and <see cref="PlannerThread.Kill"/> for fault-injection tests).</summary>
    public PlannerThread Planner => _planner;

    /// <summary>The controller used while no plan may be applied.</summary>
    public IController Fallback => _fallback;

    /// <summary>Why the current cycle falls back (None while a plan is applied).</summary>
    public FallbackReason CurrentFallback { get; private set; } = FallbackReason.NoPlan;

    /// <summary>Times the controller switched from a plan to the fallback.</summary>
    public long FallbackEvents { get; private set; }

    /// <summary>Cycles spent in the fallback, in all.</summary>
    public long FallbackCycles { get; private set; }

    /// <summary>Cycles in the fallback for <paramref name="reason"/>.</summary>
    public long FallbackCyclesFor(FallbackReason reason) => _reasonCounts[(int)reason];

    /// <summary>Loop time at which the fallback was first entered, ns (−1: never).</summary>
    public long FirstFallback_ns { get; private set; } = -1;

    /// <summary>Cycles run.</summary>
    public long Cycles => _cycles;

    public void Bind(StateFrame state, CommandFrame command)
    {
        for (var i = 0; i < _n; i++) _stateIndex[i] = state.Require(_model.StateNames[i]);
        for (var j = 0; j < _m; j++) _commandIndex[j] = command.Require(_model.ControlNames[j]);
        _fallback.Bind(state, command);
    }

    /// <summary>Solves the first plan from the first state (cold, full iterations) and starts the planner thread.</summary>
    public void Start(StateFrame state)
    {
        for (var i = 0; i < _n; i++) _measured[i] = state.Values[_stateIndex[i]];
        foreach (var s in _shapers) s.Reset(0);
        Array.Clear(_history);
        Array.Clear(_held);
        _fallback.Start(state);
        _planner.PlanNow(_measured, state.Stamp_ns + _latency_ns, _options.InitialIterations);
        _nextReplan_ns = state.Stamp_ns + _replanPeriod_ns;
        _planner.Start();
        _started = true;
    }

    public void Update(StateFrame state, CommandFrame command, in CycleTime time)
    {
        _cycles++;
        if (_holdCycles > 1 && (_cycles - 1) % _holdCycles != 0)
        {
            // Between hold ticks: the held command, whichever source it came from.
            for (var j = 0; j < _m; j++) command.Values[_commandIndex[j]] = _held[j];
            return;
        }
        var s = state.Values;
        for (var i = 0; i < _n; i++) _measured[i] = s[_stateIndex[i]];
        var target_ns = time.Now_ns + _latency_ns;
        Predict();

        // Lockstep: a request at each replan tick, then wait for its plan. Free-running: keep the planner's newest
        // state fresh every cycle; it replans on its own period. Either way the request is x̂ stamped t + L.
        var tick = _started && (time.Now_ns >= _nextReplan_ns || _holdCycles > 1);
        if (tick) while (_nextReplan_ns <= time.Now_ns) _nextReplan_ns += _replanPeriod_ns;
        if (_planner.IsAlive && !_unresponsive && (tick || !_options.Lockstep))
        {
            var request = _planner.RequestSlot;
            _predicted.AsSpan().CopyTo(request.State);
            request.Time_ns = target_ns;
            _planner.Submit();
            if (_options.Lockstep && !_planner.WaitForPlan()) _unresponsive = _planner.IsAlive;
        }

        var plan = _planner.Plans.ReadLatest();
        var reason = Judge(plan, target_ns);
        if (reason == FallbackReason.None)
        {
            ApplyPlan(plan!, target_ns, command, time.Period_s);
        }
        else
        {
            if (CurrentFallback == FallbackReason.None)
            {
                FallbackEvents++;
                if (FirstFallback_ns < 0) FirstFallback_ns = time.Now_ns;
                _fallback.Start(state);
            }
            FallbackCycles++;
            _reasonCounts[(int)reason]++;
            _fallback.Update(state, command, time);
            for (var j = 0; j < _m; j++) _shapers[j].Reset(command.Values[_commandIndex[j]]);
        }
        CurrentFallback = reason;
        for (var j = 0; j < _m; j++) _u[j] = _held[j] = command.Values[_commandIndex[j]];
        Remember(_u);
    }

    private FallbackReason Judge(Trajectory? plan, long target_ns)
    {
        if (!_planner.IsAlive) return FallbackReason.PlannerDead;
        if (_unresponsive) return FallbackReason.PlannerUnresponsive;
        if (plan is null) return FallbackReason.NoPlan;
        if (!plan.Usable) return FallbackReason.Diverged;
        var age = target_ns - plan.T0_ns;
        if (age > _maxAge_ns || target_ns >= plan.End_ns) return FallbackReason.StalePlan;
        return FallbackReason.None;
    }

    // u = u_k + K_k (x̂ − x_ref), x_ref linear between x_k and x_{k+1}; then the joints' limits.
    private void ApplyPlan(Trajectory plan, long target_ns, CommandFrame command, double period_s)
    {
        var t = Math.Max(0, (target_ns - plan.T0_ns) * 1e-9 / plan.Dt);
        var k = Math.Min((int)t, plan.Steps - 1);
        var frac = Math.Min(1, t - k);
        var xk = plan.X.AsSpan(k * _n, _n);
        var xk1 = plan.X.AsSpan((k + 1) * _n, _n);
        var gains = plan.K.AsSpan(k * _m * _n, _m * _n);
        for (var j = 0; j < _m; j++)
        {
            var u = plan.U[k * _m + j];
            for (var i = 0; i < _n; i++)
            {
                var reference = xk[i] + frac * (xk1[i] - xk[i]);
                u += gains[j * _n + i] * (_predicted[i] - reference);
            }
            command.Values[_commandIndex[j]] = _shapers[j].Shape(u, period_s);
        }
    }

    // x̂(t + L): roll the measured state forward through the commands issued in the last L seconds, which the
    // actuators have not applied yet (oldest first), one control period (or hold period) each.
    private void Predict()
    {
        _measured.AsSpan().CopyTo(_predicted);
        for (var c = 0; c < _latencySteps; c++)
        {
            var slot = (_historyHead + c) % _latencySteps;
            _rk4.Step(_predicted, _history.AsSpan(slot * _m, _m), _predictStep_s, _next);
            _next.AsSpan().CopyTo(_predicted);
        }
        // A model that blows up must not poison the plan: keep the measurement then.
        for (var i = 0; i < _n; i++)
        {
            if (!double.IsFinite(_predicted[i])) { _measured.AsSpan().CopyTo(_predicted); break; }
        }
    }

    private void Remember(ReadOnlySpan<double> u)
    {
        if (_latencySteps == 0) return;
        u.CopyTo(_history.AsSpan(_historyHead * _m, _m));
        _historyHead = (_historyHead + 1) % _latencySteps;
    }

    public void Dispose()
    {
        _planner.Dispose();
        if (_fallback is IDisposable d) d.Dispose();
    }
}
