using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages;
using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Parsing;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Rcl;

/// <summary>
/// Publishes <c>rmw_dds_common/msg/ParticipantEntitiesInfo</c> on the DDS topic <c>ros_discovery_info</c> (no <c>rt/</c>):
/// this participant's GID and, per node, its namespace, name and the GIDs of its readers and writers. <c>ros2 node list</c>
/// learns node names only from this. Reliable, transient-local, keep-last 1, as rmw_cyclonedds publishes it. A GID is the
/// 16-byte DDS GUID, zero-padded to 24 bytes for Humble.
/// </summary>
internal sealed class DiscoveryInfo : IDisposable
{
    public const string TopicName = "ros_discovery_info";
    readonly DdsParticipant _participant;
    readonly DdsWriter _writer;
    readonly int _gidSize;
    readonly CdrWriter _cdr = new();
    readonly object _gate = new();

    public DiscoveryInfo(DdsParticipant participant, RosDistro distro)
    {
        _participant = participant;
        _gidSize = GidSize(distro);
        _writer = participant.CreateWriter(participant.Topic(TopicName, Schema(distro)), QosProfile.DiscoveryInfoProfile);
    }

    public static int GidSize(RosDistro distro) => distro == RosDistro.Humble ? 24 : 16;

    /// <summary>The ParticipantEntitiesInfo schema for a distribution (from the message registry).</summary>
    public static MessageSchema Schema(RosDistro distro) => distro == RosDistro.Humble ? HumbleSchema.Value : JazzySchema.Value;

    static readonly Lazy<MessageSchema> HumbleSchema = new(() =>
        MessageRegistry.CreateDefault(RosDistro.Humble).Resolve("rmw_dds_common/msg/ParticipantEntitiesInfo"));
    static readonly Lazy<MessageSchema> JazzySchema = new(() =>
        MessageRegistry.CreateDefault(RosDistro.Jazzy).Resolve("rmw_dds_common/msg/ParticipantEntitiesInfo"));

    public void Publish(IReadOnlyList<Node> nodes)
    {
        lock (_gate)
        {
            _cdr.Reset();
            WriteGid(_participant.Guid);
            _cdr.WriteSequenceLength(nodes.Count);
            foreach (var node in nodes)
            {
                _cdr.WriteString(node.Namespace);
                _cdr.WriteString(node.Name);
                var readers = node.Readers;
                _cdr.WriteSequenceLength(readers.Count);
                foreach (var r in readers) WriteGid(r.Entity.Guid);
                var writers = node.Writers;
                _cdr.WriteSequenceLength(writers.Count);
                foreach (var w in writers) WriteGid(w.Entity.Guid);
            }
            _writer.Write(_cdr.Written);
        }
    }

    void WriteGid(Guid16 guid)
    {
        Span<byte> gid = stackalloc byte[_gidSize];
        gid.Clear();
        guid.Bytes.CopyTo(gid);
        _cdr.WriteBytes(gid);
    }

    public void Dispose() => _writer.Dispose();
}
