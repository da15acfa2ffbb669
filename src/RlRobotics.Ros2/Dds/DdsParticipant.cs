using System.Text;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Dds;

/// <summary>
/// A DDS domain participant: the unit ROS 2 calls a context. Creates topics (from message schemas), writers and readers.
/// ROS 2 graph tools only see participants whose USER_DATA carries <c>enclave=/;</c>, so it is set.
/// </summary>
public sealed unsafe class DdsParticipant : IDisposable
{
    readonly DdsEntity _entity;
    readonly Dictionary<string, DdsTopic> _topics = new();

    public DdsParticipant(uint domainId, DdsNetwork network = DdsNetwork.Loopback, string enclave = "/")
    {
        DdsDomain.Ensure(domainId, network);
        DomainId = domainId;
        _entity = new DdsEntity(new QosProfile().CreateWith(Encoding.UTF8.GetBytes($"enclave={enclave};"),
            qos => DdsNative.dds_create_participant(domainId, qos, IntPtr.Zero), $"creating a DDS participant in domain {domainId}"));
    }

    public uint DomainId { get; }
    public DdsEntity Entity => _entity;
    public Guid16 Guid => _entity.Guid;

    /// <summary>The topic <paramref name="ddsName"/> (already mangled, e.g. <c>rt/joint_states</c>) of type <paramref name="schema"/>.</summary>
    public DdsTopic Topic(string ddsName, MessageSchema schema)
    {
        lock (_topics)
        {
            if (_topics.TryGetValue(ddsName, out var known))
            {
                if (known.Schema.DdsTypeName != schema.DdsTypeName)
                    throw new ArgumentException($"topic '{ddsName}' is already used with type {known.Schema.FullName}, not {schema.FullName}");
                return known;
            }
            var descriptor = TopicDescriptor.For(schema);
            var name = Encoding.UTF8.GetBytes(ddsName + "\0");
            int handle;
            fixed (byte* p = name) handle = DdsNative.dds_create_topic(_entity.Handle, descriptor.Native, p, IntPtr.Zero, IntPtr.Zero);
            var topic = new DdsTopic(DdsException.Check(handle, $"creating topic '{ddsName}' ({schema.DdsTypeName})"), ddsName, schema);
            _topics[ddsName] = topic;
            return topic;
        }
    }

    public DdsWriter CreateWriter(DdsTopic topic, QosProfile qos, ReadOnlySpan<byte> userData = default) =>
        new(this, topic, qos, userData);

    public DdsReader CreateReader(DdsTopic topic, QosProfile qos, ReadOnlySpan<byte> userData = default) =>
        new(this, topic, qos, userData);

    public void Dispose()
    {
        lock (_topics) _topics.Clear();
        _entity.Dispose();
    }
}

/// <summary>A DDS topic: a name and the message type carried on it.</summary>
public sealed class DdsTopic : DdsEntity
{
    internal DdsTopic(int handle, string name, MessageSchema schema) : base(handle)
    {
        Name = name;
        Schema = schema;
    }

    public string Name { get; }
    public MessageSchema Schema { get; }
}
