using RlRobotics.Ros2.Messages.Parsing;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Messages.Types;

/// <summary>Schemas of the typed classes: the parsed built-in definitions (Jazzy layouts), shared with <see cref="MessageRegistry.CreateDefault"/>.</summary>
internal static class BuiltinTypes
{
    public static MessageSchema Message(string name) => MessageRegistry.Builtin(RosDistro.Jazzy).Resolve(name);

    public static ServiceSchema Service(string name) => MessageRegistry.Builtin(RosDistro.Jazzy).ResolveService(name);
}
