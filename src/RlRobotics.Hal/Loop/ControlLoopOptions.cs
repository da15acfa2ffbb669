using RlRobotics.Core.Spec;

namespace RlRobotics.Hal.Loop;

/// <summary>Options of a <see cref="ControlLoop"/>.</summary>
public sealed record ControlLoopOptions
{
    /// <summary>Loop rate, Hz.</summary>
    public required double RateHz { get; init; }

    /// <summary>How long to run, s of loop-clock time; null runs until <see cref="ControlLoop.Stop"/>.</summary>
    public double? Duration_s { get; init; }

    /// <summary>Real-time requests applied to the loop thread.</summary>
    public RealtimeSpec Realtime { get; init; } = RealtimeSpec.None;

    /// <summary>Cycles run before allocations are counted (JIT and first-touch warm-up).</summary>
    public int WarmupCycles { get; init; } = 200;

    /// <summary>Period, ns.</summary>
    public long Period_ns => (long)Math.Round(1e9 / RateHz);
}
