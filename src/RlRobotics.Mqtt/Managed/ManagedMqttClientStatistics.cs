namespace RlRobotics.Mqtt.Managed;

/// <summary>Counters of a <see cref="ManagedMqttClient"/> at one moment (all since it was created).</summary>
public readonly record struct ManagedMqttClientStatistics
{
    /// <summary>Messages accepted by Enqueue.</summary>
    public long Enqueued { get; init; }

    /// <summary>Messages done: QoS 0 written to the socket, QoS 1 PUBACKed, QoS 2 PUBCOMPed.</summary>
    public long Delivered { get; init; }

    /// <summary>Messages given up: the oldest waiting one when the queue was full, and QoS 0 offered while disconnected.</summary>
    public long Dropped { get; init; }

    /// <summary>Successful connections after the first.</summary>
    public long Reconnects { get; init; }

    /// <summary>Connection attempts that failed (refused, unreachable, TLS, protocol error, timeout).</summary>
    public long ConnectFailures { get; init; }

    /// <summary>Connections ended or refused because the broker broke the protocol.</summary>
    public long ProtocolErrors { get; init; }

    /// <summary>Messages waiting in the queue now.</summary>
    public int Pending { get; init; }

    /// <summary>QoS 1/2 messages sent and not yet acknowledged now.</summary>
    public int InFlight { get; init; }
}
