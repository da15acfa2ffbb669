namespace RlRobotics.Core.Frames;

/// <summary>Timing of one control cycle.</summary>
/// <param name="Now_ns">Time the cycle started, on the loop clock, ns.</param>
/// <param name="Period_s">Time since the previous cycle started, s (one period unless periods were skipped).</param>
/// <param name="Cycle">Cycle number, from 0.</param>
public readonly record struct CycleTime(long Now_ns, double Period_s, long Cycle)
{
    /// <summary>Cycle start in seconds.</summary>
    public double Now_s => Now_ns * 1e-9;
}
