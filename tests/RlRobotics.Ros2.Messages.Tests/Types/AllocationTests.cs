using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;

namespace RlRobotics.Ros2.Messages.Tests.Types;

public sealed class AllocationTests
{
    private static JointState SixJoints()
    {
        var m = new JointState { Header = { FrameId = "base_link" } };
        for (var i = 0; i < 6; i++)
        {
            m.Name.Add($"joint_{i + 1}");
            m.Position.Add(0.1 * i);
            m.Velocity.Add(-0.2 * i);
            m.Effort.Add(1.5 * i);
        }
        return m;
    }

    [Fact]
    public void PublishingASixJointStateAllocatesNothingInSteadyState()
    {
        var m = SixJoints();
        var w = new CdrWriter();
        for (var i = 0; i < 200; i++)
        {
            w.Reset();
            m.WriteTo(w);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 2000; i++)
        {
            m.Header.Stamp.Nanosec = (uint)i;
            m.Position[i % 6] = i;
            w.Reset();
            m.WriteTo(w);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ReadingIntoAPreallocatedJointStateAllocatesNothingInSteadyState()
    {
        var w = new CdrWriter();
        SixJoints().WriteTo(w);
        var bytes = w.Written.ToArray();
        var target = new JointState();
        for (var i = 0; i < 200; i++)
        {
            var r = new CdrReader(bytes);
            target.ReadFrom(ref r);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 2000; i++)
        {
            var r = new CdrReader(bytes);
            target.ReadFrom(ref r);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal("joint_6", target.Name[5]);
    }
}
