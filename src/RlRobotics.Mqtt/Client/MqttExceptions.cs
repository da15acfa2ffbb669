namespace RlRobotics.Mqtt;

/// <summary>The broker refused CONNECT: <see cref="Result"/> carries the CONNACK code.</summary>
public sealed class MqttConnectingFailedException : MqttCommunicationException
{
    internal MqttConnectingFailedException(string endpoint, MqttClientConnectResult result)
        : base($"broker {endpoint} refused the connection: CONNACK {result.Describe()}") => Result = result;

    /// <summary>The CONNACK the broker sent.</summary>
    public MqttClientConnectResult Result { get; }
}

/// <summary>The operation needs a connection and there is none (never connected, or it was lost while waiting).</summary>
public sealed class MqttClientDisconnectedException : MqttCommunicationException
{
    /// <summary>Creates the exception with what was being done.</summary>
    public MqttClientDisconnectedException(string message, Exception? inner = null) : base(message, inner) { }
}
