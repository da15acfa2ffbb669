using System.Diagnostics;
using RlRobotics.Core.Processes;
using System.Globalization;
using System.Text.RegularExpressions;
using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages.Types.sensor_msgs;
using RlRobotics.Ros2.Rcl;

namespace RlRobotics.Cli.Bench;

/// <summary>
/// The ROS 2 benchmark's two sides. This process publishes a 6-joint <c>sensor_msgs/JointState</c> on
/// <c>/rlr_bench/ping</c>; a peer process (this same program, <c>rlr bench ros2 --peer pong</c>) echoes it on
/// <c>/rlr_bench/pong</c>, and the time from publish to the echo's callback is one round trip. For throughput the peer
/// (<c>--peer sink</c>) counts what arrives on <c>/rlr_bench/flood</c> over reliable keep-all endpoints, which throttle the
/// publisher to what the reader takes. Cyclone's <c>ddsperf</c> does the same in C for the comparison.
/// </summary>
public static class Ros2RoundTrip
{
    public const string Ping = "/rlr_bench/ping", Pong = "/rlr_bench/pong", Flood = "/rlr_bench/flood";
    static readonly QosProfile Stream = QosProfile.DefaultProfile.KeepAll();

    /// <summary>The message every side sends: six joints, positions, velocities and efforts.</summary>
    public static JointState SixJoints()
    {
        var m = new JointState();
        for (var i = 0; i < 6; i++)
        {
            m.Name.Add($"joint_{i + 1}");
            m.Position.Add(0.1 * i);
            m.Velocity.Add(-0.2 * i);
            m.Effort.Add(1.5 * i);
        }
        m.Header.FrameId = "base_link";
        return m;
    }

    /// <summary>Its serialised size with the encapsulation header (the payload ddsperf is given).</summary>
    public static int WireSize()
    {
        var w = new RlRobotics.Ros2.Messages.Cdr.CdrWriter();
        w.Reset();
        SixJoints().WriteTo(w);
        return w.Length;
    }

    static RosContext Context(uint domain) => new(new RosContextOptions { DomainId = domain, Network = DdsNetwork.Loopback });

    // ---------------------------------------------------------------- the peer process

    /// <summary>Echoes pings as pongs (one message instance, reused) until stdin closes.</summary>
    public static void RunPong(uint domain, Delivery delivery, TextWriter output)
    {
        using var context = Context(domain);
        var node = context.CreateNode("rlr_bench_pong");
        var pong = node.CreatePublisher<JointState>(Pong);
        node.CreateSubscription<JointState>(Ping, pong.Publish, reuseMessage: true, delivery: delivery);
        output.WriteLine("ready");
        output.Flush();
        using var spin = delivery == Delivery.Executor ? node.SpinInBackground() : null;
        Console.In.ReadToEnd();
    }

    /// <summary>Counts floods until stdin closes, then prints "received N in S s" (first to last message).</summary>
    public static void RunSink(uint domain, TextWriter output)
    {
        using var context = Context(domain);
        var node = context.CreateNode("rlr_bench_sink");
        long count = 0, first = 0, last = 0;
        var flood = node.CreateSubscription<JointState>(Flood, _ =>
        {
            last = Stopwatch.GetTimestamp();
            if (count++ == 0) first = last;
        }, Stream, reuseMessage: true, delivery: Delivery.Immediate);
        output.WriteLine("ready");
        output.Flush();
        // A volatile reader drops what a writer sent before the reader knew it: say when the flood writer is known.
        Matched(() => flood.PublisherCount > 0);
        output.WriteLine("matched");
        output.Flush();
        Console.In.ReadToEnd();
        // Acknowledged samples may still wait in the reader for the listener: count until nothing more arrives.
        long seen;
        do
        {
            seen = Volatile.Read(ref count);
            Thread.Sleep(200);
        } while (Volatile.Read(ref count) != seen);
        output.WriteLine($"received {count} in {(last - first) / (double)Stopwatch.Frequency:0.######} s");
    }

    // ---------------------------------------------------------------- this side

    public sealed record RoundTrips(long[] Ticks, double BytesPerRoundTrip);

