namespace RlRobotics.Mqtt.Protocol;

// One small class per packet shape. They are plain data: the codec validates, the client interprets.

/// <summary>Any decoded MQTT 3.1.1 control packet.</summary>
internal abstract class MqttPacket
{
    public abstract MqttPacketType Type { get; }
}

/// <summary>CONNECT (spec 3.1): client id, flags, keep-alive (s), optional will, user name, password.</summary>
internal sealed class ConnectPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Connect;
    public string ClientId { get; init; } = "";
    public bool CleanSession { get; init; } = true;
    public ushort KeepAlive_s { get; init; }
    public string? Username { get; init; }
    public byte[]? Password { get; init; }
    public string? WillTopic { get; init; }
    public byte[] WillPayload { get; init; } = [];
    public MqttQualityOfServiceLevel WillQos { get; init; }
    public bool WillRetain { get; init; }
}

/// <summary>CONNACK (spec 3.2).</summary>
internal sealed class ConnAckPacket(bool sessionPresent, MqttClientConnectResultCode code) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.ConnAck;
    public bool SessionPresent { get; } = sessionPresent;
    public MqttClientConnectResultCode Code { get; } = code;
}

/// <summary>PUBLISH (spec 3.3). Packet id is 0 for QoS 0.</summary>
internal sealed class PublishPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Publish;
    public required string Topic { get; init; }
    public ReadOnlyMemory<byte> Payload { get; init; }
    public MqttQualityOfServiceLevel Qos { get; init; }
    public bool Retain { get; init; }
    public bool Dup { get; init; }
    public ushort PacketId { get; init; }
}

/// <summary>PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK: a fixed header and a packet id, nothing else.</summary>
internal sealed class PacketIdPacket(MqttPacketType type, ushort packetId) : MqttPacket
{
    public override MqttPacketType Type { get; } = type;
    public ushort PacketId { get; } = packetId;
}

/// <summary>SUBSCRIBE (spec 3.8): one or more (filter, requested QoS) pairs.</summary>
internal sealed class SubscribePacket(ushort packetId, IReadOnlyList<(string Filter, MqttQualityOfServiceLevel Qos)> filters) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Subscribe;
    public ushort PacketId { get; } = packetId;
    public IReadOnlyList<(string Filter, MqttQualityOfServiceLevel Qos)> Filters { get; } = filters;
}

/// <summary>SUBACK (spec 3.9): one return code per filter, 0/1/2 granted QoS or 0x80 failure.</summary>
internal sealed class SubAckPacket(ushort packetId, byte[] codes) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.SubAck;
    public ushort PacketId { get; } = packetId;
    public byte[] Codes { get; } = codes;
}

/// <summary>UNSUBSCRIBE (spec 3.10).</summary>
internal sealed class UnsubscribePacket(ushort packetId, IReadOnlyList<string> filters) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Unsubscribe;
    public ushort PacketId { get; } = packetId;
    public IReadOnlyList<string> Filters { get; } = filters;
}

/// <summary>PINGREQ, PINGRESP and DISCONNECT: a fixed header with remaining length 0.</summary>
internal sealed class EmptyPacket : MqttPacket
{
    private EmptyPacket(MqttPacketType type) => Type = type;
    public override MqttPacketType Type { get; }
    public static readonly EmptyPacket PingReq = new(MqttPacketType.PingReq);
    public static readonly EmptyPacket PingResp = new(MqttPacketType.PingResp);
    public static readonly EmptyPacket Disconnect = new(MqttPacketType.Disconnect);
}
