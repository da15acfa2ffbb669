namespace RlRobotics.Core.Time;

/// <summary>
/// A clock that only moves when someone sleeps on it or advances it: sleeping to a deadline jumps there at
/// once. Runs a control loop as fast as the CPU allows and is fully deterministic.
/// </summary>
public sealed class SimulatedClock : IClock
{
    private long _now;

    public SimulatedClock(long start_ns = 0) => _now = start_ns;

    public string Name => "sim";

    public bool IsSimulated => true;

    public long Now_ns => Volatile.Read(ref _now);

    public void SleepUntil(long deadline_ns)
    {
        if (deadline_ns > _now) Volatile.Write(ref _now, deadline_ns);
    }

    /// <summary>Moves time forward by <paramref name="delta_ns"/> (tests use it to model compute time or stalls).</summary>
    public void Advance(long delta_ns)
    {
        if (delta_ns < 0) throw new ArgumentOutOfRangeException(nameof(delta_ns), "time only moves forward");
        Volatile.Write(ref _now, _now + delta_ns);
    }
}