    /// <summary>
    /// Times <paramref name="count"/> round trips (after 1000 unmeasured ones) through a pong peer that takes its pings the
    /// same way. <see cref="Delivery.Executor"/>: this thread publishes and spins until the pong is in.
    /// <see cref="Delivery.Immediate"/>: the pong's callback, on the receive thread, sends the next ping (as ddsperf does).
    /// </summary>
    public static RoundTrips MeasureRoundTrips(uint domain, int count, Delivery delivery)
    {
        const int warmup = 1000;
        using var peer = Peer(delivery == Delivery.Executor ? "pong" : "pong-immediate", domain);
        using var context = Context(domain);
        var node = context.CreateNode("rlr_bench_ping");
        var ping = node.CreatePublisher<JointState>(Ping);
        var message = SixJoints();
        var ticks = new long[count];
        var received = 0L;
        long t0 = 0, allocated = 0;
        using var done = new ManualResetEventSlim();
        var chaining = false;
        Action<JointState> onPong = delivery == Delivery.Executor ? _ => received++ : _ =>
        {
            if (!Volatile.Read(ref chaining))
            {
                Interlocked.Increment(ref received);
                return;
            }
            var i = received++ - warmup;
            if (i >= 0) ticks[i] = Stopwatch.GetTimestamp() - t0;
            if (i == -1) allocated = GC.GetAllocatedBytesForCurrentThread();
            if (i + 1 >= count)
            {
                allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
                done.Set();
                return;
            }
            t0 = Stopwatch.GetTimestamp();
            ping.Publish(message);
        };
        var pong = node.CreateSubscription(Pong, onPong, reuseMessage: true, delivery: delivery);
        Matched(() => ping.SubscriptionCount > 0 && pong.PublisherCount > 0);
        // The peer's reader may not know our writer yet even though ours know its endpoints: ping until it answers.
        var answered = Stopwatch.GetTimestamp() + 20 * Stopwatch.Frequency;
        while (Interlocked.Read(ref received) == 0)
        {
            if (Stopwatch.GetTimestamp() > answered) throw new InvalidOperationException("the pong peer never answered");
            ping.Publish(message);
            if (delivery == Delivery.Executor) node.SpinOnce(TimeSpan.FromMilliseconds(50));
            else Thread.Sleep(50);
        }
        if (delivery == Delivery.Executor) while (node.SpinOnce(TimeSpan.FromMilliseconds(100)) > 0) { }
        else Thread.Sleep(200); // let stray answers to the handshake pings arrive before the chain starts
        received = 0;
        if (delivery == Delivery.Immediate)
        {
            Volatile.Write(ref chaining, true);
            t0 = Stopwatch.GetTimestamp();
            ping.Publish(message);
            if (!done.Wait(TimeSpan.FromSeconds(60 + count / 1000))) throw new InvalidOperationException($"the pong peer stopped answering after {received} round trips");
        }
        else
        {
            var timeout = TimeSpan.FromSeconds(1);
            void RoundTrip()
            {
                var expected = received + 1;
                ping.Publish(message);
                while (received < expected)
                    if (node.SpinOnce(timeout) == 0 && received < expected) throw new InvalidOperationException("the pong peer stopped answering");
            }
            for (var i = 0; i < warmup; i++) RoundTrip();
            allocated = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < count; i++)
            {
                t0 = Stopwatch.GetTimestamp();
                RoundTrip();
                ticks[i] = Stopwatch.GetTimestamp() - t0;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        }
        Array.Sort(ticks);
        return new RoundTrips(ticks, (double)allocated / count);
    }

    /// <summary>
    /// One publish of a preallocated message with nobody listening (serialise, hand to DDS, Cyclone's own checks), over
    /// <paramref name="count"/> publishes: µs each and bytes allocated each (the target is 0).
    /// </summary>
    public static (double Us, double Bytes) MeasurePublish(uint domain, int count)
    {
        using var context = Context(domain);
        var publisher = context.CreateNode("rlr_bench_alone").CreatePublisher<JointState>("/rlr_bench/alone");
        var message = SixJoints();
        for (var i = 0; i < 1000; i++) publisher.Publish(message);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var t0 = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++) publisher.Publish(message);
        var us = (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency / count;
        return (us, (double)(GC.GetAllocatedBytesForCurrentThread() - before) / count);
    }

    /// <summary>
    /// Publishes for <paramref name="seconds"/> into a sink peer; returns messages per second as the sink counted them.
    /// <paramref name="batched"/>: with Cyclone's write batching on (as ddsperf runs), flushed every 100 messages.
    /// </summary>
    public static (double Rate, long Sent) MeasureThroughput(uint domain, double seconds, bool batched = false)
    {
        using var peer = Peer("sink", domain);
        long sent = 0;
        using (var context = Context(domain))
        {
            var node = context.CreateNode("rlr_bench_flood");
            if (batched) DdsDomain.SetWriteBatching(true); // before the writer exists: Cyclone 0.10.2 reads it when a writer is created
            try
            {
                var flood = node.CreatePublisher<JointState>(Flood, Stream);
                Matched(() => flood.SubscriptionCount > 0);
                peer.Expect("matched", TimeSpan.FromSeconds(20));
                var message = SixJoints();
                var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
                while (Stopwatch.GetTimestamp() < end)
                {
                    for (var i = 0; i < 100; i++) flood.Publish(message);
                    flood.Flush();
                    sent += 100;
                }
                if (!flood.WaitForAllAcked(TimeSpan.FromSeconds(30))) throw new InvalidOperationException("the sink did not acknowledge everything within 30 s");
            }
            finally
            {
                if (batched) DdsDomain.SetWriteBatching(false);
            }
        }
        var line = peer.Finish();
        var m = Regex.Match(line, @"received (\d+) in ([0-9.]+) s");
        if (!m.Success) throw new InvalidOperationException($"the sink peer said '{line}'");
        var count = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var span = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        if (count != sent) throw new InvalidOperationException($"reliable keep-all delivery lost messages: the sink received {count} of {sent}");
        return (span > 0 ? (count - 1) / span : 0, sent);
    }

