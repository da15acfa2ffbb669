namespace RlRobotics.Mqtt;

/// <summary>Delivery guarantee of a message (MQTT 3.1.1 section 4.3); the numeric values are the wire values.</summary>
public enum MqttQualityOfServiceLevel : byte
{
    /// <summary>QoS 0: sent once, never acknowledged; may be lost.</summary>
    AtMostOnce = 0,

    /// <summary>QoS 1: acknowledged by PUBACK; resent until then, so it may arrive more than once.</summary>
    AtLeastOnce = 1,

    /// <summary>QoS 2: PUBREC / PUBREL / PUBCOMP handshake; delivered exactly once.</summary>
    ExactlyOnce = 2,
}
