using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using RlRobotics.Cli.Node;
using RlRobotics.Core.Time;
using RlRobotics.Core.Frames;
using RlRobotics.Core.Spec;
using RlRobotics.Hal.Loop;
using RlRobotics.Hal.Safety;
using RlRobotics.Mqtt;
using RlRobotics.Mqtt.Broker;
using RlRobotics.Mqtt.Fleet;

namespace RlRobotics.Cli.Bench;

/// <summary>
/// The MQTT benchmark, against a mosquitto started for it on loopback:
/// <list type="bullet">
/// <item>publish throughput of N messages with a 100-byte payload, QoS 0 and QoS 1, by our client and by
/// <c>mosquitto_pub</c> (one message at a time with <c>--repeat</c>, and streamed with <c>-l</c>), each timed from the
/// publisher's start (connection included) to the last message reaching one subscriber;</item>
/// <item>the latency of a signed remote command from <c>mosquitto_pub</c> to the safety filter of a running node (the
/// simulated cart-pole at 1 kHz): to the filter's request (verified, handed over) and to the cycle that applies it.</item>
/// </list>
/// </summary>
public static class MqttBench
{
    public const string Topic = "bench/flood";

    public sealed record Throughput(string Who, int Qos, int Sent, int Received, double Seconds)
    {
        public double Rate => Received / Seconds;
    }

    public sealed record Latencies(double[] ToRequest_us, double[] ToFilter_us, int Refused);

    static byte[] Payload(int size) => Enumerable.Range(0, size).Select(i => (byte)('a' + i % 26)).ToArray();

    /// <summary>A subscriber (our client) that counts what arrives on <see cref="Topic"/> and notes when the last one came.</summary>
    sealed class Counter : IDisposable
    {
        readonly MqttClient _client = new();
        int _count;
        long _last;

        public Counter(int port, int qos)
        {
            _client.ApplicationMessageReceivedAsync += _ =>
            {
                Interlocked.Increment(ref _count);
                Volatile.Write(ref _last, Stopwatch.GetTimestamp());
                return Task.CompletedTask;
            };
            _client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId($"rlr-bench-sink-{qos}").Build()).GetAwaiter().GetResult();
            _client.SubscribeAsync(Topic, (MqttQualityOfServiceLevel)qos).GetAwaiter().GetResult();
        }

        public void Reset() => Interlocked.Exchange(ref _count, 0);

        /// <summary>Waits until <paramref name="expected"/> arrived or nothing arrived for a second; returns the count and the last arrival.</summary>
        public (int Count, long Last) Wait(int expected)
        {
            var seen = -1;
            var still = Stopwatch.StartNew();
            while (Volatile.Read(ref _count) < expected && still.ElapsedMilliseconds < 1000)
            {
                if (Volatile.Read(ref _count) != seen) { seen = _count; still.Restart(); }
                Thread.Sleep(1);
            }
            return (Volatile.Read(ref _count), Volatile.Read(ref _last));
        }

