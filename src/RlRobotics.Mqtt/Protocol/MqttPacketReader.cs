using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using RlRobotics.Mqtt.Topics;

namespace RlRobotics.Mqtt.Protocol;

/// <summary>
/// Decodes MQTT 3.1.1 packets strictly: every rule of the spec that a receiver can check is checked, and each
/// violation is a <see cref="MqttProtocolException"/> naming the packet and the rule. Incomplete input is not an
/// error: the Try methods report how many bytes are still needed.
/// </summary>
internal static class MqttPacketReader
{
    /// <summary>
    /// Reads the fixed header. Returns false while the header is incomplete. Checks the packet type, the reserved
    /// flag bits and the remaining length (≤ 268,435,455 and the whole packet ≤ <paramref name="maxPacketSize"/>) as
    /// soon as they arrive, so a hostile length is refused before anything is buffered for it.
    /// </summary>
    public static bool TryReadFixedHeader(ReadOnlySpan<byte> buffer, int maxPacketSize, out MqttPacketType type, out byte flags,
        out int headerLength, out int remainingLength)
    {
        type = 0; flags = 0; headerLength = 0; remainingLength = 0;
        if (buffer.IsEmpty) return false;
        byte first = buffer[0];
        type = (MqttPacketType)(first >> 4);
        flags = (byte)(first & 0x0F);
        ValidateFlags(type, flags);

        int value = 0, multiplier = 1;
        for (int i = 1; ; i++)
        {
            if (i > 4) throw new MqttProtocolException($"{Name(type)}: remaining length uses more than 4 bytes (the maximum is 268,435,455)");
            if (i >= buffer.Length) return false;
            byte b = buffer[i];
            value += (b & 0x7F) * multiplier;
            multiplier *= 128;
            if ((b & 0x80) == 0)
            {
                headerLength = i + 1;
                remainingLength = value;
                break;
            }
        }
        long total = (long)headerLength + remainingLength;
        if (total > maxPacketSize)
            throw new MqttProtocolException($"{Name(type)}: packet of {total} bytes exceeds the maximum packet size of {maxPacketSize} bytes");
        return true;
    }

    /// <summary>
    /// Decodes one packet from the start of <paramref name="buffer"/>. Returns false (and consumed 0) when more bytes
    /// are needed; throws <see cref="MqttProtocolException"/> when the bytes break the protocol.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> buffer, int maxPacketSize, out MqttPacket? packet, out int consumed)
    {
        packet = null;
        consumed = 0;
        if (!TryReadFixedHeader(buffer, maxPacketSize, out var type, out byte flags, out int headerLength, out int remainingLength)) return false;
        if (buffer.Length - headerLength < remainingLength) return false;
        packet = DecodeBody(type, flags, buffer.Slice(headerLength, remainingLength));
        consumed = headerLength + remainingLength;
        return true;
    }

