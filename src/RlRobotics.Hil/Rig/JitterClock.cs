using RlRobotics.Core.Time;

namespace RlRobotics.Hil.Rig;

/// <summary>
/// The node's clock with wake-ups made late on purpose: while <see cref="MaxLate_ns"/> is above 0, every
/// <see cref="SleepUntil"/> returns a seeded, uniformly drawn 0 … max later than asked, as on a loaded host or one
/// without real-time scheduling. Reading the time is untouched, so the loop measures the lateness it suffers and
/// components see consistent time. On the simulated clock the extra is simulated time, so runs stay deterministic.
/// </summary>
public sealed class JitterClock(IClock inner, int seed) : IClock
{
    private readonly Random _random = new(seed);
    private long _maxLate_ns;

    public string Name => inner.Name;
    public bool IsSimulated => inner.IsSimulated;
    public long Now_ns => inner.Now_ns;

    /// <summary>The most a wake-up is made late, ns; 0 (the default) passes sleeps through unchanged.</summary>
    public long MaxLate_ns
    {
        get => Volatile.Read(ref _maxLate_ns);
        set => Volatile.Write(ref _maxLate_ns, Math.Max(0, value));
    }

    public void SleepUntil(long deadline_ns)
    {
        var max = MaxLate_ns;
        inner.SleepUntil(max > 0 ? deadline_ns + _random.NextInt64(max + 1) : deadline_ns);
    }
}
