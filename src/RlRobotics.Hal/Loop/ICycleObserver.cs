using RlRobotics.Core.Frames;

namespace RlRobotics.Hal.Loop;

/// <summary>
/// Sees the state and the filtered commands at the end of every cycle, on the real-time thread (task
/// monitors, telemetry writers). Must be fast and must not allocate.
/// </summary>
public interface ICycleObserver
{
    void OnCycle(StateFrame state, CommandFrame command, in CycleTime time);
}
