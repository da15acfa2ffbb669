namespace RlRobotics.Mqtt.Managed;

/// <summary>How a <see cref="ManagedMqttClient"/> connects, retries and queues.</summary>
public sealed class ManagedMqttClientOptions
{
    /// <summary>The connection settings. Use clean session off (and a fixed client id) so unacknowledged messages and subscriptions survive a reconnect.</summary>
    public required MqttClientOptions ClientOptions { get; init; }

    /// <summary>Messages waiting to be sent (1 … 10,000,000). When full, the oldest waiting message is dropped and counted.</summary>
    public int MaxPendingMessages { get; init; } = 10_000;

    /// <summary>First reconnect delay, and the pause after a connection drops before the first attempt (1 ms … 1 min).</summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest delay between attempts; the exponential backoff (with jitter) stops growing here (≥ the minimum, ≤ 1 h).</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time for the retry delays; null: the client options' TimeProvider.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Checks the ranges; throws <see cref="ArgumentException"/> naming the setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(ClientOptions);
        ClientOptions.Validate();
        if (MaxPendingMessages is < 1 or > 10_000_000) throw new ArgumentException($"max pending messages: expected 1 … 10,000,000, got {MaxPendingMessages}");
        if (MinReconnectDelay < TimeSpan.FromMilliseconds(1) || MinReconnectDelay > TimeSpan.FromMinutes(1)) throw new ArgumentException($"min reconnect delay: expected 1 ms … 1 min, got {MinReconnectDelay.TotalSeconds} s");
        if (MaxReconnectDelay < MinReconnectDelay || MaxReconnectDelay > TimeSpan.FromHours(1)) throw new ArgumentException($"max reconnect delay: expected {MinReconnectDelay.TotalSeconds} s … 1 h, got {MaxReconnectDelay.TotalSeconds} s");
    }
}
