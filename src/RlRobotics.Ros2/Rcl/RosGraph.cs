using System.Runtime.InteropServices;
using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages;
using RlRobotics.Ros2.Messages.Cdr;

namespace RlRobotics.Ros2.Rcl;

/// <summary>One endpoint (reader or writer) seen in the DDS discovery data.</summary>
public sealed record GraphEndpoint(Guid16 Key, Guid16 Participant, string DdsTopic, string DdsType, bool IsWriter);

/// <summary>A ROS topic with its types and how many publishers and subscribers it has.</summary>
public sealed record GraphTopic(string Name, IReadOnlyList<string> Types, int Publishers, int Subscribers);

/// <summary>A node announced in some participant's <c>ros_discovery_info</c>.</summary>
public sealed record GraphNode(string Namespace, string Name)
{
    public string FullName => Namespace == "/" ? "/" + Name : $"{Namespace}/{Name}";
}

/// <summary>
/// The ROS graph as rmw's graph cache builds it: topics from the builtin DCPSPublication and DCPSSubscription readers
/// (only <c>rt/</c> topics, shown as <c>/name</c> with type <c>pkg/msg/Name</c>), nodes from <c>ros_discovery_info</c>.
/// Call <see cref="Refresh"/> to take what discovery has delivered so far.
/// </summary>
public sealed unsafe class RosGraph : IDisposable
{
    readonly DdsEntity _publications, _subscriptions;
    readonly DdsReader _discovery;
    readonly Guid16 _self;
    readonly Dictionary<Guid16, GraphEndpoint> _endpoints = new();
    readonly Dictionary<string, IReadOnlyList<GraphNode>> _nodes = new();
    readonly int _gidSize;

    internal RosGraph(DdsParticipant participant, RosDistro distro)
    {
        _self = participant.Guid;
        _gidSize = DiscoveryInfo.GidSize(distro);
        _publications = new DdsEntity(DdsException.Check(
            DdsNative.dds_create_reader(participant.Entity.Handle, DdsNative.BuiltinPublication, IntPtr.Zero, IntPtr.Zero), "reading DCPSPublication"));
        _subscriptions = new DdsEntity(DdsException.Check(
            DdsNative.dds_create_reader(participant.Entity.Handle, DdsNative.BuiltinSubscription, IntPtr.Zero, IntPtr.Zero), "reading DCPSSubscription"));
        _discovery = participant.CreateReader(participant.Topic(DiscoveryInfo.TopicName, DiscoveryInfo.Schema(distro)),
            QosProfile.DiscoveryInfoProfile.KeepAll());
    }

    /// <summary>Takes what discovery has delivered since the last call.</summary>
    public void Refresh()
    {
        TakeEndpoints(_publications, isWriter: true);
        TakeEndpoints(_subscriptions, isWriter: false);
        _discovery.Take((cdr, _) =>
        {
            try
            {
                var r = new CdrReader(cdr);
                var gid = ReadGid(ref r);
                var count = r.ReadSequenceLength();
                var nodes = new List<GraphNode>(count);
                for (var i = 0; i < count; i++)
                {
                    var ns = r.ReadString();
                    var name = r.ReadString();
                    SkipGids(ref r);
                    SkipGids(ref r);
                    nodes.Add(new GraphNode(ns, name));
                }
                _nodes[gid] = nodes;
            }
            catch (CdrException)
            {
                // A peer's malformed graph message is ignored; the graph just lacks its nodes.
            }
        });
    }

    string ReadGid(ref CdrReader r)
    {
        Span<byte> gid = stackalloc byte[_gidSize];
        for (var i = 0; i < gid.Length; i++) gid[i] = r.ReadByte();
        return Convert.ToHexString(gid[..16]);
    }

    void SkipGids(ref CdrReader r)
    {
        var n = r.ReadSequenceLength();
        for (var i = 0; i < n * _gidSize; i++) r.ReadByte();
    }

    void TakeEndpoints(DdsEntity reader, bool isWriter)
    {
        const int batch = 32;
        var buffer = stackalloc IntPtr[batch];
        var infos = stackalloc SampleInfo[batch];
        while (true)
        {
            for (var i = 0; i < batch; i++) buffer[i] = IntPtr.Zero; // NULL asks Cyclone to lend its own samples
            var n = DdsNative.dds_take(reader.Handle, buffer, infos, batch, batch);
            if (n <= 0) return;
            for (var i = 0; i < n; i++)
            {
                // dds_builtintopic_endpoint_t: key @0, participant_key @16, topic_name @40, type_name @48
                var p = (byte*)buffer[i];
                var key = new Guid16(new ReadOnlySpan<byte>(p, 16));
                const uint alive = 16; // DDS_IST_ALIVE (instance states are 16, 32, 64 in the mask)
                if (infos[i].ValidData == 0 || infos[i].InstanceState != alive)
                {
                    _endpoints.Remove(key);
                    continue;
                }
                var participant = new Guid16(new ReadOnlySpan<byte>(p + 16, 16));
                if (participant.Prefix.SequenceEqual(_self.Prefix)) continue; // our own endpoints are not "the graph"
                var topic = Marshal.PtrToStringUTF8(*(IntPtr*)(p + 40)) ?? "";
                var type = Marshal.PtrToStringUTF8(*(IntPtr*)(p + 48)) ?? "";
                _endpoints[key] = new GraphEndpoint(key, participant, topic, type, isWriter);
            }
            DdsNative.dds_return_loan(reader.Handle, buffer, n);
            if (n < batch) return;
        }
    }

    /// <summary>Every endpoint of other participants, by DDS name.</summary>
    public IReadOnlyCollection<GraphEndpoint> Endpoints => _endpoints.Values;

    /// <summary>ROS topics (<c>rt/</c> names only), sorted by name.</summary>
    public IReadOnlyList<GraphTopic> Topics() => _endpoints.Values
        .Select(e => (Ros: TopicNames.FromDds(e.DdsTopic), e))
        .Where(x => x.Ros is not null)
        .GroupBy(x => x.Ros!)
        .Select(g => new GraphTopic(g.Key, g.Select(x => TopicNames.TypeFromDds(x.e.DdsType)).Distinct().Order().ToList(),
            g.Count(x => x.e.IsWriter), g.Count(x => !x.e.IsWriter)))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    /// <summary>Nodes announced by other participants.</summary>
    public IReadOnlyList<GraphNode> Nodes() => _nodes.Values.SelectMany(n => n).OrderBy(n => n.FullName, StringComparer.Ordinal).ToList();

    public void Dispose()
    {
        _discovery.Dispose();
        _publications.Dispose();
        _subscriptions.Dispose();
    }
}
