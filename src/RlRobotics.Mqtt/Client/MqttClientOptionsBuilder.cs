using System.Text;

namespace RlRobotics.Mqtt;

/// <summary>Builds <see cref="MqttClientOptions"/> (method names follow MQTTnet's builder).</summary>
public sealed class MqttClientOptionsBuilder
{
    private readonly MqttClientOptions _options = new();

    /// <summary>Broker host and port.</summary>
    public MqttClientOptionsBuilder WithTcpServer(string host, int port = 1883) { _options.Host = host; _options.Port = port; return this; }

    /// <summary>Client identifier.</summary>
    public MqttClientOptionsBuilder WithClientId(string clientId) { _options.ClientId = clientId; return this; }

    /// <summary>User name and password (UTF-8).</summary>
    public MqttClientOptionsBuilder WithCredentials(string username, string? password) =>
        WithCredentials(username, password is null ? null : Encoding.UTF8.GetBytes(password));

    /// <summary>User name and binary password.</summary>
    public MqttClientOptionsBuilder WithCredentials(string username, byte[]? password) { _options.Username = username; _options.Password = password; return this; }

    /// <summary>Clean session on (default) or off (persistent session).</summary>
    public MqttClientOptionsBuilder WithCleanSession(bool cleanSession = true) { _options.CleanSession = cleanSession; return this; }

    /// <summary>Keep-alive period (whole seconds; zero turns it off).</summary>
    public MqttClientOptionsBuilder WithKeepAlivePeriod(TimeSpan period) { _options.KeepAlivePeriod = period; return this; }

    /// <summary>Last-will topic.</summary>
    public MqttClientOptionsBuilder WithWillTopic(string topic) { _options.WillTopic = topic; return this; }

    /// <summary>Last-will payload.</summary>
    public MqttClientOptionsBuilder WithWillPayload(byte[] payload) { _options.WillPayload = payload; return this; }

    /// <summary>Last-will payload as UTF-8.</summary>
    public MqttClientOptionsBuilder WithWillPayload(string payload) => WithWillPayload(Encoding.UTF8.GetBytes(payload));

    /// <summary>Last-will QoS.</summary>
    public MqttClientOptionsBuilder WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel qos) { _options.WillQualityOfServiceLevel = qos; return this; }

    /// <summary>Last-will retain flag.</summary>
    public MqttClientOptionsBuilder WithWillRetain(bool retain = true) { _options.WillRetain = retain; return this; }

    /// <summary>TLS, configured by <paramref name="configure"/> (TLS is turned on).</summary>
    public MqttClientOptionsBuilder WithTlsOptions(Action<MqttClientTlsOptionsBuilder> configure)
    {
        var b = new MqttClientTlsOptionsBuilder();
        configure(b);
        _options.TlsOptions = b.Options;
        return this;
    }

    /// <summary>TLS settings object.</summary>
    public MqttClientOptionsBuilder WithTlsOptions(MqttClientTlsOptions tls) { _options.TlsOptions = tls; return this; }

    /// <summary>Timeout for connect and for each reply the client waits for.</summary>
    public MqttClientOptionsBuilder WithTimeout(TimeSpan timeout) { _options.Timeout = timeout; return this; }

    /// <summary>Largest packet accepted from the broker, bytes.</summary>
    public MqttClientOptionsBuilder WithMaximumPacketSize(int bytes) { _options.MaximumPacketSize = bytes; return this; }

    /// <summary>QoS 1/2 messages in flight at once (default 100).</summary>
    public MqttClientOptionsBuilder WithMaximumInFlight(int messages) { _options.MaximumInFlight = messages; return this; }

    /// <summary>Time source for keep-alive and timeouts.</summary>
    public MqttClientOptionsBuilder WithTimeProvider(TimeProvider timeProvider) { _options.TimeProvider = timeProvider; return this; }

    internal MqttClientOptionsBuilder WithStreamFactory(Func<CancellationToken, ValueTask<Stream>> factory) { _options.StreamFactory = factory; return this; }

    /// <summary>Validates and returns the options.</summary>
    public MqttClientOptions Build()
    {
        _options.Validate();
        return _options;
    }
}
