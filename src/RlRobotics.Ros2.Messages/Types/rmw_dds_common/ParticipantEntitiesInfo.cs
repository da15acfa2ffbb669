using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.rmw_dds_common;

/// <summary><c>rmw_dds_common/msg/ParticipantEntitiesInfo</c>: A DDS participant and the nodes it hosts, as published on <c>ros_discovery_info</c>.</summary>
public sealed class ParticipantEntitiesInfo : IRosMessage<ParticipantEntitiesInfo>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("rmw_dds_common/msg/ParticipantEntitiesInfo");

    public Gid Gid { get; set; } = new();
    public List<NodeEntitiesInfo> NodeEntitiesInfoSeq { get; set; } = [];

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        Gid.WriteTo(writer);
        writer.WriteMessages(NodeEntitiesInfoSeq);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        Gid.ReadFrom(ref reader);
        reader.ReadMessages(NodeEntitiesInfoSeq);
    }
}
