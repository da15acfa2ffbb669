using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;

namespace RlRobotics.Hal.Safety;

/// <summary>
/// The last word between every command and every actuator. Each cycle, in order:
/// <list type="number">
/// <item>non-finite commands latch the e-stop (with the interface named in the reason);</item>
/// <item>a state older than the watchdog period (judged on the loop clock's real time) or non-finite makes every joint safe;</item>
/// <item>while safe (e-stop, stale state), each joint gets its safe command: hold the position it had, zero effort or zero velocity;</item>
/// <item>otherwise position, velocity and effort commands are bounded by ros2_control's soft-limit rule, the hard limits and the rate limits.</item>
/// </list>
/// Runs on the real-time thread and allocates nothing: event reasons are formatted when the filter is built.
/// </summary>
public sealed class SafetyFilter
{
    private const int EventCapacity = 1024;

    private readonly Guard[] _guards;
    private readonly long _watchdog_ns;
    private readonly SafetyEvent[] _events = new SafetyEvent[EventCapacity];
    private int _eventCount;
    private long _eventsDropped;

    private long _nonFinite, _position, _velocity, _effort, _rate, _watchdogTrips, _estops, _safeCycles;
    private bool _stale;
    private bool _safeLatched;
    private string? _estopReason;
    private string? _pendingEStop;
    private int _pendingReset;
    private bool _held;
    private string? _pendingHold;            // a reason: hold; RunMarker: run
    private const string RunMarker = "\0run";

    /// <summary>Per commanded joint: interface indices, limits and the filter's memory.</summary>
    private sealed class Guard
    {
        public required JointSpec Joint;
        public int Pos = -1, Vel = -1, Eff = -1;          // command indices
        public int StatePos = -1, StateVel = -1;           // state indices
        public double PrevPos = double.NaN, PrevVel, PrevEff;
        public double HoldPos = double.NaN;
        public required string NonFinitePos, NonFiniteVel, NonFiniteEff;
    }

    public SafetyFilter(RobotSpec robot, StateFrame state, CommandFrame command)
    {
        _watchdog_ns = (long)(robot.Safety.Watchdog_s * 1e9);
        var guards = new List<Guard>();
        foreach (var joint in robot.Joints)
        {
            if (joint.CommandInterfaces.Count == 0) continue;
            var g = new Guard
            {
                Joint = joint,
                NonFinitePos = $"non-finite command on {InterfaceName.Of(joint.Name, InterfaceKind.Position)}",
                NonFiniteVel = $"non-finite command on {InterfaceName.Of(joint.Name, InterfaceKind.Velocity)}",
                NonFiniteEff = $"non-finite command on {InterfaceName.Of(joint.Name, InterfaceKind.Effort)}",
                Pos = command.IndexOf(InterfaceName.Of(joint.Name, InterfaceKind.Position)),
                Vel = command.IndexOf(InterfaceName.Of(joint.Name, InterfaceKind.Velocity)),
                Eff = command.IndexOf(InterfaceName.Of(joint.Name, InterfaceKind.Effort)),
                StatePos = state.IndexOf(InterfaceName.Of(joint.Name, InterfaceKind.Position)),
                StateVel = state.IndexOf(InterfaceName.Of(joint.Name, InterfaceKind.Velocity)),
            };
            guards.Add(g);
        }
        _guards = guards.ToArray();
        WatchdogReason = $"state older than the watchdog period of {robot.Safety.Watchdog_s * 1e3:0.###} ms, or not finite";
    }

    private string WatchdogReason { get; }

    /// <summary>Whether the e-stop is latched.</summary>
    public bool EStopLatched => Volatile.Read(ref _safeLatched);

    /// <summary>Why the e-stop latched, or null.</summary>
    public string? EStopReason => Volatile.Read(ref _estopReason);

    /// <summary>Whether the filter is commanding safe values this cycle (e-stop, stale state or hold mode).</summary>
    public bool InSafeMode => EStopLatched || Volatile.Read(ref _stale) || Volatile.Read(ref _held);

    /// <summary>Whether hold mode is on (<see cref="RequestHold"/>).</summary>
    public bool Held => Volatile.Read(ref _held);

    /// <summary>
    /// Asks for hold mode (<paramref name="hold"/> true: every joint holds as in safe mode, without latching an e-stop) or for
    /// normal running, at the filter's next cycle (any thread). <paramref name="reason"/> goes into the event.
    /// </summary>
    public void RequestHold(bool hold, string reason) => Volatile.Write(ref _pendingHold, hold ? reason : RunMarker);

    /// <summary>Asks the filter to latch the e-stop at its next cycle (any thread; e.g. an operator or a remote command).</summary>
    public void RequestEStop(string reason) => Interlocked.CompareExchange(ref _pendingEStop, reason, null);

    /// <summary>Asks the filter to release a latched e-stop at its next cycle (any thread). Commands then resume rate-limited from the safe values.</summary>
    public void RequestRelease() => Volatile.Write(ref _pendingReset, 1);