        public void Dispose() => _client.Dispose();
    }

    /// <summary>Our client: connect, publish <paramref name="n"/> messages (QoS 1: up to the client's in-flight window at once), disconnect.</summary>
    public static Throughput Ours(int port, int qos, int n, int size)
    {
        using var counter = new Counter(port, qos);
        var message = new MqttApplicationMessageBuilder().WithTopic(Topic).WithPayload(Payload(size)).WithQualityOfServiceLevel((MqttQualityOfServiceLevel)qos).Build();
        var start = Stopwatch.GetTimestamp();
        using (var client = new MqttClient())
        {
            client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("rlr-bench-pub").Build()).GetAwaiter().GetResult();
            if (qos == 0)
                for (var i = 0; i < n; i++) client.PublishAsync(message).GetAwaiter().GetResult();
            else
            {
                var pending = new Task[n];
                for (var i = 0; i < n; i++) pending[i] = client.PublishAsync(message);
                Task.WaitAll(pending);
            }
            client.DisconnectAsync().GetAwaiter().GetResult();
        }
        var (received, last) = counter.Wait(n);
        return new Throughput("rlr (MqttClient)", qos, n, received, Seconds(start, last));
    }

    /// <summary><c>mosquitto_pub</c>: <paramref name="lines"/> streams stdin lines (<c>-l</c>), else <c>--repeat</c> (each message once the last is done).</summary>
    public static Throughput? MosquittoPub(int port, int qos, int n, int size, bool lines)
    {
        if (!File.Exists("/usr/bin/mosquitto_pub")) return null;
        using var counter = new Counter(port, qos);
        var text = System.Text.Encoding.ASCII.GetString(Payload(size));
        var input = lines ? Path.GetTempFileName() : null;
        try
        {
            if (input is not null) File.WriteAllText(input, string.Concat(Enumerable.Repeat(text + "\n", n)));
            var args = $"mosquitto_pub -h 127.0.0.1 -p {port} -i rlr-bench-mosquitto-pub -q {qos} -t {Topic} " +
                       (lines ? $"-l < {input}" : $"-m {text} --repeat {n}");
            var start = Stopwatch.GetTimestamp();
            using var process = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", args }, RedirectStandardError = true })!;
            var errors = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"mosquitto_pub failed ({process.ExitCode}): {errors.Result}");
            var (received, last) = counter.Wait(n);
            return new Throughput(lines ? "mosquitto_pub -l" : "mosquitto_pub --repeat", qos, n, received, Seconds(start, last));
        }
        finally { if (input is not null) File.Delete(input); }
    }

    static double Seconds(long from, long to) => Math.Max(1, to - from) / (double)Stopwatch.Frequency;

    /// <summary>
    /// Signed <c>mode hold</c>/<c>mode run</c> commands, alternately, written one line at a time into a running
    /// <c>mosquitto_pub -l -q 1</c>; each is timed from the write to the fleet link's verdict (the filter's request) and to
    /// the cycle in which the filter's hold flag changed.
    /// </summary>
    public static Latencies? CommandLatency(int port, int commands, TextWriter log)
    {
        if (!File.Exists("/usr/bin/mosquitto_pub")) return null;
        var keyHex = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        const string keyVariable = "RLR_BENCH_COMMAND_KEY";
        Environment.SetEnvironmentVariable(keyVariable, keyHex);
        var yaml = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "robots", "cartpole.sim.yaml")) + $"""

            mqtt:
              broker: 127.0.0.1
              port: {port}
              insecure: true           # the benchmark's own broker on loopback
              telemetry: {"{"} state_hz: 50 {"}"}
              commands: {"{"} key_env: {keyVariable}, max_age_s: 30 {"}"}
            """;
        var probe = new HoldProbe();
        using var node = RobotNode.Build(new NodeOptions
        {
            Robot = RobotSpecLoader.Load(yaml, "cartpole.sim.yaml + mqtt (bench)"),
            Controller = "lqr",
            Clock = WallClock.Instance,
            Observers = [probe],
        });
        probe.Filter = node.Filter;
        var handled = new SemaphoreSlim(0);
        long handledAt = 0;
        var refused = 0;
        node.Fleet!.CommandHandled += o =>
        {
            Volatile.Write(ref handledAt, Stopwatch.GetTimestamp());
            if (!o.Accepted) Interlocked.Increment(ref refused);
            handled.Release();
        };
        if (node.Activate() is { Count: > 0 } problems) throw new InvalidOperationException(string.Join("; ", problems));
        node.Loop.Start();
        var topic = $"rlr/{node.Robot.Name}/cmd/mode";
        var key = Convert.FromHexString(keyHex);
        using var publisher = Process.Start(new ProcessStartInfo("mosquitto_pub")
        {
            ArgumentList = { "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-i", "rlr-bench-operator", "-q", "1", "-t", topic, "-l" },
            RedirectStandardInput = true,
            RedirectStandardError = true,
        })!;
        var toRequest = new List<double>();
        var toFilter = new List<double>();
        try
        {
            var random = new Random(1);
            for (var i = -20; i < commands; i++) // 20 warm-up commands
            {
                var hold = !node.Filter.Held; // each command changes the filter's mode, so each shows as a flip
                long sent;
                for (var tries = 1; ; tries++)
                {
                    var line = SignedCommand.Create(key, topic, new Dictionary<string, object?> { ["mode"] = hold ? "hold" : "run" }, DateTimeOffset.UtcNow);
                    sent = Stopwatch.GetTimestamp();
                    publisher.StandardInput.WriteLine(line);
                    publisher.StandardInput.Flush();
                    // Until the link has connected and subscribed, a command finds nobody: the first warm-up one is resent.
                    if (handled.Wait(i == -20 ? 500 : 5000)) break;
                    if (i != -20 || tries == 20) throw new TimeoutException($"no verdict for command {i} (broker or fleet link down?)");
                }
                if (!probe.Flipped.Wait(5000)) throw new TimeoutException($"the filter's hold flag did not change within 5 s for command {i}");
                if (i >= 0)
                {
                    toRequest.Add((Volatile.Read(ref handledAt) - sent) * 1e6 / Stopwatch.Frequency);
                    toFilter.Add((Volatile.Read(ref probe.FlippedAt) - sent) * 1e6 / Stopwatch.Frequency);
                }
                Thread.Sleep(2 + random.Next(4)); // commands are rare: do not let them queue behind each other
                if (i == -1) // a resent first command may have been answered twice: start the timed ones clean
                {
                    Thread.Sleep(100);
                    while (handled.Wait(0)) { }
                    while (probe.Flipped.Wait(0)) { }
                }
            }
        }
        finally
        {
            publisher.StandardInput.Close();
            if (!publisher.WaitForExit(5000)) publisher.Kill();
            node.Loop.Stop();
            node.Loop.Join();
        }
        if (node.Loop.Statistics.Overruns > 0) log.WriteLine($"note: the loop overran {node.Loop.Statistics.Overruns} times during the command run");
        toRequest.Sort();
        toFilter.Sort();
        return new Latencies([.. toRequest], [.. toFilter], refused);
    }

    sealed class HoldProbe : ICycleObserver
    {
        public SafetyFilter? Filter;
        public long FlippedAt;
        public readonly SemaphoreSlim Flipped = new(0);
        bool _held;

        public void OnCycle(StateFrame state, CommandFrame command, in CycleTime time)
        {
            if (Filter is null || Filter.Held == _held) return;
            _held = !_held;
            Volatile.Write(ref FlippedAt, Stopwatch.GetTimestamp());
            Flipped.Release();
        }
    }
}
