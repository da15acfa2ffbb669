namespace RlRobotics.Core.Spec;

/// <summary>A validated robot description, read from <c>robots/*.yaml</c> by <see cref="RobotSpecLoader"/>.</summary>
public sealed record RobotSpec
{
    /// <summary>Robot name (used in topics and reports).</summary>
    public required string Name { get; init; }

    /// <summary>Path of the file this spec came from.</summary>
    public required string SourcePath { get; init; }

    /// <summary>Control-loop rate, Hz.</summary>
    public required double RateHz { get; init; }

    public required IReadOnlyList<JointSpec> Joints { get; init; }

    public required IReadOnlyList<SensorSpec> Sensors { get; init; }

    public required IReadOnlyList<ComponentSpec> Components { get; init; }

    public required SafetySpec Safety { get; init; }

    public required RealtimeSpec Realtime { get; init; }

    public required AgentSpec Agent { get; init; }

    /// <summary>The <c>mqtt:</c> section (the fleet link), read by the MQTT project; null when absent.</summary>
    public ConfigNode? Mqtt { get; init; }

    /// <summary>The task the robot is judged on (goal and success criterion); null when none is declared.</summary>
    public TaskSpec? Task { get; init; }

    /// <summary>Control period, s.</summary>
    public double Period_s => 1.0 / RateHz;

    /// <summary>The joint called <paramref name="name"/>, or null.</summary>
    public JointSpec? Joint(string name) => Joints.FirstOrDefault(j => j.Name == name);
}
