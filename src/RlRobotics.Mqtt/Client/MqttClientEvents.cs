namespace RlRobotics.Mqtt;

/// <summary>A message arrived on a subscription.</summary>
public sealed class MqttApplicationMessageReceivedEventArgs(MqttApplicationMessage message, string clientId, ushort packetIdentifier) : EventArgs
{
    /// <summary>The message; its payload array belongs to the handler.</summary>
    public MqttApplicationMessage ApplicationMessage { get; } = message;

    /// <summary>The receiving client's id.</summary>
    public string ClientId { get; } = clientId;

    /// <summary>The packet id it came with (0 for QoS 0).</summary>
    public ushort PacketIdentifier { get; } = packetIdentifier;
}

/// <summary>The client connected (CONNACK 0 received).</summary>
public sealed class MqttClientConnectedEventArgs(MqttClientConnectResult result) : EventArgs
{
    /// <summary>The CONNACK.</summary>
    public MqttClientConnectResult ConnectResult { get; } = result;
}

/// <summary>Why a connection ended.</summary>
public enum MqttClientDisconnectReason
{
    /// <summary>DisconnectAsync or Dispose was called: DISCONNECT sent, the will discarded by the broker.</summary>
    NormalDisconnection,
    /// <summary>The broker closed the socket.</summary>
    ServerClosedConnection,
    /// <summary>The broker broke MQTT 3.1.1; <see cref="MqttClientDisconnectedEventArgs.Exception"/> is a <see cref="MqttProtocolException"/>.</summary>
    ProtocolError,
    /// <summary>No PINGRESP within the timeout after a PINGREQ.</summary>
    KeepAliveTimeout,
    /// <summary>A socket or TLS error.</summary>
    TransportError,
}

/// <summary>A connection ended (raised once per connection that had been established).</summary>
public sealed class MqttClientDisconnectedEventArgs(bool clientWasConnected, MqttClientDisconnectReason reason, Exception? exception) : EventArgs
{
    /// <summary>True when the connection had completed CONNACK.</summary>
    public bool ClientWasConnected { get; } = clientWasConnected;

    /// <summary>Why it ended.</summary>
    public MqttClientDisconnectReason Reason { get; } = reason;

    /// <summary>The error, if it ended because of one.</summary>
    public Exception? Exception { get; } = exception;
}
