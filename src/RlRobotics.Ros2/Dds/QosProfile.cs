namespace RlRobotics.Ros2.Dds;

/// <summary>DDS reliability: a reader's request must be at most the writer's offer (BEST_EFFORT &lt; RELIABLE).</summary>
public enum Reliability { BestEffort = 0, Reliable = 1 }

/// <summary>DDS durability: a reader's request must be at most the writer's offer (VOLATILE &lt; TRANSIENT_LOCAL).</summary>
public enum Durability { Volatile = 0, TransientLocal = 1 }

/// <summary>DDS history kind.</summary>
public enum History { KeepLast = 0, KeepAll = 1 }

/// <summary>
/// A ROS 2 QoS profile (rmw's <c>rmw_qos_profile_t</c>, shaped like ros2_dotnet's immutable <c>QosProfile</c>).
/// Applied to Cyclone exactly as rmw_cyclonedds' <c>create_readwrite_qos</c> does.
/// </summary>
public sealed record QosProfile(
    History History = History.KeepLast,
    int Depth = 10,
    Reliability Reliability = Reliability.Reliable,
    Durability Durability = Durability.Volatile,
    TimeSpan? Deadline = null,
    TimeSpan? Lifespan = null,
    TimeSpan? LivelinessLease = null)
{
    /// <summary>rmw_qos_profile_default: keep last 10, reliable, volatile.</summary>
    public static QosProfile DefaultProfile { get; } = new();

    /// <summary>rmw_qos_profile_sensor_data: keep last 5, best effort, volatile.</summary>
    public static QosProfile SensorDataProfile { get; } = new(Depth: 5, Reliability: Reliability.BestEffort);

    /// <summary>rmw_qos_profile_services_default: keep last 10, reliable, volatile.</summary>
    public static QosProfile ServicesDefaultProfile { get; } = new();

    /// <summary>rmw_qos_profile_parameters: keep last 1000, reliable, volatile.</summary>
    public static QosProfile ParametersProfile { get; } = new(Depth: 1000);

    /// <summary>rmw_qos_profile_parameter_events: keep last 1000, reliable, volatile.</summary>
    public static QosProfile ParameterEventsProfile { get; } = new(Depth: 1000);

    /// <summary>What <c>ros_discovery_info</c>'s writer uses: keep last 1, reliable, transient local.</summary>
    public static QosProfile DiscoveryInfoProfile { get; } = new(Depth: 1, Durability: Durability.TransientLocal);

    public QosProfile KeepLast(int depth) => this with { History = History.KeepLast, Depth = depth };
    public QosProfile KeepAll() => this with { History = History.KeepAll };
    public QosProfile WithReliable() => this with { Reliability = Reliability.Reliable };
    public QosProfile WithBestEffort() => this with { Reliability = Reliability.BestEffort };
    public QosProfile WithVolatile() => this with { Durability = Durability.Volatile };
    public QosProfile WithTransientLocal() => this with { Durability = Durability.TransientLocal };

    /// <summary>Parses a profile name as <c>ros2 topic</c> accepts it: default, sensor_data, services_default, parameters, parameter_events.</summary>
    public static QosProfile FromName(string name) => name switch
    {
        "default" or "system_default" => DefaultProfile,
        "sensor_data" => SensorDataProfile,
        "services_default" => ServicesDefaultProfile,
        "parameters" => ParametersProfile,
        "parameter_events" => ParameterEventsProfile,
        _ => throw new ArgumentException(
            $"unknown QoS profile '{name}': expected default, sensor_data, services_default, parameters or parameter_events"),
    };

    /// <summary>Builds Cyclone QoS the way rmw_cyclonedds does; the caller deletes it with <c>dds_delete_qos</c>.</summary>
    internal unsafe IntPtr ToNative(ReadOnlySpan<byte> userData = default)
    {
        if (History == History.KeepLast && Depth < 1)
            throw new ArgumentException($"QoS keep-last depth must be at least 1, got {Depth}");
        var qos = DdsNative.dds_create_qos();
        DdsNative.dds_qset_writer_data_lifecycle(qos, false);
        DdsNative.dds_qset_history(qos, (int)History, History == History.KeepAll ? -1 : Depth);
        DdsNative.dds_qset_reliability(qos, (int)Reliability, Reliability == Reliability.Reliable ? DdsNative.Infinity : 0);
        DdsNative.dds_qset_durability(qos, (int)Durability);
        if (Durability == Durability.TransientLocal)
            DdsNative.dds_qset_durability_service(qos, 0, (int)History, History == History.KeepAll ? -1 : Depth, -1, -1, -1);
        if (Deadline is { } deadline) DdsNative.dds_qset_deadline(qos, Nanoseconds(deadline));
        if (Lifespan is { } lifespan) DdsNative.dds_qset_lifespan(qos, Nanoseconds(lifespan));
        DdsNative.dds_qset_liveliness(qos, 0, LivelinessLease is { } lease ? Nanoseconds(lease) : DdsNative.Infinity);
        if (!userData.IsEmpty)
        {
            fixed (byte* p = userData) DdsNative.dds_qset_userdata(qos, p, (nuint)userData.Length);
        }
        return qos;
    }

    /// <summary>Creates an entity with this QoS (and USER_DATA), deleting the native QoS afterwards; throws on failure.</summary>
    internal int CreateWith(ReadOnlySpan<byte> userData, Func<IntPtr, int> create, string doing)
    {
        var native = ToNative(userData);
        try
        {
            return DdsException.Check(create(native), doing);
        }
        finally
        {
            DdsNative.dds_delete_qos(native);
        }
    }

    static long Nanoseconds(TimeSpan t) => t.Ticks * 100;
}
