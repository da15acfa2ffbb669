namespace RlRobotics.Mqtt;

/// <summary>
/// The peer sent bytes that break MQTT 3.1.1 (a reserved flag set, a length that runs past the packet, invalid UTF-8,
/// a packet the client never expects, ...). The connection that carried them is closed.
/// </summary>
public sealed class MqttProtocolException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> says what was expected and what came.</summary>
    public MqttProtocolException(string message) : base(message) { }
}
