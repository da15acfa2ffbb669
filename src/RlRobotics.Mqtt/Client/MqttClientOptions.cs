using System.Text;

namespace RlRobotics.Mqtt;

/// <summary>Everything <see cref="IMqttClient.ConnectAsync"/> needs. Build it with <see cref="MqttClientOptionsBuilder"/>.</summary>
public sealed class MqttClientOptions
{
    /// <summary>Broker host name or address.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>Broker TCP port (1883 plain, 8883 TLS by convention).</summary>
    public int Port { get; set; } = 1883;

    /// <summary>Client identifier; empty lets the broker assign one (clean session only).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>User name, or null for none.</summary>
    public string? Username { get; set; }

    /// <summary>Password bytes, or null for none (needs a user name in MQTT 3.1.1).</summary>
    public byte[]? Password { get; set; }

    /// <summary>True: the broker discards the session on connect and disconnect. False: subscriptions and QoS 1/2 state persist.</summary>
    public bool CleanSession { get; set; } = true;

    /// <summary>Longest silence before the client sends PINGREQ (whole seconds, 0 … 65535 s; 0 turns keep-alive off).</summary>
    public TimeSpan KeepAlivePeriod { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Last-will topic, or null for no will.</summary>
    public string? WillTopic { get; set; }

    /// <summary>Last-will payload (≤ 65535 bytes).</summary>
    public byte[] WillPayload { get; set; } = [];

    /// <summary>Last-will QoS.</summary>
    public MqttQualityOfServiceLevel WillQualityOfServiceLevel { get; set; }

    /// <summary>Last-will retain flag.</summary>
    public bool WillRetain { get; set; }

    /// <summary>TLS settings; <see cref="MqttClientTlsOptions.UseTls"/> false means plain TCP.</summary>
    public MqttClientTlsOptions TlsOptions { get; set; } = new();

    /// <summary>How long to wait for TCP/TLS connect, CONNACK, SUBACK, UNSUBACK and PINGRESP (1 ms … 1 h).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest packet accepted from the broker, bytes (fixed header included; 2 … 268,435,460). A bigger one is a protocol error.</summary>
    public int MaximumPacketSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>QoS 1/2 messages sent but not yet acknowledged (1 … 65535); PublishAsync waits for a free slot.</summary>
    public int MaximumInFlight { get; set; } = 100;

    /// <summary>Time for keep-alive and timeouts; tests inject a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Test seam: opens the byte stream instead of TCP/TLS.</summary>
    internal Func<CancellationToken, ValueTask<Stream>>? StreamFactory { get; set; }

    internal string Endpoint => $"{Host}:{Port}{(TlsOptions.UseTls ? " (TLS)" : "")}";

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the one that is wrong.</summary>
    public void Validate()
    {
        if (StreamFactory is null && string.IsNullOrWhiteSpace(Host)) throw new ArgumentException("broker host: expected a host name or address, got nothing");
        if (Port is < 1 or > 65535) throw new ArgumentException($"broker port: expected 1 … 65535, got {Port}");
        if (Encoding.UTF8.GetByteCount(ClientId) > 65535 || ClientId.Contains('\0')) throw new ArgumentException("client id: expected at most 65535 UTF-8 bytes without U+0000");
        if (ClientId.Length == 0 && !CleanSession) throw new ArgumentException("client id: an empty client id needs clean session on (MQTT 3.1.1 rule 3.1.3-7)");
        if (Password is not null && Username is null) throw new ArgumentException("credentials: MQTT 3.1.1 allows a password only together with a user name");
        if (KeepAlivePeriod < TimeSpan.Zero || KeepAlivePeriod > TimeSpan.FromSeconds(65535)) throw new ArgumentException($"keep-alive: expected 0 … 65535 s, got {KeepAlivePeriod.TotalSeconds} s");
        if (WillTopic is not null) Topics.MqttTopicFilter.ValidateTopicName(WillTopic);
        if (WillPayload.Length > 65535) throw new ArgumentException($"will payload: expected at most 65535 bytes, got {WillPayload.Length}");
        if (WillQualityOfServiceLevel > MqttQualityOfServiceLevel.ExactlyOnce) throw new ArgumentException($"will QoS: expected 0, 1 or 2, got {(int)WillQualityOfServiceLevel}");
        if (Timeout < TimeSpan.FromMilliseconds(1) || Timeout > TimeSpan.FromHours(1)) throw new ArgumentException($"timeout: expected 1 ms … 1 h, got {Timeout.TotalSeconds} s");
        if (MaximumPacketSize is < 2 or > 268_435_460) throw new ArgumentException($"maximum packet size: expected 2 … 268,435,460 bytes, got {MaximumPacketSize}");
        if (MaximumInFlight is < 1 or > 65535) throw new ArgumentException($"maximum in-flight: expected 1 … 65535, got {MaximumInFlight}");
        ArgumentNullException.ThrowIfNull(TimeProvider);
        TlsOptions.Validate();
    }
}