    /// <summary>Decodes the variable header and payload of a packet whose fixed header was already read.</summary>
    public static MqttPacket DecodeBody(MqttPacketType type, byte flags, ReadOnlySpan<byte> body)
    {
        var r = new BodyReader(type, body);
        MqttPacket packet;
        switch (type)
        {
            case MqttPacketType.Connect: packet = DecodeConnect(ref r); break;
            case MqttPacketType.ConnAck:
            {
                r.ExpectLength(2);
                byte ackFlags = r.ReadByte();
                if ((ackFlags & 0xFE) != 0) throw r.Error($"acknowledge flags 0x{ackFlags:X2} set reserved bits 7-1");
                byte code = r.ReadByte();
                if (code > 5) throw r.Error($"return code {code} is not one of 0-5");
                if (code != 0 && (ackFlags & 1) != 0) throw r.Error($"session present is set with refusal code {code}");
                packet = new ConnAckPacket((ackFlags & 1) != 0, (MqttClientConnectResultCode)code);
                break;
            }
            case MqttPacketType.Publish:
            {
                var qos = (MqttQualityOfServiceLevel)((flags >> 1) & 3);
                bool dup = (flags & 0x08) != 0;
                if (qos == MqttQualityOfServiceLevel.AtMostOnce && dup) throw r.Error("DUP is set on a QoS 0 message");
                string topic = r.ReadString("topic name");
                string? invalid = MqttTopicFilter.CheckTopicName(topic);
                if (invalid is not null) throw r.Error($"topic name '{Printable(topic)}' {invalid}");
                ushort id = qos == MqttQualityOfServiceLevel.AtMostOnce ? (ushort)0 : r.ReadPacketId();
                packet = new PublishPacket { Topic = topic, Qos = qos, Dup = dup, Retain = (flags & 1) != 0, PacketId = id, Payload = r.ReadRest().ToArray() };
                break;
            }
            case MqttPacketType.PubAck or MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp or MqttPacketType.UnsubAck:
                r.ExpectLength(2);
                packet = new PacketIdPacket(type, r.ReadPacketId());
                break;
            case MqttPacketType.Subscribe:
            {
                ushort id = r.ReadPacketId();
                var filters = new List<(string, MqttQualityOfServiceLevel)>();
                while (r.Remaining > 0)
                {
                    string filter = r.ReadString("topic filter");
                    string? invalid = MqttTopicFilter.CheckFilter(filter);
                    if (invalid is not null) throw r.Error($"topic filter '{Printable(filter)}' {invalid}");
                    byte q = r.ReadByte();
                    if (q > 2) throw r.Error($"requested QoS byte 0x{q:X2} is not 0, 1 or 2 (bits 7-2 are reserved)");
                    filters.Add((filter, (MqttQualityOfServiceLevel)q));
                }
                if (filters.Count == 0) throw r.Error("carries no topic filter (at least one is required)");
                packet = new SubscribePacket(id, filters);
                break;
            }
            case MqttPacketType.SubAck:
            {
                ushort id = r.ReadPacketId();
                var codes = r.ReadRest().ToArray();
                if (codes.Length == 0) throw r.Error("carries no return code");
                foreach (byte c in codes)
                    if (c is not (0 or 1 or 2 or 0x80)) throw r.Error($"return code 0x{c:X2} is not 0x00, 0x01, 0x02 or 0x80");
                packet = new SubAckPacket(id, codes);
                break;
            }
            case MqttPacketType.Unsubscribe:
            {
                ushort id = r.ReadPacketId();
                var filters = new List<string>();
                while (r.Remaining > 0)
                {
                    string filter = r.ReadString("topic filter");
                    string? invalid = MqttTopicFilter.CheckFilter(filter);
                    if (invalid is not null) throw r.Error($"topic filter '{Printable(filter)}' {invalid}");
                    filters.Add(filter);
                }
                if (filters.Count == 0) throw r.Error("carries no topic filter (at least one is required)");
                packet = new UnsubscribePacket(id, filters);
                break;
            }
            case MqttPacketType.PingReq: r.ExpectLength(0); packet = EmptyPacket.PingReq; break;
            case MqttPacketType.PingResp: r.ExpectLength(0); packet = EmptyPacket.PingResp; break;
            case MqttPacketType.Disconnect: r.ExpectLength(0); packet = EmptyPacket.Disconnect; break;
            default: throw new MqttProtocolException($"packet type {(int)type} is reserved");
        }
        r.ExpectEnd();
        return packet;
    }

    private static ConnectPacket DecodeConnect(ref BodyReader r)
    {
        string name = r.ReadString("protocol name");
        if (name != "MQTT") throw r.Error($"protocol name '{Printable(name)}' is not 'MQTT'");
        byte level = r.ReadByte();
        if (level != 4) throw r.Error($"protocol level {level} is not 4 (MQTT 3.1.1)");
        byte f = r.ReadByte();
        if ((f & 0x01) != 0) throw r.Error("connect flags set reserved bit 0");
        bool will = (f & 0x04) != 0;
        int willQos = (f >> 3) & 3;
        bool willRetain = (f & 0x20) != 0;
        if (!will && (willQos != 0 || willRetain)) throw r.Error("will QoS or will retain is set without the will flag");
        if (willQos == 3) throw r.Error("will QoS is 3 (only 0, 1 and 2 exist)");
        bool user = (f & 0x80) != 0, pass = (f & 0x40) != 0;
        if (pass && !user) throw r.Error("password flag is set without the user name flag");
        ushort keepAlive = r.ReadUInt16();
        string clientId = r.ReadString("client identifier");
        string? willTopic = null;
        byte[] willPayload = [];
        if (will)
        {
            willTopic = r.ReadString("will topic");
            string? invalid = MqttTopicFilter.CheckTopicName(willTopic);
            if (invalid is not null) throw r.Error($"will topic '{Printable(willTopic)}' {invalid}");
            willPayload = r.ReadBinary("will message").ToArray();
        }
        string? username = user ? r.ReadString("user name") : null;
        byte[]? password = pass ? r.ReadBinary("password").ToArray() : null;
        return new ConnectPacket
        {
            ClientId = clientId, CleanSession = (f & 0x02) != 0, KeepAlive_s = keepAlive, WillTopic = willTopic, WillPayload = willPayload,
            WillQos = (MqttQualityOfServiceLevel)willQos, WillRetain = willRetain, Username = username, Password = password,
        };
    }

