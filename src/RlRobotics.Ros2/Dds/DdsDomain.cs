using System.Collections.Concurrent;
using System.Text;

namespace RlRobotics.Ros2.Dds;

/// <summary>Where DDS discovery and data may go.</summary>
public enum DdsNetwork
{
    /// <summary>Cyclone's own configuration: <c>CYCLONEDDS_URI</c> if set, otherwise every interface with multicast.</summary>
    Default,
    /// <summary>
    /// Loopback only, unicast discovery (what Jazzy's rmw generates for <c>ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST</c>, plus the
    /// interface pinned to <c>lo</c>): used by the simulated robots and every test, so nothing leaves the machine.
    /// </summary>
    Loopback,
}

/// <summary>
/// Creates each DDS domain this process uses once, with its configuration (<c>dds_create_domain</c>); participants
/// created later in the same domain share it. Domains live as long as the process.
/// </summary>
public static class DdsDomain
{
    static readonly ConcurrentDictionary<uint, (DdsNetwork Network, DdsEntity Domain)> Domains = new();

    /// <summary>The ROS domain id from <c>ROS_DOMAIN_ID</c>, 0 when unset.</summary>
    public static uint FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable("ROS_DOMAIN_ID");
        if (string.IsNullOrWhiteSpace(text)) return 0;
        if (!uint.TryParse(text, out var id) || id > 232)
            throw new ArgumentException($"ROS_DOMAIN_ID must be an integer from 0 to 232, got '{text}'");
        return id;
    }

    /// <summary>The loopback-only Cyclone configuration, with room for <paramref name="maxParticipants"/> processes.</summary>
    public static string LoopbackConfig(int maxParticipants = 32) =>
        "<CycloneDDS><Domain id=\"any\">" +
        "<General><Interfaces><NetworkInterface name=\"lo\"/></Interfaces><AllowMulticast>false</AllowMulticast></General>" +
        $"<Discovery><ParticipantIndex>auto</ParticipantIndex><MaxAutoParticipantIndex>{maxParticipants}</MaxAutoParticipantIndex>" +
        "<Peers><Peer address=\"localhost\"/></Peers></Discovery>" +
        "</Domain></CycloneDDS>";

    /// <summary>
    /// Write batching (Cyclone's <c>dds_write_set_batch</c>, what <c>ddsperf</c> turns on): writes are packed into one UDP
    /// datagram until it is full or the writer is flushed (<see cref="DdsWriter.Flush"/>). Raises throughput several
    /// times for streams of small samples; a sample that is not flushed waits, so a control loop leaves it off.
    /// <b>Process-wide</b>: it applies to every writer of every domain that exists when it is called, and to later writers
    /// in those domains.
    /// </summary>
    public static void SetWriteBatching(bool enable) => DdsNative.dds_write_set_batch(enable);

    /// <summary>Makes sure <paramref name="domainId"/> exists with <paramref name="network"/>; a second, different choice is refused.</summary>
    public static unsafe void Ensure(uint domainId, DdsNetwork network)
    {
        if (domainId > 232) throw new ArgumentOutOfRangeException(nameof(domainId), domainId, "DDS domain ids for ROS 2 are 0 to 232");
        var entry = Domains.GetOrAdd(domainId, id =>
        {
            if (network == DdsNetwork.Default) return (network, new DdsEntity(0));
            var config = Encoding.UTF8.GetBytes(LoopbackConfig() + "\0");
            fixed (byte* p = config)
            {
                var handle = DdsException.Check(DdsNative.dds_create_domain(id, p), $"creating DDS domain {id} on loopback");
                return (network, new DdsEntity(handle));
            }
        });
        if (entry.Network != network)
            throw new InvalidOperationException($"DDS domain {domainId} was already set up for {entry.Network}, not {network}");
    }
}
