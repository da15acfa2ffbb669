using System.CommandLine;
using System.Diagnostics;
using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages;
using RlRobotics.Ros2.Messages.Dynamic;
using RlRobotics.Ros2.Messages.Parsing;
using RlRobotics.Ros2.Messages.Schema;
using RlRobotics.Ros2.Rcl;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr topic list|echo|pub|hz</c>: ROS 2 topics from the command line, like <c>ros2 topic</c>, with no ROS install.</summary>
internal static class TopicCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var topic = new Command("topic", "ROS 2 topics, like 'ros2 topic': list, echo, pub, hz (Cyclone DDS, no ROS install needed)");
        topic.Subcommands.Add(List(output, error));
        topic.Subcommands.Add(Echo(output, error));
        topic.Subcommands.Add(Pub(output, error));
        topic.Subcommands.Add(Hz(output, error));
        return topic;
    }

    sealed class Common
    {
        public readonly Option<int?> Domain = new("--domain-id") { Description = "DDS domain (default: ROS_DOMAIN_ID, else 0)" };
        public readonly Option<string> Network = new("--network") { Description = "default (Cyclone's configuration) or loopback", DefaultValueFactory = _ => "default" };
        public readonly Option<string[]> MsgDirs = new("--msg-dir") { Description = "Load message definitions from <dir>/<pkg>/msg/*.msg (repeatable)", AllowMultipleArgumentsPerToken = false };
        public readonly Option<double> Wait = new("--wait") { Description = "Seconds to wait for discovery", DefaultValueFactory = _ => 2.0, HelpName = "s" };

        public Common() => Network.AcceptOnlyFromAmong("default", "loopback");

        public void AddTo(Command c)
        {
            c.Options.Add(Domain);
            c.Options.Add(Network);
            c.Options.Add(MsgDirs);
            c.Options.Add(Wait);
        }

        public RosContext Context(ParseResult p)
        {
            var domain = p.GetValue(Domain);
            if (domain is < 0 or > 232) throw new ArgumentException($"--domain-id must be 0 … 232, got {domain}");
            return new RosContext(new RosContextOptions
            {
                DomainId = domain is { } d ? (uint)d : null,
                Network = p.GetValue(Network) == "loopback" ? DdsNetwork.Loopback : DdsNetwork.Default,
            });
        }

        public MessageRegistry Registry(ParseResult p)
        {
            var registry = MessageRegistry.CreateDefault();
            foreach (var dir in p.GetValue(MsgDirs) ?? []) registry.LoadDirectory(dir);
            return registry;
        }

        /// <summary>The topic's type: given, or discovered from the graph within --wait.</summary>
        public MessageSchema Schema(ParseResult p, RosContext context, MessageRegistry registry, string fullTopic, string? type)
        {
            if (type is not null) return registry.Resolve(type);
            var deadline = Stopwatch.GetTimestamp() + (long)(p.GetValue(Wait) * Stopwatch.Frequency);
            do
            {
                context.Graph.Refresh();
                var known = context.Graph.Topics().FirstOrDefault(t => t.Name == fullTopic);
                if (known is { Types.Count: > 0 }) return registry.Resolve(known.Types[0]);
                Thread.Sleep(50);
            } while (Stopwatch.GetTimestamp() < deadline);
            throw new ArgumentException($"no publisher or subscriber of {fullTopic} seen within {p.GetValue(Wait)} s; give the type (e.g. sensor_msgs/msg/JointState)");
        }
    }

    static int Guard(TextWriter error, string verb, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (ex is ArgumentException or MsgParseException or DdsException or InvalidOperationException or FormatException or DllNotFoundException)
        {
            error.WriteLine($"rlr topic {verb}: {ex.Message}");
            return ExitCodes.BadInput;
        }
    }

    static Command List(TextWriter output, TextWriter error)
    {
        var common = new Common();
        var types = new Option<bool>("--show-types", "-t") { Description = "Show each topic's type" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show publisher and subscriber counts, and the nodes" };
        var c = new Command("list", "Topics seen in the ROS graph (rt/ DDS topics of other participants)") { types, verbose };
        common.AddTo(c);
        c.SetAction(p => Guard(error, "list", () =>
        {
            using var context = common.Context(p);
            var graph = context.Graph; // its builtin readers must exist while discovery runs
            Thread.Sleep(TimeSpan.FromSeconds(p.GetValue(common.Wait)));
            graph.Refresh();
            foreach (var t in context.Graph.Topics())
            {
                var line = t.Name;
                if (p.GetValue(types) || p.GetValue(verbose)) line += $" [{string.Join(", ", t.Types)}]";
                if (p.GetValue(verbose)) line += $" publishers: {t.Publishers}, subscribers: {t.Subscribers}";
                output.WriteLine(line);
            }
            if (p.GetValue(verbose))
            {
                foreach (var n in context.Graph.Nodes()) output.WriteLine($"node {n.FullName}");
            }
            return ExitCodes.Success;
        }));
        return c;
    }

    static Command Echo(TextWriter output, TextWriter error)
    {
        var common = new Common();
        var name = new Argument<string>("topic") { Description = "Topic name, e.g. /cartpole/joint_states" };
        var type = new Argument<string?>("type") { Description = "Message type (default: discovered)", Arity = ArgumentArity.ZeroOrOne };
        var once = new Option<bool>("--once") { Description = "Print one message and exit" };
        var count = new Option<int>("--count") { Description = "Exit after this many messages (0: never)", DefaultValueFactory = _ => 0 };
        var qos = new Option<string>("--qos-profile") { Description = "default, sensor_data, …", DefaultValueFactory = _ => "sensor_data" };
        var timeout = new Option<double>("--timeout") { Description = "Give up after this many seconds without the wanted messages (0: never)", DefaultValueFactory = _ => 0, HelpName = "s" };
        var c = new Command("echo", "Print messages of a topic (YAML, '---' between messages)") { name, type, once, count, qos, timeout };
        common.AddTo(c);
        c.SetAction(p => Guard(error, "echo", () =>
        {
            using var context = common.Context(p);
            var registry = common.Registry(p);
            var node = context.CreateNode("rlr_topic_echo_" + Environment.ProcessId);
            var full = node.ResolveName(p.GetValue(name)!);
            var schema = common.Schema(p, context, registry, full, p.GetValue(type));
            var wanted = p.GetValue(once) ? 1 : p.GetValue(count);
            var seen = 0;
            using var done = new CancellationTokenSource();
            node.CreateSubscription<DynamicRosMessage>(full, schema, m =>
            {
                output.WriteLine(MessageText.Format(m.Message).TrimEnd());
                output.WriteLine("---");
                output.Flush();
                if (wanted > 0 && ++seen >= wanted) done.Cancel();
            }, () => new DynamicRosMessage(schema), QosProfile.FromName(p.GetValue(qos)!));
            if (p.GetValue(timeout) > 0) done.CancelAfter(TimeSpan.FromSeconds(p.GetValue(timeout)));
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; done.Cancel(); };
            Console.CancelKeyPress += onCancel;
            node.Spin(done.Token);
            Console.CancelKeyPress -= onCancel;
            return wanted > 0 && seen < wanted ? ExitCodes.TaskFailed : ExitCodes.Success;
        }));
        return c;
    }

    static Command Pub(TextWriter output, TextWriter error)
    {
        var common = new Common();
        var name = new Argument<string>("topic") { Description = "Topic name" };
        var type = new Argument<string>("type") { Description = "Message type, e.g. std_msgs/msg/Float64MultiArray" };
        var values = new Argument<string>("values") { Description = "Values in YAML, e.g. \"{data: [1.0, 2.0]}\"", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "{}" };
        var rate = new Option<double>("--rate", "-r") { Description = "Publishing rate, Hz", DefaultValueFactory = _ => 1.0, HelpName = "hz" };
        var once = new Option<bool>("--once", "-1") { Description = "Publish once (after a subscriber matched, or --wait) and exit" };
        var times = new Option<int>("--times", "-t") { Description = "Publish this many times and exit (0: until Ctrl+C)", DefaultValueFactory = _ => 0 };
        var qos = new Option<string>("--qos-profile") { Description = "default, sensor_data, …", DefaultValueFactory = _ => "default" };
        var c = new Command("pub", "Publish a message given in YAML, like 'ros2 topic pub'") { name, type, values, rate, once, times, qos };
        common.AddTo(c);
        c.SetAction(p => Guard(error, "pub", () =>
        {
            var hz = p.GetValue(rate);
            if (!(hz > 0) || hz > 10_000) throw new ArgumentException($"--rate must be more than 0 and at most 10000 Hz, got {hz}");
            var registry = common.Registry(p);
            var schema = registry.Resolve(p.GetValue(type)!);
            var message = new DynamicRosMessage(MessageText.Parse(schema, p.GetValue(values)!)); // before joining: bad input changes nothing
            using var context = common.Context(p);
            var node = context.CreateNode("rlr_topic_pub_" + Environment.ProcessId);
            var publisher = node.CreatePublisher<DynamicRosMessage>(p.GetValue(name)!, schema, QosProfile.FromName(p.GetValue(qos)!));
            var count = p.GetValue(once) ? 1 : p.GetValue(times);
            var deadline = Stopwatch.GetTimestamp() + (long)(p.GetValue(common.Wait) * Stopwatch.Frequency);
            while (publisher.SubscriptionCount == 0 && Stopwatch.GetTimestamp() < deadline) Thread.Sleep(10);
            output.WriteLine($"publisher: beginning loop on {publisher.TopicName} [{schema.FullName}]");
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCancel;
            for (var i = 0; count == 0 || i < count; i++)
            {
                publisher.Publish(message);
                output.WriteLine($"publishing #{i + 1}: {MessageText.Format(message.Message).ReplaceLineEndings(" ").Trim()}");
                output.Flush();
                if (count != 0 && i + 1 == count) break;
                if (stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1 / hz))) break;
            }
            // Give reliable delivery a moment before the participant goes away.
            Thread.Sleep(200);
            Console.CancelKeyPress -= onCancel;
            return ExitCodes.Success;
        }));
        return c;
    }

    static Command Hz(TextWriter output, TextWriter error)
    {
        var common = new Common();
        var name = new Argument<string>("topic") { Description = "Topic name" };
        var type = new Argument<string?>("type") { Description = "Message type (default: discovered)", Arity = ArgumentArity.ZeroOrOne };
        var window = new Option<int>("--window", "-w") { Description = "Intervals kept for the statistics", DefaultValueFactory = _ => 10_000 };
        var duration = new Option<double>("--duration") { Description = "Seconds to measure (0: until Ctrl+C)", DefaultValueFactory = _ => 0, HelpName = "s" };
        var qos = new Option<string>("--qos-profile") { Description = "default, sensor_data, …", DefaultValueFactory = _ => "sensor_data" };
        var c = new Command("hz", "Print the rate at which a topic is published (every second, like 'ros2 topic hz')") { name, type, window, duration, qos };
        common.AddTo(c);
        c.SetAction(p => Guard(error, "hz", () =>
        {
            using var context = common.Context(p);
            var registry = common.Registry(p);
            var node = context.CreateNode("rlr_topic_hz_" + Environment.ProcessId);
            var full = node.ResolveName(p.GetValue(name)!);
            var schema = common.Schema(p, context, registry, full, p.GetValue(type));
            var stats = new RateStatistics(Math.Max(2, p.GetValue(window)));
            node.CreateSubscription<DynamicRosMessage>(full, schema, _ => stats.Add(Stopwatch.GetTimestamp()),
                () => new DynamicRosMessage(schema), QosProfile.FromName(p.GetValue(qos)!), reuseMessage: true);
            using var stop = new CancellationTokenSource();
            if (p.GetValue(duration) > 0) stop.CancelAfter(TimeSpan.FromSeconds(p.GetValue(duration)));
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCancel;
            var next = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
            while (!stop.IsCancellationRequested)
            {
                node.SpinOnce(TimeSpan.FromMilliseconds(20));
                if (Stopwatch.GetTimestamp() < next) continue;
                next += Stopwatch.Frequency;
                output.WriteLine(stats.Describe());
                output.Flush();
            }
            Console.CancelKeyPress -= onCancel;
            return stats.Count < 2 ? ExitCodes.TaskFailed : ExitCodes.Success;
        }));
        return c;
    }
}

/// <summary>Arrival intervals of a topic over a sliding window: mean rate, min, max and standard deviation.</summary>
internal sealed class RateStatistics(int window)
{
    readonly Queue<double> _intervals = new();
    long _last = -1;

    public int Count { get; private set; }

    public void Add(long timestamp)
    {
        Count++;
        if (_last >= 0)
        {
            _intervals.Enqueue((double)(timestamp - _last) / Stopwatch.Frequency);
            if (_intervals.Count > window) _intervals.Dequeue();
        }
        _last = timestamp;
    }

    public string Describe()
    {
        if (_intervals.Count == 0) return "no new messages";
        var mean = _intervals.Average();
        var std = Math.Sqrt(_intervals.Sum(x => (x - mean) * (x - mean)) / _intervals.Count);
        return $"average rate: {1 / mean:0.000}\n\tmin: {_intervals.Min():0.000000}s max: {_intervals.Max():0.000000}s std dev: {std:0.00000}s window: {_intervals.Count + 1}";
    }
}
