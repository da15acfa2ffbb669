namespace RlRobotics.Hal.Safety;

/// <summary>How often the safety filter stepped in, by reason. A snapshot; counts since the filter was built.</summary>
public readonly record struct SafetyCounters
{
    /// <summary>Commands that were NaN or ±Inf (each latches the e-stop).</summary>
    public long NonFinite { get; init; }
    /// <summary>Position commands pulled inside the (soft) position limits.</summary>
    public long PositionLimited { get; init; }
    /// <summary>Velocity commands clamped by the velocity limit or by the soft position limits.</summary>
    public long VelocityLimited { get; init; }
    /// <summary>Effort commands clamped by the effort limit or by the soft position/velocity limits.</summary>
    public long EffortLimited { get; init; }
    /// <summary>Commands slowed by a rate limit (effort rate, acceleration, position step).</summary>
    public long RateLimited { get; init; }
    /// <summary>Times the state became older than the watchdog period (or invalid).</summary>
    public long WatchdogTrips { get; init; }
    /// <summary>Times the e-stop latched.</summary>
    public long EStops { get; init; }
    /// <summary>Cycles in which every joint was held safe (e-stop, stale state, failed component).</summary>
    public long SafeCycles { get; init; }

    /// <summary>Every time the filter changed what a controller asked for, or took over.</summary>
    public long Interventions => NonFinite + PositionLimited + VelocityLimited + EffortLimited + RateLimited + WatchdogTrips + EStops;
}

/// <summary>Kinds of recorded safety events.</summary>
public enum SafetyEventKind
{
    EStopLatched,
    EStopReleased,
    WatchdogTripped,
    WatchdogCleared,
    /// <summary>Hold mode on (e.g. a remote <c>mode hold</c>): every joint holds as in safe mode, nothing latched.</summary>
    HoldEngaged,
    /// <summary>Hold mode off: commands resume, rate-limited from the held values.</summary>
    HoldReleased,
}

/// <summary>One safety event on the loop clock.</summary>
/// <param name="Time_ns">Loop-clock time, ns.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Detail">Why (preformatted, so recording never allocates).</param>
public readonly record struct SafetyEvent(long Time_ns, SafetyEventKind Kind, string Detail);
