using System.Buffers;
using System.Text;

namespace RlRobotics.Mqtt;

/// <summary>
/// One application message: topic, payload, QoS and retain. Instances may be reused between QoS 0 publishes; for
/// QoS 1 and 2 the client keeps a reference until the message is acknowledged, so do not change it before then.
/// </summary>
public sealed class MqttApplicationMessage
{
    /// <summary>The topic name (no wildcards).</summary>
    public string Topic { get; set; } = "";

    /// <summary>The payload bytes (may be empty; an empty retained message clears the retained message of the topic).</summary>
    public ReadOnlySequence<byte> Payload { get; set; }

    /// <summary>Delivery guarantee.</summary>
    public MqttQualityOfServiceLevel QualityOfServiceLevel { get; set; }

    /// <summary>Ask the broker to keep this as the topic's retained message; on receipt, the message came from the retained store.</summary>
    public bool Retain { get; set; }

    /// <summary>On receipt: the broker marked this a possible redelivery.</summary>
    public bool Dup { get; set; }

    /// <summary>The payload decoded as UTF-8.</summary>
    public string ConvertPayloadToString() => Encoding.UTF8.GetString(Payload);
}

/// <summary>Builds an <see cref="MqttApplicationMessage"/> (shaped like MQTTnet's builder).</summary>
public sealed class MqttApplicationMessageBuilder
{
    private readonly MqttApplicationMessage _message = new();

    /// <summary>Sets the topic name.</summary>
    public MqttApplicationMessageBuilder WithTopic(string topic) { _message.Topic = topic; return this; }

    /// <summary>Sets the payload (not copied).</summary>
    public MqttApplicationMessageBuilder WithPayload(byte[] payload) { _message.Payload = new ReadOnlySequence<byte>(payload); return this; }

    /// <summary>Sets the payload (not copied).</summary>
    public MqttApplicationMessageBuilder WithPayload(ReadOnlyMemory<byte> payload) { _message.Payload = new ReadOnlySequence<byte>(payload); return this; }

    /// <summary>Sets the payload (not copied).</summary>
    public MqttApplicationMessageBuilder WithPayload(ReadOnlySequence<byte> payload) { _message.Payload = payload; return this; }

    /// <summary>Sets the payload to the UTF-8 bytes of <paramref name="payload"/>.</summary>
    public MqttApplicationMessageBuilder WithPayload(string payload) => WithPayload(Encoding.UTF8.GetBytes(payload));

    /// <summary>Sets the QoS.</summary>
    public MqttApplicationMessageBuilder WithQualityOfServiceLevel(MqttQualityOfServiceLevel qos) { _message.QualityOfServiceLevel = qos; return this; }

    /// <summary>Sets the retain flag.</summary>
    public MqttApplicationMessageBuilder WithRetainFlag(bool retain = true) { _message.Retain = retain; return this; }

    /// <summary>Validates the topic and returns the message.</summary>
    /// <exception cref="ArgumentException">The topic is not a valid topic name.</exception>
    public MqttApplicationMessage Build()
    {
        Topics.MqttTopicFilter.ValidateTopicName(_message.Topic);
        if (_message.QualityOfServiceLevel > MqttQualityOfServiceLevel.ExactlyOnce) throw new ArgumentException($"QoS {(int)_message.QualityOfServiceLevel} does not exist (0, 1, 2)");
        return new MqttApplicationMessage
        {
            Topic = _message.Topic, Payload = _message.Payload, QualityOfServiceLevel = _message.QualityOfServiceLevel, Retain = _message.Retain,
        };
    }
}