    /// <summary>Fixed-header flag rules (spec 2.2.2): PUBLISH carries DUP/QoS/RETAIN, three types require 0b0010, the rest 0.</summary>
    private static void ValidateFlags(MqttPacketType type, byte flags)
    {
        switch (type)
        {
            case 0 or (MqttPacketType)15:
                throw new MqttProtocolException($"packet type {(int)type} is reserved in MQTT 3.1.1 (first byte 0x{((int)type << 4) | flags:X2})");
            case MqttPacketType.Publish:
                if ((flags & 0x06) == 0x06) throw new MqttProtocolException("PUBLISH: QoS 3 is invalid (flags 0x" + flags.ToString("X1") + ")");
                break;
            case MqttPacketType.PubRel or MqttPacketType.Subscribe or MqttPacketType.Unsubscribe:
                if (flags != 0x02) throw new MqttProtocolException($"{Name(type)}: fixed header flags 0x{flags:X1} must be 0x2");
                break;
            default:
                if (flags != 0) throw new MqttProtocolException($"{Name(type)}: fixed header flags 0x{flags:X1} must be 0x0");
                break;
        }
    }

    internal static string Name(MqttPacketType type) => type switch
    {
        MqttPacketType.ConnAck => "CONNACK",
        MqttPacketType.PubAck => "PUBACK",
        MqttPacketType.PubRec => "PUBREC",
        MqttPacketType.PubRel => "PUBREL",
        MqttPacketType.PubComp => "PUBCOMP",
        MqttPacketType.SubAck => "SUBACK",
        MqttPacketType.UnsubAck => "UNSUBACK",
        MqttPacketType.PingReq => "PINGREQ",
        MqttPacketType.PingResp => "PINGRESP",
        _ => type.ToString().ToUpperInvariant(),
    };

    /// <summary>Bounded and control-free, for error messages built from hostile input.</summary>
    private static string Printable(string s)
    {
        var sb = new StringBuilder(Math.Min(s.Length, 64));
        foreach (char c in s.Length > 64 ? s[..64] : s) sb.Append(char.IsControl(c) ? '?' : c);
        if (s.Length > 64) sb.Append('…');
        return sb.ToString();
    }

    /// <summary>Cursor over one packet's body; every read checks it stays inside the remaining length.</summary>
    private ref struct BodyReader(MqttPacketType type, ReadOnlySpan<byte> body)
    {
        private readonly ReadOnlySpan<byte> _body = body;
        private int _pos;

        public readonly int Remaining => _body.Length - _pos;

        public readonly MqttProtocolException Error(string what) => new($"{Name(type)}: {what}");

        public readonly void ExpectLength(int length)
        {
            if (_body.Length != length) throw Error($"remaining length is {_body.Length}, expected {length}");
        }

        public readonly void ExpectEnd()
        {
            if (Remaining != 0) throw Error($"{Remaining} trailing bytes after the last field");
        }

        public byte ReadByte()
        {
            if (Remaining < 1) throw Error($"ends at byte {_pos}, expected 1 more byte");
            return _body[_pos++];
        }

        public ushort ReadUInt16()
        {
            if (Remaining < 2) throw Error($"ends at byte {_pos}, expected a 2-byte integer");
            ushort v = BinaryPrimitives.ReadUInt16BigEndian(_body[_pos..]);
            _pos += 2;
            return v;
        }

        public ushort ReadPacketId()
        {
            ushort id = ReadUInt16();
            if (id == 0) throw Error("packet identifier is 0 (it must be 1-65535)");
            return id;
        }

        public ReadOnlySpan<byte> ReadBinary(string field)
        {
            if (Remaining < 2) throw Error($"ends at byte {_pos} before the length of the {field}");
            int n = ReadUInt16();
            if (n > Remaining) throw Error($"{field} claims {n} bytes but only {Remaining} remain in the packet");
            var s = _body.Slice(_pos, n);
            _pos += n;
            return s;
        }

        public string ReadString(string field)
        {
            var bytes = ReadBinary(field);
            if (!Utf8.IsValid(bytes)) throw Error($"{field} is not well-formed UTF-8");
            if (bytes.Contains((byte)0)) throw Error($"{field} contains U+0000");
            return Encoding.UTF8.GetString(bytes);
        }

        public ReadOnlySpan<byte> ReadRest()
        {
            var s = _body[_pos..];
            _pos = _body.Length;
            return s;
        }
    }
}