    static void Matched(Func<bool> condition)
    {
        var deadline = Stopwatch.GetTimestamp() + 20 * Stopwatch.Frequency;
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline) throw new InvalidOperationException("the peer process did not match within 20 s");
            Thread.Sleep(5);
        }
    }

    /// <summary>A peer process: this program with <c>bench ros2 --peer ROLE</c>; it stops when its stdin closes.</summary>
    static PeerProcess Peer(string role, uint domain)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!);
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(Ros2RoundTrip).Assembly.Location);
        foreach (var a in new[] { "bench", "ros2", "--peer", role, "--domain-id", domain.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
        return new PeerProcess(start, $"the {role} peer");
    }

    // ---------------------------------------------------------------- Cyclone's ddsperf

    public sealed record Native(double ListenerP50_us, double ListenerP99_us, double WaitsetP50_us, double WaitsetP99_us, double Rate);

    /// <summary>
    /// ddsperf ping/pong (payload <paramref name="size"/> bytes; listener, then waitset) and pub/sub on the same loopback
    /// configuration; null when ddsperf is not installed. ddsperf prints percentiles per second: the medians over the
    /// seconds are reported. ddsperf reports <em>half</em> the round trip (its <c>update_roundtrip</c> is given
    /// <c>(tnow - source_timestamp) / 2</c>, a one-way estimate), so its figures are doubled here to compare round trip
    /// with round trip. Its pub/sub runs with write batching on (<c>dds_write_set_batch (true)</c> in its main).
    /// </summary>
    public static Native? MeasureDdsperf(uint domain, int size, double seconds)
    {
        if (!File.Exists("/usr/bin/ddsperf")) return null;
        var bytes = size.ToString(CultureInfo.InvariantCulture);
        (double P50, double P99) PingPong(string mode)
        {
            var (_, pingOut) = PairOfDdsperf(domain, ["pong", mode], ["ping", "size", bytes, mode], seconds);
            var p50 = new List<double>();
            var p99 = new List<double>();
            foreach (Match m in Regex.Matches(pingOut, @"size \d+ mean [0-9.]+us min [0-9.]+us 50% ([0-9.]+)us 90% [0-9.]+us 99% ([0-9.]+)us"))
            {
                p50.Add(2 * double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
                p99.Add(2 * double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            }
            return (Median(p50), Median(p99));
        }
        var listener = PingPong("listener");
        var waitset = PingPong("waitset");
        var (subOut, _) = PairOfDdsperf(domain, ["sub"], ["pub", "size", bytes], seconds);
        var rates = Regex.Matches(subOut, @"rate ([0-9.]+) kS/s").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 1000)
            .Where(r => r > 0).ToList();
        if (rates.Count > 2) rates = rates[1..^1]; // the first and last seconds are partial
        return new Native(listener.P50, listener.P99, waitset.P50, waitset.P99, Median(rates));
    }

    static (string First, string Second) PairOfDdsperf(uint domain, string[] first, string[] second, double seconds)
    {
        ProcessStartInfo Start(string[] mode, double duration)
        {
            var s = new ProcessStartInfo("ddsperf") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-i", domain.ToString(CultureInfo.InvariantCulture), "-D", duration.ToString("0.#", CultureInfo.InvariantCulture) }.Concat(mode))
                s.ArgumentList.Add(a);
            s.Environment["CYCLONEDDS_URI"] = DdsDomain.LoopbackConfig();
            return s;
        }
        using var a = Process.Start(Start(first, seconds + 2))!;
        var aOut = a.StandardOutput.ReadToEndAsync();
        using var b = Process.Start(Start(second, seconds))!;
        var bOut = b.StandardOutput.ReadToEndAsync();
        b.WaitForExit();
        a.WaitForExit();
        return (aOut.Result, bOut.Result);
    }

    static double Median(List<double> values)
    {
        if (values.Count == 0) return double.NaN;
        values.Sort();
        return values[values.Count / 2];
    }
}
