namespace RlRobotics.Core.Time;

/// <summary>
/// A <see cref="TimeProvider"/> that reads an <see cref="IClock"/>, so libraries that take one (Polly's circuit
/// breaker) measure their windows in loop time: deterministic on the simulated clock, real on the wall clock.
/// Timers are not supported on a simulated clock (nothing would fire them).
/// </summary>
public sealed class ClockTimeProvider(IClock clock) : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public IClock Clock { get; } = clock;

    public override long TimestampFrequency => 1_000_000_000;

    public override long GetTimestamp() => Clock.Now_ns;

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(Clock.Now_ns / 100);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        Clock.IsSimulated
            ? throw new NotSupportedException("timers cannot run on a simulated clock")
            : base.CreateTimer(callback, state, dueTime, period);
}
