using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace RlRobotics.Mqtt.Protocol;

/// <summary>
/// Encodes MQTT 3.1.1 packets. PUBLISH and the 4-byte acknowledgements are written straight into a caller's span
/// (the hot path: no allocation); the rarer packets go through <see cref="Encode"/>, which returns a new array.
/// </summary>
internal static class MqttPacketWriter
{
    /// <summary>Largest remaining length a 4-byte varint can carry (spec 2.2.3).</summary>
    public const int MaxRemainingLength = 268_435_455;

    private static readonly byte[] ProtocolName = [0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T'];

    /// <summary>Bytes the remaining-length varint takes for <paramref name="length"/>.</summary>
    public static int VarintSize(int length) => length switch
    {
        < 0 => throw new ArgumentOutOfRangeException(nameof(length)),
        < 128 => 1,
        < 16_384 => 2,
        < 2_097_152 => 3,
        <= MaxRemainingLength => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(length), $"remaining length {length} exceeds the MQTT maximum {MaxRemainingLength}"),
    };

    /// <summary>Writes the varint, 7 bits per byte, least significant group first, bit 7 = more follows.</summary>
    public static int WriteVarint(Span<byte> destination, int length)
    {
        int i = 0;
        do
        {
            byte b = (byte)(length % 128);
            length /= 128;
            if (length > 0) b |= 0x80;
            destination[i++] = b;
        }
        while (length > 0);
        return i;
    }

    /// <summary>Total encoded size of a PUBLISH: fixed header + topic + packet id (QoS &gt; 0) + payload.</summary>
    public static int PublishSize(int topicBytes, long payloadBytes, MqttQualityOfServiceLevel qos, out int remainingLength)
    {
        long rl = 2L + topicBytes + (qos == MqttQualityOfServiceLevel.AtMostOnce ? 0 : 2) + payloadBytes;
        if (rl > MaxRemainingLength) throw new ArgumentException($"PUBLISH of {payloadBytes} payload bytes exceeds the MQTT maximum packet size");
        remainingLength = (int)rl;
        return 1 + VarintSize(remainingLength) + remainingLength;
    }

    /// <summary>Writes a PUBLISH; <paramref name="destination"/> must hold <see cref="PublishSize"/> bytes.</summary>
    public static int WritePublish(Span<byte> destination, string topic, int topicBytes, in ReadOnlySequence<byte> payload, int remainingLength,
        MqttQualityOfServiceLevel qos, bool retain, bool dup, ushort packetId)
    {
        // Fixed header flags: DUP bit 3, QoS bits 2-1, RETAIN bit 0.
        destination[0] = (byte)(0x30 | (dup ? 0x08 : 0) | ((int)qos << 1) | (retain ? 0x01 : 0));
        int i = 1 + WriteVarint(destination[1..], remainingLength);
        BinaryPrimitives.WriteUInt16BigEndian(destination[i..], (ushort)topicBytes);
        i += 2;
        i += Encoding.UTF8.GetBytes(topic, destination[i..]);
        if (qos != MqttQualityOfServiceLevel.AtMostOnce)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[i..], packetId);
            i += 2;
        }
        payload.CopyTo(destination[i..]);
        return i + (int)payload.Length;
    }

    /// <summary>Writes PUBACK/PUBREC/PUBREL/PUBCOMP/UNSUBACK (4 bytes); PUBREL carries the required flags 0b0010.</summary>
    public static void WriteAck(Span<byte> destination, MqttPacketType type, ushort packetId)
    {
        destination[0] = (byte)(((int)type << 4) | (type == MqttPacketType.PubRel ? 0x02 : 0x00));
        destination[1] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], packetId);
    }

    /// <summary>Encodes any packet into a new array (CONNECT, SUBSCRIBE, ... : the rare ones).</summary>
    public static byte[] Encode(MqttPacket packet)
    {
        var body = new ArrayBufferWriter<byte>(64);
        byte flags = 0;
        switch (packet)
        {
            case ConnectPacket c:
                body.Write(ProtocolName);
                body.Write([(byte)4]); // protocol level 4 = 3.1.1
                byte connectFlags = (byte)((c.Username is not null ? 0x80 : 0) | (c.Password is not null ? 0x40 : 0)
                    | (c.WillTopic is not null ? ((c.WillRetain ? 0x20 : 0) | ((int)c.WillQos << 3) | 0x04) : 0)
                    | (c.CleanSession ? 0x02 : 0));
                body.Write([connectFlags]);
                WriteUInt16(body, c.KeepAlive_s);
                WriteString(body, c.ClientId);
                if (c.WillTopic is not null)
                {
                    WriteString(body, c.WillTopic);
                    WriteBinary(body, c.WillPayload);
                }
                if (c.Username is not null) WriteString(body, c.Username);
                if (c.Password is not null) WriteBinary(body, c.Password);
                break;
            case ConnAckPacket a:
                body.Write([(byte)(a.SessionPresent ? 1 : 0), (byte)a.Code]);
                break;
            case PublishPacket p:
            {
                int topicBytes = Encoding.UTF8.GetByteCount(p.Topic);
                int size = PublishSize(topicBytes, p.Payload.Length, p.Qos, out int rl);
                var result = new byte[size];
                WritePublish(result, p.Topic, topicBytes, new ReadOnlySequence<byte>(p.Payload), rl, p.Qos, p.Retain, p.Dup, p.PacketId);
                return result;
            }
            case PacketIdPacket id:
            {
                var result = new byte[4];
                WriteAck(result, id.Type, id.PacketId);
                return result;
            }
            case SubscribePacket s:
                flags = 0x02;
                WriteUInt16(body, s.PacketId);
                foreach (var (filter, qos) in s.Filters)
                {
                    WriteString(body, filter);
                    body.Write([(byte)qos]);
                }
                break;
            case SubAckPacket s:
                WriteUInt16(body, s.PacketId);
                body.Write(s.Codes);
                break;
            case UnsubscribePacket u:
                flags = 0x02;
                WriteUInt16(body, u.PacketId);
                foreach (var filter in u.Filters) WriteString(body, filter);
                break;
            case EmptyPacket:
                break;
            default:
                throw new ArgumentException($"cannot encode {packet.GetType().Name}");
        }
        var bytes = body.WrittenSpan;
        var packetBytes = new byte[1 + VarintSize(bytes.Length) + bytes.Length];
        packetBytes[0] = (byte)(((int)packet.Type << 4) | flags);
        int n = 1 + WriteVarint(packetBytes.AsSpan(1), bytes.Length);
        bytes.CopyTo(packetBytes.AsSpan(n));
        return packetBytes;
    }

    private static void WriteUInt16(ArrayBufferWriter<byte> w, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(w.GetSpan(2), value);
        w.Advance(2);
    }

    private static void WriteString(ArrayBufferWriter<byte> w, string value)
    {
        int n = Encoding.UTF8.GetByteCount(value);
        if (n > ushort.MaxValue) throw new ArgumentException($"string of {n} UTF-8 bytes exceeds the MQTT limit of 65535");
        WriteUInt16(w, (ushort)n);
        Encoding.UTF8.GetBytes(value, w.GetSpan(n));
        w.Advance(n);
    }

    private static void WriteBinary(ArrayBufferWriter<byte> w, ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue) throw new ArgumentException($"binary field of {value.Length} bytes exceeds the MQTT limit of 65535");
        WriteUInt16(w, (ushort)value.Length);
        w.Write(value);
    }
}
