using RlRobotics.Hal.Components;
using RlRobotics.Hal.Safety;

namespace RlRobotics.Hal.Loop;

/// <summary>What telemetry (ROS 2 diagnostics, the MQTT fleet link) reports on besides the state: the loop, the filter, the hardware.</summary>
public sealed record TelemetrySources(LoopStatistics Loop, SafetyFilter Filter, ResourceManager Resources, Func<Exception?> ControllerFault);
