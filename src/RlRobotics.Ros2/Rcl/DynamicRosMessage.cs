using RlRobotics.Ros2.Messages;
using RlRobotics.Ros2.Messages.Cdr;
using RlRobotics.Ros2.Messages.Dynamic;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Rcl;

/// <summary>
/// A run-time typed message (a <see cref="DynamicMessage"/> of a schema loaded from .msg files) as something publishers and
/// subscriptions carry: <c>node.CreatePublisher&lt;DynamicRosMessage&gt;(topic, schema)</c>.
/// </summary>
public sealed class DynamicRosMessage : IRosMessage
{
    public DynamicRosMessage(MessageSchema schema) : this(new DynamicMessage(schema)) { }

    public DynamicRosMessage(DynamicMessage message) => Message = message;

    /// <summary>The values; replaced by every <see cref="ReadFrom"/>.</summary>
    public DynamicMessage Message { get; private set; }

    public MessageSchema GetSchema() => Message.Schema;

    public void WriteTo(CdrWriter writer) => DynamicCodec.Write(Message, writer);

    public void ReadFrom(ref CdrReader reader) => Message = DynamicCodec.Read(Message.Schema, ref reader);

    public override string ToString() => Message.ToString();
}
