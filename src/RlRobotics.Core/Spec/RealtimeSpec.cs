namespace RlRobotics.Core.Spec;

/// <summary>Real-time requests for the control thread; each is reported as granted or refused when the loop starts.</summary>
public sealed record RealtimeSpec
{
    /// <summary>SCHED_FIFO priority 1–99; 0 keeps the default scheduler.</summary>
    public int SchedFifoPriority { get; init; }
    /// <summary>mlockall(MCL_CURRENT | MCL_FUTURE).</summary>
    public bool LockMemory { get; init; }
    /// <summary>Timer slack for the loop thread, ns (prctl PR_SET_TIMERSLACK); 0 leaves the default (50 µs).</summary>
    public long TimerSlack_ns { get; init; }
    /// <summary>CPUs the loop thread may run on; empty leaves the affinity alone.</summary>
    public IReadOnlyList<int> CpuAffinity { get; init; } = Array.Empty<int>();
    /// <summary>Busy-wait this long before each deadline instead of sleeping through it, µs.</summary>
    public double Spin_us { get; init; }

    public static RealtimeSpec None { get; } = new();
}
