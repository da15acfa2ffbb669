namespace RlRobotics.Mqtt.Tests.Rig;

/// <summary>A TimeProvider whose clock moves only when the test calls <see cref="Advance"/>; timers fire then.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private long _now_ticks = TimeSpan.FromDays(1).Ticks;

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override long GetTimestamp() => Interlocked.Read(ref _now_ticks);

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(GetTimestamp());

    /// <summary>Timers waiting to fire.</summary>
    public int ActiveTimers { get { lock (_gate) return _timers.Count(t => t.Due_ticks != long.MaxValue); } }

    /// <summary>Waits (real time, bounded) until at least <paramref name="count"/> timers are armed.</summary>
    public async Task WaitForTimersAsync(int count = 1, double timeout_s = 5)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeout_s);
        while (ActiveTimers < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"expected {count} armed timers, have {ActiveTimers}");
            await Task.Delay(1);
        }
    }

    /// <summary>Moves the clock and fires every timer that came due.</summary>
    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_gate)
        {
            _now_ticks += by.Ticks;
            due = [.. _timers.Where(t => t.Due_ticks <= _now_ticks)];
            foreach (var t in due)
            {
                if (t.Period_ticks > 0) t.Due_ticks = _now_ticks + t.Period_ticks;
                else t.Due_ticks = long.MaxValue;
            }
        }
        foreach (var t in due) t.Fire();
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var t = new ManualTimer(this, callback, state);
        t.Change(dueTime, period);
        return t;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long Due_ticks = long.MaxValue;
        public long Period_ticks;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                if (!owner._timers.Contains(this)) owner._timers.Add(this);
                Due_ticks = dueTime == Timeout.InfiniteTimeSpan ? long.MaxValue : owner._now_ticks + dueTime.Ticks;
                Period_ticks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            }
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate) owner._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
