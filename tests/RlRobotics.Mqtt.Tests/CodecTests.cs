using RlRobotics.Mqtt.Protocol;
using RlRobotics.Mqtt.Topics;

namespace RlRobotics.Mqtt.Tests;

/// <summary>Exact bytes from the MQTT 3.1.1 spec, round trips of all 14 packet types, and every decoding rule.</summary>
public class CodecTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    private static MqttPacket Decode(byte[] bytes, int max = 1 << 20)
    {
        Assert.True(MqttPacketReader.TryDecode(bytes, max, out var packet, out int consumed), "incomplete");
        Assert.Equal(bytes.Length, consumed);
        return packet!;
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7F")]
    [InlineData(128, "8001")]
    [InlineData(16_383, "FF7F")]
    [InlineData(16_384, "808001")]
    [InlineData(2_097_151, "FFFF7F")]
    [InlineData(2_097_152, "80808001")]
    [InlineData(268_435_455, "FFFFFF7F")]
    public void Remaining_length_varint_matches_the_spec_table(int length, string hex)
    {
        var buffer = new byte[4];
        int n = MqttPacketWriter.WriteVarint(buffer, length);
        Assert.Equal(hex, Convert.ToHexString(buffer, 0, n));
        Assert.Equal(n, MqttPacketWriter.VarintSize(length));
        // Decoding the header alone gives the length back (PUBLISH QoS 0, no maximum in the way).
        byte[] header = [0x30, .. buffer[..n]];
        Assert.True(MqttPacketReader.TryReadFixedHeader(header, int.MaxValue, out var type, out _, out int headerLength, out int remaining));
        Assert.Equal(MqttPacketType.Publish, type);
        Assert.Equal(1 + n, headerLength);
        Assert.Equal(length, remaining);
    }

    [Fact]
    public void Connect_with_every_field_has_the_spec_flags_and_layout()
    {
        var bytes = MqttPacketWriter.Encode(new ConnectPacket
        {
            ClientId = "c1", CleanSession = true, KeepAlive_s = 60, Username = "u", Password = [0x70], WillTopic = "w", WillPayload = [0x21],
            WillQos = MqttQualityOfServiceLevel.AtLeastOnce, WillRetain = true,
        });
        // 10 | rl | 00 04 MQTT | level 4 | flags: user 80 + password 40 + will retain 20 + will QoS1 08 + will 04 + clean 02 = EE | keep-alive 60
        Assert.Equal("101A00044D515454" + "04" + "EE" + "003C" + "00026331" + "000177" + "000121" + "000175" + "000170", Convert.ToHexString(bytes));
        var back = (ConnectPacket)Decode(bytes);
        Assert.Equal(("c1", true, (ushort)60, "u", "w", MqttQualityOfServiceLevel.AtLeastOnce, true), (back.ClientId, back.CleanSession, back.KeepAlive_s, back.Username, back.WillTopic, back.WillQos, back.WillRetain));
        Assert.Equal([0x70], back.Password);
        Assert.Equal([0x21], back.WillPayload);
    }

    [Fact]
    public void Minimal_connect_is_exact() =>
        Assert.Equal("100C00044D5154540402000A0000", Convert.ToHexString(MqttPacketWriter.Encode(new ConnectPacket { ClientId = "", CleanSession = true, KeepAlive_s = 10 })));

    [Theory]
    [InlineData(4, "40020007")]  // PUBACK
    [InlineData(5, "50020007")]  // PUBREC
    [InlineData(6, "62020007")]  // PUBREL
    [InlineData(7, "70020007")]  // PUBCOMP
    [InlineData(11, "B0020007")] // UNSUBACK
    public void Acknowledgements_are_exact(int typeNumber, string hex)
    {
        var type = (MqttPacketType)typeNumber;
        Assert.Equal(hex, Convert.ToHexString(MqttPacketWriter.Encode(new PacketIdPacket(type, 7))));
        var back = (PacketIdPacket)Decode(Hex(hex));
        Assert.Equal((type, (ushort)7), (back.Type, back.PacketId));
    }

    [Fact]
    public void Subscribe_unsubscribe_and_empty_packets_are_exact()
    {
        // 82 | rl 12 | id 1 | "a/#" QoS 1 | "+" QoS 2
        Assert.Equal("820C00010003612F230100012B02",
            Convert.ToHexString(MqttPacketWriter.Encode(new SubscribePacket(1, [("a/#", MqttQualityOfServiceLevel.AtLeastOnce), ("+", MqttQualityOfServiceLevel.ExactlyOnce)]))));
        Assert.Equal("A20700020003612F62", Convert.ToHexString(MqttPacketWriter.Encode(new UnsubscribePacket(2, ["a/b"]))));
        Assert.Equal("C000", Convert.ToHexString(MqttPacketWriter.Encode(EmptyPacket.PingReq)));
        Assert.Equal("D000", Convert.ToHexString(MqttPacketWriter.Encode(EmptyPacket.PingResp)));
        Assert.Equal("E000", Convert.ToHexString(MqttPacketWriter.Encode(EmptyPacket.Disconnect)));
        Assert.Equal("20020100", Convert.ToHexString(MqttPacketWriter.Encode(new ConnAckPacket(true, MqttClientConnectResultCode.Success))));
        Assert.Equal("9005000A000180", Convert.ToHexString(MqttPacketWriter.Encode(new SubAckPacket(10, [0, 1, 0x80]))));
    }

    [Fact]
    public void Publish_flags_and_layout_are_exact()
    {
        var p = new PublishPacket { Topic = "a/b", Payload = new byte[] { 1, 2 }, Qos = MqttQualityOfServiceLevel.ExactlyOnce, Retain = true, Dup = true, PacketId = 0x1234 };
        // 3 | DUP 8 + QoS2 4 + RETAIN 1 = 0x3D
        Assert.Equal("3D090003612F6212340102", Convert.ToHexString(MqttPacketWriter.Encode(p)));
        Assert.Equal("30050003612F62", Convert.ToHexString(MqttPacketWriter.Encode(new PublishPacket { Topic = "a/b" })));
    }

    [Fact]
    public void All_fourteen_packet_types_round_trip()
    {
        MqttPacket[] packets =
        [
            new ConnectPacket { ClientId = "id", KeepAlive_s = 5, CleanSession = false, Username = "u" },
            new ConnAckPacket(false, MqttClientConnectResultCode.NotAuthorized),
            new PublishPacket { Topic = "t/ü", Payload = new byte[] { 9 }, Qos = MqttQualityOfServiceLevel.AtLeastOnce, PacketId = 65535 },
            new PacketIdPacket(MqttPacketType.PubAck, 1), new PacketIdPacket(MqttPacketType.PubRec, 2), new PacketIdPacket(MqttPacketType.PubRel, 3),
            new PacketIdPacket(MqttPacketType.PubComp, 4),
            new SubscribePacket(5, [("a/+/b", MqttQualityOfServiceLevel.AtMostOnce), ("#", MqttQualityOfServiceLevel.ExactlyOnce)]),
            new SubAckPacket(5, [0, 2]),
            new UnsubscribePacket(6, ["a/#"]), new PacketIdPacket(MqttPacketType.UnsubAck, 6),
            EmptyPacket.PingReq, EmptyPacket.PingResp, EmptyPacket.Disconnect,
        ];
        Assert.Equal(14, packets.Select(p => p.Type).Distinct().Count());
        foreach (var p in packets)
        {
            var bytes = MqttPacketWriter.Encode(p);
            var back = Decode(bytes);
            Assert.Equal(p.Type, back.Type);
            Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(MqttPacketWriter.Encode(back)));
        }
    }

    [Fact]
    public void Incomplete_input_asks_for_more_instead_of_failing()
    {
        var bytes = MqttPacketWriter.Encode(new PublishPacket { Topic = "abc", Payload = new byte[300] });
        for (int n = 0; n < bytes.Length; n++)
            Assert.False(MqttPacketReader.TryDecode(bytes.AsSpan(0, n), 1 << 20, out _, out int consumed));
    }

    [Theory]
    [InlineData("0000", "reserved")]                         // type 0
    [InlineData("F000", "reserved")]                         // type 15 (AUTH is MQTT 5 only)
    [InlineData("3600", "QoS 3")]                            // PUBLISH QoS 3
    [InlineData("6002 0001", "must be 0x2")]                 // PUBREL without its 0b0010 flags
    [InlineData("8000", "must be 0x2")]                      // SUBSCRIBE flags 0
    [InlineData("A000", "must be 0x2")]                      // UNSUBSCRIBE flags 0
    [InlineData("4102 0001", "must be 0x0")]                 // PUBACK with a flag bit
    [InlineData("C100", "must be 0x0")]                      // PINGREQ with a flag bit
    [InlineData("30 FFFFFFFF01", "more than 4 bytes")]       // 5-byte remaining length
    [InlineData("2003 000000", "expected 2")]                // CONNACK too long
    [InlineData("2001 00", "expected 2")]                    // CONNACK too short
    [InlineData("2002 0200", "reserved bits")]               // CONNACK reserved ack flag
    [InlineData("2002 0006", "not one of 0-5")]              // CONNACK code 6
    [InlineData("2002 0105", "session present")]             // session present with a refusal
    [InlineData("3000", "ends at byte 0")]                   // PUBLISH without topic
    [InlineData("3003 000561", "claims 5 bytes")]            // topic length past the packet
    [InlineData("3003 00012B", "wildcard")]                  // PUBLISH topic "+"
    [InlineData("3003 000123", "wildcard")]                  // PUBLISH topic "#"
    [InlineData("3002 0000", "is empty")]                    // PUBLISH empty topic
    [InlineData("3003 000100", "U+0000")]                    // NUL in topic
    [InlineData("3003 0001FF", "UTF-8")]                     // invalid UTF-8
    [InlineData("3004 0002C0AF", "UTF-8")]                   // overlong encoding of '/'
    [InlineData("3005 0003EDA080", "UTF-8")]                 // UTF-16 surrogate encoded in UTF-8
    [InlineData("3205 0001610000", "packet identifier is 0")] // QoS 1 with id 0
    [InlineData("3203 000161", "2-byte integer")]            // QoS 1 without id
    [InlineData("3803 000161", "DUP")]                       // DUP on QoS 0
    [InlineData("4002 0000", "packet identifier is 0")]      // PUBACK id 0
    [InlineData("4003 000100", "expected 2")]                // PUBACK trailing byte
    [InlineData("9003 000103", "0x03")]                      // SUBACK code 3
    [InlineData("9003 000181", "0x81")]                      // SUBACK code 0x81
    [InlineData("9002 0001", "no return code")]              // SUBACK without codes
    [InlineData("8202 0001", "no topic filter")]             // SUBSCRIBE without filters
    [InlineData("8206 0001 00016103", "QoS byte")]           // SUBSCRIBE requested QoS 3
    [InlineData("8205 0001 000161", "ends at byte 5")]       // SUBSCRIBE filter without QoS byte
    [InlineData("8206 0001 0001 2300", "")]                  // valid: filter "#" QoS 0
    [InlineData("8207 0001 00026123 00", "'#'")]             // filter "a#"
    [InlineData("A205 0001 000161 ", "")]                    // valid UNSUBSCRIBE
    [InlineData("A206 0001 00012B 00", "before the length")] // UNSUBSCRIBE filter "+" then one stray byte
    [InlineData("C001 00", "expected 0")]                    // PINGREQ with a body
    [InlineData("E001 00", "expected 0")]                    // DISCONNECT with a body
    [InlineData("100C 00044D515454 05 02 000A 0000", "level 5")]       // MQTT 5 CONNECT
    [InlineData("100C 00044D515455 04 02 000A 0000", "not 'MQTT'")]    // wrong protocol name
    [InlineData("100C 00044D515454 04 03 000A 0000", "reserved bit 0")]
    [InlineData("100C 00044D515454 04 1E 000A 0000", "QoS is 3")]      // will flag + will QoS 3
    [InlineData("100C 00044D515454 04 22 000A 0000", "without the will flag")]
    [InlineData("100C 00044D515454 04 42 000A 0000", "without the user name flag")]
    public void Every_violation_is_a_protocol_exception(string hex, string expected)
    {
        var bytes = Hex(hex);
        if (expected == "")
        {
            Decode(bytes); // the valid controls in the table
            return;
        }
        var e = Assert.Throws<MqttProtocolException>(() => MqttPacketReader.TryDecode(bytes, 1 << 20, out _, out _));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Packet_larger_than_the_maximum_is_refused_from_its_header()
    {
        // Only the fixed header has arrived: the claimed 200-byte body is refused before it is buffered.
        var e = Assert.Throws<MqttProtocolException>(() => MqttPacketReader.TryDecode(Hex("30C801"), 100, out _, out _));
        Assert.Contains("exceeds the maximum packet size of 100", e.Message);
    }

    [Fact]
    public void Publish_writer_matches_the_general_encoder_for_sequences()
    {
        var payload = new System.Buffers.ReadOnlySequence<byte>(new byte[] { 1, 2, 3 });
        int size = MqttPacketWriter.PublishSize(3, payload.Length, MqttQualityOfServiceLevel.AtLeastOnce, out int rl);
        var buffer = new byte[size];
        MqttPacketWriter.WritePublish(buffer, "x/y", 3, payload, rl, MqttQualityOfServiceLevel.AtLeastOnce, false, true, 9);
        var back = (PublishPacket)Decode(buffer);
        Assert.Equal(("x/y", true, (ushort)9), (back.Topic, back.Dup, back.PacketId));
        Assert.True(MqttTopicFilter.IsValidTopicName(back.Topic));
    }
}
