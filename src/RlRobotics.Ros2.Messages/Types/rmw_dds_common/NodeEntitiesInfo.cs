using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types.rmw_dds_common;

/// <summary><c>rmw_dds_common/msg/NodeEntitiesInfo</c>: One node and the GIDs of its readers and writers, as published on <c>ros_discovery_info</c>.</summary>
public sealed class NodeEntitiesInfo : IRosMessage<NodeEntitiesInfo>
{
    public static MessageSchema Schema { get; } = BuiltinTypes.Message("rmw_dds_common/msg/NodeEntitiesInfo");

    public string NodeNamespace { get; set; } = "";
    public string NodeName { get; set; } = "";
    public List<Gid> ReaderGidSeq { get; set; } = [];
    public List<Gid> WriterGidSeq { get; set; } = [];

    public MessageSchema GetSchema() => Schema;

    public void WriteTo(CdrWriter writer)
    {
        CdrFieldChecks.StringBound(NodeNamespace, 256, "rmw_dds_common/msg/NodeEntitiesInfo.node_namespace");
        writer.WriteString(NodeNamespace);
        CdrFieldChecks.StringBound(NodeName, 256, "rmw_dds_common/msg/NodeEntitiesInfo.node_name");
        writer.WriteString(NodeName);
        writer.WriteMessages(ReaderGidSeq);
        writer.WriteMessages(WriterGidSeq);
    }

    public void ReadFrom(ref CdrReader reader)
    {
        NodeNamespace = reader.ReadString(NodeNamespace, 256);
        NodeName = reader.ReadString(NodeName, 256);
        reader.ReadMessages(ReaderGidSeq);
        reader.ReadMessages(WriterGidSeq);
    }
}
