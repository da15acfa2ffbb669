namespace RlRobotics.Mqtt;

/// <summary>The connection to the broker failed or timed out (DNS, TCP, TLS, a missing reply, a closed socket).</summary>
public class MqttCommunicationException : Exception
{
    /// <summary>Creates the exception with what failed.</summary>
    public MqttCommunicationException(string message, Exception? inner = null) : base(message, inner) { }
}