    public SafetyCounters Counters => new()
    {
        NonFinite = Volatile.Read(ref _nonFinite),
        PositionLimited = Volatile.Read(ref _position),
        VelocityLimited = Volatile.Read(ref _velocity),
        EffortLimited = Volatile.Read(ref _effort),
        RateLimited = Volatile.Read(ref _rate),
        WatchdogTrips = Volatile.Read(ref _watchdogTrips),
        EStops = Volatile.Read(ref _estops),
        SafeCycles = Volatile.Read(ref _safeCycles),
    };

    /// <summary>Recorded events (read after the loop stopped, or accept a torn view while it runs).</summary>
    public IReadOnlyList<SafetyEvent> Events => _events.AsSpan(0, Volatile.Read(ref _eventCount)).ToArray();

    /// <summary>Events not recorded because the log was full.</summary>
    public long EventsDropped => _eventsDropped;

    /// <summary>
    /// Filters <paramref name="command"/> in place for this cycle. <paramref name="now_ns"/> is the clock's
    /// current time (after the read), against which the state's age is judged.
    /// </summary>
    public void Apply(StateFrame state, CommandFrame command, in CycleTime time, long now_ns)
    {
        var values = command.Values;
        var s = state.Values;
        var dt = time.Period_s > 0 ? time.Period_s : 1e-3;

        if (Volatile.Read(ref _pendingReset) == 1)
        {
            Volatile.Write(ref _pendingReset, 0);
            if (_safeLatched)
            {
                Volatile.Write(ref _safeLatched, false);
                Record(time.Now_ns, SafetyEventKind.EStopReleased, _estopReason ?? "");
                Volatile.Write(ref _estopReason, null);
            }
        }
        var requested = Interlocked.Exchange(ref _pendingEStop, null);
        if (requested is not null) Latch(time.Now_ns, requested, s);
        var mode = Interlocked.Exchange(ref _pendingHold, null);
        if (mode is not null)
        {
            var hold = !ReferenceEquals(mode, RunMarker);
            if (hold && !_held)
            {
                if (!_safeLatched && !_stale) CaptureHold(s);
                Volatile.Write(ref _held, true);
                Record(time.Now_ns, SafetyEventKind.HoldEngaged, mode);
            }
            else if (!hold && _held)
            {
                Volatile.Write(ref _held, false);
                Record(time.Now_ns, SafetyEventKind.HoldReleased, "");
            }
        }

        // 1. Non-finite commands.
        foreach (var g in _guards)
        {
            if (g.Pos >= 0 && !double.IsFinite(values[g.Pos])) { _nonFinite++; Latch(time.Now_ns, g.NonFinitePos, s); }
            if (g.Vel >= 0 && !double.IsFinite(values[g.Vel])) { _nonFinite++; Latch(time.Now_ns, g.NonFiniteVel, s); }
            if (g.Eff >= 0 && !double.IsFinite(values[g.Eff])) { _nonFinite++; Latch(time.Now_ns, g.NonFiniteEff, s); }
        }

        // 2. Watchdog on state freshness and validity.
        // Compared without subtracting the stamp: a failed read stamps long.MinValue, and now − MinValue overflows.
        var stale = state.Stamp_ns < now_ns - _watchdog_ns || !StateFinite(s);
        if (stale && !_stale)
        {
            _watchdogTrips++;
            Record(time.Now_ns, SafetyEventKind.WatchdogTripped, WatchdogReason);
            if (!_safeLatched) CaptureHold(s);
        }
        else if (!stale && _stale)
        {
            Record(time.Now_ns, SafetyEventKind.WatchdogCleared, WatchdogReason);
        }
        Volatile.Write(ref _stale, stale);

        // 3. Safe mode.
        if (_safeLatched || stale || _held)
        {
            _safeCycles++;
            foreach (var g in _guards) CommandSafe(g, values, s);
            return;
        }

        // 4. Limits.
        foreach (var g in _guards) Limit(g, values, s, dt);
    }

    private bool StateFinite(double[] s)
    {
        foreach (var g in _guards)
        {
            if (g.StatePos >= 0 && !double.IsFinite(s[g.StatePos])) return false;
            if (g.StateVel >= 0 && !double.IsFinite(s[g.StateVel])) return false;
        }
        return true;
    }

    private void Latch(long now_ns, string reason, double[] s)
    {
        if (_safeLatched) return;
        _estops++;
        Volatile.Write(ref _estopReason, reason);
        Volatile.Write(ref _safeLatched, true);
        Record(now_ns, SafetyEventKind.EStopLatched, reason);
        if (!_stale) CaptureHold(s);
    }

    // Hold where the joint is now; fall back to the last position command when the state is unusable.
    private void CaptureHold(double[]? s)
    {
        foreach (var g in _guards)
        {
            var measured = s is not null && g.StatePos >= 0 ? s[g.StatePos] : double.NaN;
            g.HoldPos = double.IsFinite(measured) ? measured : g.PrevPos;
        }
    }

