namespace RlRobotics.Hal.Loop;

/// <summary>
/// Timing of the control loop, written by the loop thread and readable (as a possibly torn, never unsafe
/// view) from others. Lateness is wake-up time minus scheduled time.
/// </summary>
public sealed class LoopStatistics
{
    internal long _cycles, _overruns, _skippedPeriods, _allocatedBytes, _allocationCycles, _lastLateness;

    /// <summary>Wake-up lateness per cycle, µs.</summary>
    public Histogram Lateness { get; } = new();

    /// <summary>Read → update → filter → write time per cycle, µs (0 on the simulated clock).</summary>
    public Histogram Compute { get; } = new();

    /// <summary>The latest cycle's wake-up lateness, ns (read by observers in the same cycle: recorders, HIL rigs).</summary>
    public long LastLateness_ns => Volatile.Read(ref _lastLateness);

    /// <summary>Cycles run.</summary>
    public long Cycles => Volatile.Read(ref _cycles);

    /// <summary>Wake-ups later than one whole period.</summary>
    public long Overruns => Volatile.Read(ref _overruns);

    /// <summary>Periods skipped after overruns (never run back to back on stale time).</summary>
    public long SkippedPeriods => Volatile.Read(ref _skippedPeriods);

    /// <summary>Bytes allocated on the loop thread per cycle in steady state (after warm-up).</summary>
    public double AllocatedBytesPerCycle => _allocationCycles == 0 ? 0 : (double)_allocatedBytes / _allocationCycles;

    /// <summary>Bytes allocated on the loop thread after warm-up, in total.</summary>
    public long AllocatedBytes => _allocatedBytes;

    /// <summary>Cycles over which allocations were measured.</summary>
    public long AllocationCycles => _allocationCycles;
}
