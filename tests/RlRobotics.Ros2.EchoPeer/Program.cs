using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages.Parsing;
using RlRobotics.Ros2.Rcl;

// The echo peer: for every message type in the default registry it subscribes to /echo/in/<pkg>_<Name> and publishes
// what arrives, decoded into a dynamic message and encoded again, on /echo/out/<pkg>_<Name>. The ROS 2 tests start it
// as a separate process so each type crosses a real process boundary (UDP on loopback) twice.
//   usage: RlRobotics.Ros2.EchoPeer DOMAIN      prints "ready" once every endpoint exists; stops when stdin closes.
if (args.Length != 1 || !uint.TryParse(args[0], out var domain) || domain > 232)
{
    Console.Error.WriteLine("usage: RlRobotics.Ros2.EchoPeer DOMAIN (0 … 232)");
    return 2;
}

using var context = new RosContext(new RosContextOptions { DomainId = domain, Network = DdsNetwork.Loopback });
var node = context.CreateNode("echo_peer");
var echoed = 0;
foreach (var schema in MessageRegistry.CreateDefault().Messages)
{
    var topic = $"{schema.Package}_{schema.Name}";
    var output = node.CreatePublisher<DynamicRosMessage>($"/echo/out/{topic}", schema);
    node.CreateSubscription<DynamicRosMessage>($"/echo/in/{topic}", schema, m =>
    {
        output.Publish(m);
        Interlocked.Increment(ref echoed);
    }, () => new DynamicRosMessage(schema), delivery: Delivery.Immediate);
}
Console.WriteLine("ready");
Console.Out.Flush();
Console.In.ReadToEnd();
Console.WriteLine($"echoed {echoed}");
return 0;