    private static void CommandSafe(Guard g, double[] values, double[] s)
    {
        if (double.IsNaN(g.HoldPos))
            g.HoldPos = g.StatePos >= 0 && double.IsFinite(s[g.StatePos]) ? s[g.StatePos] : 0;
        if (g.Pos >= 0) values[g.Pos] = g.HoldPos;
        if (g.Vel >= 0) values[g.Vel] = 0;
        if (g.Eff >= 0) values[g.Eff] = 0;
        g.PrevPos = g.HoldPos;
        g.PrevVel = 0;
        g.PrevEff = 0;
    }

    private void Limit(Guard g, double[] values, double[] s, double dt)
    {
        var lim = g.Joint.Limits;
        var soft = g.Joint.Soft;
        var vmax = lim.Velocity ?? double.PositiveInfinity;
        var pos = g.StatePos >= 0 ? s[g.StatePos] : double.NaN;
        var vel = g.StateVel >= 0 ? s[g.StateVel] : 0;

        // Velocity bounds from the soft position limits (ros2_control SoftJointLimits):
        // v_min = clamp(−k_p (q − q_soft_min), ±v_max), v_max = clamp(−k_p (q − q_soft_max), ±v_max).
        double vLo = -vmax, vHi = vmax;
        if (soft is not null && double.IsFinite(pos))
        {
            vLo = Math.Clamp(-soft.KPosition * (pos - soft.Lower), -vmax, vmax);
            vHi = Math.Clamp(-soft.KPosition * (pos - soft.Upper), -vmax, vmax);
        }

        if (g.Pos >= 0)
        {
            // The soft limiter works from the previous command, because the measured position lags.
            var prev = double.IsFinite(g.PrevPos) ? g.PrevPos : (double.IsFinite(pos) ? pos : values[g.Pos]);
            double lo = double.NegativeInfinity, hi = double.PositiveInfinity;
            if (soft is not null)
            {
                lo = prev + Math.Clamp(-soft.KPosition * (prev - soft.Lower), -vmax, vmax) * dt;
                hi = prev + Math.Clamp(-soft.KPosition * (prev - soft.Upper), -vmax, vmax) * dt;
            }
            else if (double.IsFinite(vmax))
            {
                lo = prev - vmax * dt;
                hi = prev + vmax * dt;
            }
            if (lim.PositionMin is { } pmin) lo = Math.Max(lo, pmin);
            if (lim.PositionMax is { } pmax) hi = Math.Min(hi, pmax);
            var v = values[g.Pos];
            var c = Clamp(v, lo, hi);
            if (Changed(v, c)) _position++;
            values[g.Pos] = c;
            g.PrevPos = c;
        }

        if (g.Vel >= 0)
        {
            g.PrevVel = values[g.Vel] = ClampAndLimitRate(values[g.Vel], vLo, vHi, g.PrevVel, lim.Acceleration, dt, ref _velocity);
        }

        if (g.Eff >= 0)
        {
            var emax = lim.Effort ?? double.PositiveInfinity;
            double lo = -emax, hi = emax;
            if (soft is not null && double.IsFinite(pos))
            {
                // Effort bounds that bring the velocity back inside [v_min, v_max]:
                // e_min = clamp(−k_v (q̇ − v_min), ±e_max), e_max = clamp(−k_v (q̇ − v_max), ±e_max).
                lo = Math.Clamp(-soft.KVelocity * (vel - vLo), -emax, emax);
                hi = Math.Clamp(-soft.KVelocity * (vel - vHi), -emax, emax);
            }
            g.PrevEff = values[g.Eff] = ClampAndLimitRate(values[g.Eff], lo, hi, g.PrevEff, lim.EffortRate, dt, ref _effort);
        }
    }

    // Clamps to [lo, hi] (counted in <paramref name="clamped"/>), then to ±rate·dt around the previous command
    // (counted as a rate limit).
    private double ClampAndLimitRate(double requested, double lo, double hi, double previous, double? rate, double dt, ref long clamped)
    {
        var c = Clamp(requested, lo, hi);
        if (Changed(requested, c)) clamped++;
        if (rate is { } r)
        {
            var limited = Math.Clamp(c, previous - r * dt, previous + r * dt);
            if (Changed(c, limited)) _rate++;
            c = limited;
        }
        return c;
    }

    private static double Clamp(double v, double lo, double hi) =>
        lo > hi ? 0.5 * (lo + hi) : Math.Min(Math.Max(v, lo), hi);

    private static bool Changed(double requested, double granted) =>
        Math.Abs(requested - granted) > 1e-9 * (1 + Math.Abs(requested));

    private void Record(long now_ns, SafetyEventKind kind, string detail)
    {
        var n = _eventCount;
        if (n >= EventCapacity) { _eventsDropped++; return; }
        _events[n] = new SafetyEvent(now_ns, kind, detail);
        Volatile.Write(ref _eventCount, n + 1);
    }
}
