using System.Buffers.Binary;
using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Dynamic;
using RlRobotics.Ros2.Messages.Types.diagnostic_msgs;
using RlRobotics.Ros2.Messages.Types.geometry_msgs;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;
using RlRobotics.Ros2.Messages.Types.std_msgs;
using RlRobotics.Ros2.Messages.Types.trajectory_msgs;
using static RlRobotics.Ros2.Messages.Tests.Bytes;

namespace RlRobotics.Ros2.Messages.Tests.Cdr;

/// <summary>Layouts checked against rmw_cyclonedds / Cyclone DDS 0.10.2 (research notes, section 3). Offsets are payload offsets.</summary>
public sealed class GoldenLayoutTests
{
    /// <summary>Encodes typed, checks the dynamic codec agrees, and returns the payload (header stripped).</summary>
    private static byte[] Payload(IRosMessage message)
    {
        var w = new CdrWriter();
        message.WriteTo(w);
        var typed = w.Written.ToArray();
        var r = new CdrReader(typed);
        var dynamic = DynamicCodec.Read(message.GetSchema(), ref r);
        Assert.Equal(0, r.Remaining);
        w.Reset();
        DynamicCodec.Write(dynamic, w);
        Assert.Equal(typed, w.Written.ToArray());
        Assert.Equal(Hex("00 01 00 00"), typed[..4]);
        return typed[4..];
    }

    private static uint U32(byte[] p, int at) => BinaryPrimitives.ReadUInt32LittleEndian(p.AsSpan(at));

    private static double F64(byte[] p, int at) => BinaryPrimitives.ReadDoubleLittleEndian(p.AsSpan(at));

    [Fact]
    public void StringHello()
    {
        Assert.Equal(Hex("06 00 00 00 68 65 6c 6c 6f 00"), Payload(new Messages.Types.std_msgs.String { Data = "hello" }));
    }

    [Fact]
    public void EmptyStringIsLengthOneAndNul()
    {
        Assert.Equal(Hex("01 00 00 00 00"), Payload(new Messages.Types.std_msgs.String()));
    }

    [Fact]
    public void EmptyMessageIsOneZeroByte()
    {
        Assert.Equal(Hex("00"), Payload(new Empty()));
    }

    [Fact]
    public void Float64MultiArray()
    {
        var m = new Float64MultiArray();
        m.Layout.Dim.Add(new MultiArrayDimension { Label = "x", Size = 2, Stride = 2 });
        m.Data.AddRange([1.0, 2.0]);
        var p = Payload(m);
        Assert.Equal(48, p.Length);
        Assert.Equal(1u, U32(p, 0));
        Assert.Equal(Hex("02 00 00 00 78 00 00 00"), p[4..12]); // 'x' NUL, then 2 pad bytes
        Assert.Equal(2u, U32(p, 12));
        Assert.Equal(2u, U32(p, 16));
        Assert.Equal(0u, U32(p, 20));
        Assert.Equal(2u, U32(p, 24));
        Assert.Equal(0u, U32(p, 28)); // pad to 8
        Assert.Equal(1.0, F64(p, 32));
        Assert.Equal(2.0, F64(p, 40));
    }

    [Fact]
    public void WrenchStamped()
    {
        var m = new WrenchStamped { Header = { Stamp = { Sec = 10, Nanosec = 20 }, FrameId = "base" } };
        m.Wrench.Force = new Vector3 { X = 1, Y = 2, Z = 3 };
        m.Wrench.Torque = new Vector3 { X = 4, Y = 5, Z = 6 };
        var p = Payload(m);
        Assert.Equal(72, p.Length);
        Assert.Equal(10u, U32(p, 0));
        Assert.Equal(20u, U32(p, 4));
        Assert.Equal(5u, U32(p, 8));
        Assert.Equal("base\0"u8.ToArray(), p[12..17]);
        Assert.Equal(new byte[7], p[17..24]);
        for (var i = 0; i < 6; i++) Assert.Equal(i + 1.0, F64(p, 24 + 8 * i));
    }

    [Fact]
    public void JointTrajectory()
    {
        var m = new JointTrajectory();
        m.JointNames.Add("j1");
        var point = new JointTrajectoryPoint { TimeFromStart = { Sec = 3, Nanosec = 4 } };
        point.Positions.Add(0.5);
        m.Points.Add(point);
        var p = Payload(m);
        Assert.Equal(1u, U32(p, 8));    // frame_id "" length
        Assert.Equal(1u, U32(p, 16));   // names count
        Assert.Equal(3u, U32(p, 20));   // "j1" length
        Assert.Equal("j1\0"u8.ToArray(), p[24..27]);
        Assert.Equal(1u, U32(p, 28));   // points count
        Assert.Equal(1u, U32(p, 32));   // positions count
        Assert.Equal(0.5, F64(p, 40));
        Assert.Equal(0u, U32(p, 48));
        Assert.Equal(0u, U32(p, 52));
        Assert.Equal(0u, U32(p, 56));
        Assert.Equal(3u, U32(p, 60));
        Assert.Equal(4u, U32(p, 64));
        Assert.Equal(68, p.Length);
    }

    [Fact]
    public void ImuIs37BackToBackDoublesAfterTheHeaderPaddedTo8()
    {
        var m = new Imu();
        var v = 0.0;
        m.Orientation = new Quaternion { X = ++v, Y = ++v, Z = ++v, W = ++v };
        for (var i = 0; i < 9; i++) m.OrientationCovariance[i] = ++v;
        m.AngularVelocity = new Vector3 { X = ++v, Y = ++v, Z = ++v };
        for (var i = 0; i < 9; i++) m.AngularVelocityCovariance[i] = ++v;
        m.LinearAcceleration = new Vector3 { X = ++v, Y = ++v, Z = ++v };
        for (var i = 0; i < 9; i++) m.LinearAccelerationCovariance[i] = ++v;
        var p = Payload(m); // header with frame "": 13 bytes, pad to 16
        Assert.Equal(37.0, v);
        Assert.Equal(16 + 296, p.Length);
        for (var i = 0; i < 37; i++) Assert.Equal(i + 1.0, F64(p, 16 + 8 * i));
    }

    [Fact]
    public void DiagnosticStatusLevelIsOneBytePaddedBeforeTheName()
    {
        var p = Payload(new DiagnosticStatus { Level = DiagnosticStatus.ERROR, Name = "motor" });
        Assert.Equal(Hex("02 00 00 00 06 00 00 00 6d 6f 74 6f 72 00"), p[..14]);
    }

    [Fact]
    public void EmptySequencesWriteOnlyTheirCount()
    {
        // Header "" (13 bytes), then four counts of 0 back to back: no 8-alignment for the empty float64[]s.
        var p = Payload(new JointState());
        Assert.Equal(Hex("00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"), p);
    }

    [Fact]
    public void JointStateDoubleSitsAtBufferOffset36()
    {
        // LOCAL check from the notes: a double of a JointState at buffer offset 36 = payload offset 32.
        var m = new JointState();
        m.Name.Add("j");
        m.Position.Add(1.5);
        var w = new CdrWriter();
        m.WriteTo(w);
        Assert.Equal(1.5, BinaryPrimitives.ReadDoubleLittleEndian(w.Written[36..]));
    }
}
