using BenchmarkDotNet.Attributes;
using RlRobotics.Cli.Bench;
using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;
using RlRobotics.Ros2.Rcl;

namespace RlRobotics.Benchmarks;

/// <summary>
/// Publishing a preallocated 6-joint JointState through Cyclone DDS in one process: alone, and delivered to an immediate
/// subscription in the same domain (serialise, Cyclone's type check, local delivery, take, decode into a reused message).
/// The two-process round trip and throughput, next to ddsperf, are <c>rlr bench ros2</c>.
/// </summary>
[MemoryDiagnoser]
public class Ros2Benchmarks
{
    private RosContext? _context;
    private Publisher<JointState>? _alone, _delivered;
    private readonly JointState _message = Ros2RoundTrip.SixJoints();
    private long _received;

    [GlobalSetup]
    public void Setup()
    {
        _context = new RosContext(new RosContextOptions { DomainId = 98, Network = DdsNetwork.Loopback });
        var node = _context.CreateNode("bench");
        _alone = node.CreatePublisher<JointState>("/bench/alone");
        _delivered = node.CreatePublisher<JointState>("/bench/delivered");
        node.CreateSubscription<JointState>("/bench/delivered", _ => _received++, reuseMessage: true, delivery: Delivery.Immediate);
    }

    [GlobalCleanup]
    public void Cleanup() => _context?.Dispose();

    [Benchmark]
    public void PublishSixJointStateNoSubscriber() => _alone!.Publish(_message);

    [Benchmark]
    public long PublishSixJointStateToLocalSubscriber()
    {
        _delivered!.Publish(_message);
        return _received;
    }
}
