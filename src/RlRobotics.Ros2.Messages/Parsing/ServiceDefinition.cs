namespace RlRobotics.Ros2.Messages.Parsing;

/// <summary>A parsed .srv: the request and response halves (<c>Name_Request</c>, <c>Name_Response</c>).</summary>
public sealed record ServiceDefinition(string Package, string Name, MessageDefinition Request, MessageDefinition Response);
