namespace RlRobotics.Core.Time;

/// <summary>
/// The loop's time source, injected so robots run on the wall clock and CI on a deterministic simulated one.
/// Times are monotonic nanoseconds from an arbitrary origin.
/// </summary>
public interface IClock
{
    /// <summary><c>wall</c> or <c>sim</c>.</summary>
    string Name { get; }

    /// <summary>Whether time advances only when the loop sleeps (deterministic, as fast as the CPU allows).</summary>
    bool IsSimulated { get; }

    /// <summary>Current time, ns.</summary>
    long Now_ns { get; }

    /// <summary>Blocks until <paramref name="deadline_ns"/> (absolute); returns at once when it has passed.</summary>
    void SleepUntil(long deadline_ns);
}
