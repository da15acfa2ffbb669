namespace RlRobotics.Mqtt;

/// <summary>
/// An MQTT 3.1.1 client, shaped like MQTTnet v5's <c>IMqttClient</c> so the official package can replace it.
/// Attach the handlers before connecting.
/// </summary>
public interface IMqttClient : IDisposable
{
    /// <summary>A message arrived. Handlers run one at a time, in arrival order; QoS 1/2 acknowledgements are sent after they return.</summary>
    event Func<MqttApplicationMessageReceivedEventArgs, Task>? ApplicationMessageReceivedAsync;

    /// <summary>A connection was established.</summary>
    event Func<MqttClientConnectedEventArgs, Task>? ConnectedAsync;

    /// <summary>An established connection ended, with the reason.</summary>
    event Func<MqttClientDisconnectedEventArgs, Task>? DisconnectedAsync;

    /// <summary>True between a successful CONNACK and the end of that connection.</summary>
    bool IsConnected { get; }

    /// <summary>The options of the last ConnectAsync.</summary>
    MqttClientOptions? Options { get; }

    /// <summary>Opens TCP (and TLS), sends CONNECT, waits for CONNACK.</summary>
    /// <exception cref="MqttConnectingFailedException">The broker refused (CONNACK code 1-5).</exception>
    /// <exception cref="MqttCommunicationException">Unreachable, TLS failure or timeout.</exception>
    /// <exception cref="MqttProtocolException">The broker answered with bytes that are not MQTT 3.1.1.</exception>
    Task<MqttClientConnectResult> ConnectAsync(MqttClientOptions options, CancellationToken cancellationToken = default);

    /// <summary>Sends DISCONNECT and closes (the broker discards the will).</summary>
    Task DisconnectAsync(CancellationToken cancellationToken = default);

    /// <summary>Publishes; completes when written (QoS 0), on PUBACK (QoS 1) or on PUBCOMP (QoS 2).</summary>
    Task<MqttClientPublishResult> PublishAsync(MqttApplicationMessage applicationMessage, CancellationToken cancellationToken = default);

    /// <summary>Subscribes and returns the SUBACK codes.</summary>
    Task<MqttClientSubscribeResult> SubscribeAsync(MqttClientSubscribeOptions options, CancellationToken cancellationToken = default);

    /// <summary>Unsubscribes and waits for UNSUBACK.</summary>
    Task<MqttClientUnsubscribeResult> UnsubscribeAsync(MqttClientUnsubscribeOptions options, CancellationToken cancellationToken = default);
}

/// <summary>Shortcuts for one-filter requests.</summary>
public static class MqttClientExtensions
{
    /// <summary>Subscribes to one filter.</summary>
    public static Task<MqttClientSubscribeResult> SubscribeAsync(this IMqttClient client, string topic,
        MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtMostOnce, CancellationToken cancellationToken = default) =>
        client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, qos).Build(), cancellationToken);

    /// <summary>Unsubscribes from one filter.</summary>
    public static Task<MqttClientUnsubscribeResult> UnsubscribeAsync(this IMqttClient client, string topic, CancellationToken cancellationToken = default) =>
        client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(topic).Build(), cancellationToken);
}
