using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Rcl;

namespace RlRobotics.Ros2.Hal;

/// <summary>
/// One <see cref="RosContext"/> per (domain, network) for the whole process, shared by the HAL components and the node's
/// telemetry, as rmw keeps one participant per process. Reference-counted: the last release disposes it.
/// </summary>
public static class RosContextPool
{
    static readonly Dictionary<(uint, DdsNetwork), (RosContext Context, int Users)> Contexts = new();

    public static RosContext Acquire(uint domainId, DdsNetwork network)
    {
        lock (Contexts)
        {
            if (Contexts.TryGetValue((domainId, network), out var entry))
            {
                Contexts[(domainId, network)] = (entry.Context, entry.Users + 1);
                return entry.Context;
            }
            var context = new RosContext(new RosContextOptions { DomainId = domainId, Network = network });
            Contexts[(domainId, network)] = (context, 1);
            return context;
        }
    }

    public static void Release(RosContext context)
    {
        lock (Contexts)
        {
            var key = (context.DomainId, context.Options.Network);
            if (!Contexts.TryGetValue(key, out var entry) || entry.Context != context) return;
            if (entry.Users > 1) Contexts[key] = (context, entry.Users - 1);
            else
            {
                Contexts.Remove(key);
                context.Dispose();
            }
        }
    }
}
