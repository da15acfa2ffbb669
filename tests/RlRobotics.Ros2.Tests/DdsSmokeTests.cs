using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Tests;

public class DdsSmokeTests
{
    static readonly MessageSchema StringSchema = new("std_msgs", "String", [new Field("data", FieldType.Of(PrimitiveKind.String))]);

    [Fact]
    public void Raw_cdr_goes_from_one_participant_to_another()
    {
        using var a = new DdsParticipant(71);
        using var b = new DdsParticipant(71);
        var writer = a.CreateWriter(a.Topic("rt/chatter", StringSchema), QosProfile.DefaultProfile);
        var reader = b.CreateReader(b.Topic("rt/chatter", StringSchema), QosProfile.DefaultProfile);
        using var ws = new DdsWaitSet(b);
        ws.Attach(reader, 1);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (writer.MatchedReaders == 0 && DateTime.UtcNow < deadline) Thread.Sleep(10);
        byte[] cdr = [0, 1, 0, 0, 4, 0, 0, 0, (byte)'a', (byte)'b', (byte)'c', 0];
        writer.Write(cdr);
        Span<nint> tokens = stackalloc nint[4];
        byte[]? got = null;
        while (got is null && DateTime.UtcNow < deadline)
        {
            ws.Wait(TimeSpan.FromSeconds(1), tokens);
            reader.Take((bytes, _) => got = bytes.ToArray());
        }
        Assert.NotNull(got);
        Assert.Equal(cdr, got![..12]);
        var bad = Assert.Throws<DdsException>(() => writer.Write([0, 1, 0, 0, 0, 0, 0, 0]));
        Assert.Contains("does not match std_msgs/msg/String", bad.Message);
    }
}
