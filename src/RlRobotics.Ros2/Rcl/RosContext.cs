using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages;

namespace RlRobotics.Ros2.Rcl;

/// <summary>Options of a <see cref="RosContext"/>.</summary>
public sealed record RosContextOptions
{
    /// <summary>The DDS domain; null reads <c>ROS_DOMAIN_ID</c> (0 when unset).</summary>
    public uint? DomainId { get; init; }

    /// <summary>Loopback keeps everything on this machine (simulated robots, tests); Default follows Cyclone's configuration.</summary>
    public DdsNetwork Network { get; init; } = DdsNetwork.Default;

    /// <summary>The ROS 2 distribution the graph information is laid out for (the GID size differs).</summary>
    public RosDistro Distro { get; init; } = RosDistro.Jazzy;
}

/// <summary>
/// What rmw calls a context: one DDS participant per process, the nodes on it, and the <c>ros_discovery_info</c>
/// publication that makes ROS 2 tools list those nodes (shaped like ros2_dotnet's <c>RCLdotnet</c>).
/// </summary>
public sealed class RosContext : IDisposable
{
    readonly List<Node> _nodes = new();
    readonly DiscoveryInfo _discovery;

    public RosContext(RosContextOptions? options = null)
    {
        Options = options ?? new RosContextOptions();
        DdsLog.Install();
        Participant = new DdsParticipant(Options.DomainId ?? DdsDomain.FromEnvironment(), Options.Network);
        _discovery = new DiscoveryInfo(Participant, Options.Distro);
    }

    public RosContextOptions Options { get; }
    public DdsParticipant Participant { get; }
    public uint DomainId => Participant.DomainId;

    /// <summary>Creates a node; <paramref name="nodeNamespace"/> defaults to the root.</summary>
    public Node CreateNode(string name, string nodeNamespace = "/")
    {
        TopicNames.ValidateNodeName(name);
        var ns = nodeNamespace.Length == 0 || nodeNamespace == "/" ? "/" : "/" + nodeNamespace.Trim('/');
        if (ns != "/") TopicNames.Validate(ns);
        var node = new Node(this, name, ns);
        lock (_nodes) _nodes.Add(node);
        EntitiesChanged();
        return node;
    }

    internal void Remove(Node node)
    {
        lock (_nodes) _nodes.Remove(node);
        EntitiesChanged();
    }

    /// <summary>Republishes this participant's ParticipantEntitiesInfo (rmw does so whenever an entity is created or deleted).</summary>
    internal void EntitiesChanged()
    {
        List<Node> nodes;
        lock (_nodes) nodes = [.. _nodes];
        _discovery.Publish(nodes);
    }

    /// <summary>The ROS graph as this participant discovers it.</summary>
    public RosGraph Graph => _graph ??= new RosGraph(Participant, Options.Distro);
    RosGraph? _graph;

    public void Dispose()
    {
        List<Node> nodes;
        lock (_nodes) nodes = [.. _nodes];
        foreach (var n in nodes) n.Dispose();
        _graph?.Dispose();
        _discovery.Dispose();
        Participant.Dispose();
    }
}
