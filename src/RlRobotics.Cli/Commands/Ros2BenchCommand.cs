using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RlRobotics.Cli.Bench;
using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Rcl;
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr bench ros2</c>: round trip and throughput of a 6-joint JointState between two processes, next to ddsperf.</summary>
internal static class Ros2BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var roundTrips = new Option<int>("--round-trips") { Description = "Round trips to time (after 1000 warm-up ones)", DefaultValueFactory = _ => 20_000 };
        roundTrips.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && v is < 100 or > 10_000_000) r.AddError($"--round-trips: expected 100 … 10000000, got {v}"); });
        var seconds = CliOptions.Positive("--seconds", "Seconds of flooding for throughput, and of each ddsperf run", 5, "s");
        var domain = new Option<int>("--domain-id") { Description = "DDS domain for the runs (loopback only)", DefaultValueFactory = _ => 99 };
        domain.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && v is < 0 or > 232) r.AddError($"--domain-id: expected 0 … 232, got {v}"); });
        var noNative = new Option<bool>("--no-native") { Description = "Skip the ddsperf comparison" };
        var batching = new Option<bool>("--batching") { Description = "Also measure throughput with Cyclone's write batching on, as ddsperf pub runs (process-wide setting)" };
        var peer = new Option<string?>("--peer") { Description = "Internal: run as the pong or sink peer process", Hidden = true };
        peer.AcceptOnlyFromAmong("pong", "pong-immediate", "sink");
        var command = new Command("ros2",
            "ROS 2 over Cyclone DDS on loopback, two processes: publish→receive round trip of a 6-joint sensor_msgs/JointState (p50/p99), " +
            "reliable throughput, bytes allocated per publish; next to Cyclone's ddsperf ping/pong and pub/sub")
        {
            roundTrips, seconds, domain, noNative, batching, peer,
        };
        command.SetAction(parse =>
        {
            var id = (uint)parse.GetValue(domain);
            try
            {
                switch (parse.GetValue(peer))
                {
                    case "pong":
                        Ros2RoundTrip.RunPong(id, Delivery.Executor, output);
                        return ExitCodes.Success;
                    case "pong-immediate":
                        Ros2RoundTrip.RunPong(id, Delivery.Immediate, output);
                        return ExitCodes.Success;
                    case "sink":
                        Ros2RoundTrip.RunSink(id, output);
                        return ExitCodes.Success;
                }
                var n = parse.GetValue(roundTrips);
                var s = parse.GetValue(seconds);
                var size = Ros2RoundTrip.WireSize();
                var executor = Ros2RoundTrip.MeasureRoundTrips(id, n, Delivery.Executor);
                var immediate = Ros2RoundTrip.MeasureRoundTrips(id, n, Delivery.Immediate);
                var (alone, perPublish) = Ros2RoundTrip.MeasurePublish(id, 100_000);
                var (rate, sent) = Ros2RoundTrip.MeasureThroughput(id, s);
                var batched = parse.GetValue(batching) ? Ros2RoundTrip.MeasureThroughput(id, s, batched: true) : ((double Rate, long Sent)?)null;
                var native = parse.GetValue(noNative) ? null : Ros2RoundTrip.MeasureDdsperf(id, size, s);

                static double Us(Ros2RoundTrip.RoundTrips r, double q) => r.Ticks[Math.Min(r.Ticks.Length - 1, (int)(q * r.Ticks.Length))] * 1e6 / Stopwatch.Frequency;
                static string F(double v, string format = "0.0") => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);
                var console = RunCommand.Console(output);
                console.MarkupLine($"ROS 2 round trip: {size}-byte sensor_msgs/JointState (6 joints) · {n} round trips · two processes on loopback, domain {id} " +
                                   $"({Environment.ProcessorCount} CPUs)");
                var table = new Table().Border(TableBorder.Rounded).AddColumns("round trip", "p50 µs", "p99 µs", "max µs", "B/round trip", "vs ddsperf p50", "p99");
                void Row(string name, Ros2RoundTrip.RoundTrips r, double nativeP50, double nativeP99) =>
                    table.AddRow(name, F(Us(r, 0.5)), F(Us(r, 0.99)), F(Us(r, 1 - 1e-12)), F(r.BytesPerRoundTrip, "0.##"),
                        native is null ? "" : F(Us(r, 0.5) / nativeP50, "0.00") + "×", native is null ? "" : F(Us(r, 0.99) / nativeP99, "0.00") + "×");
                Row("RlRobotics, immediate (listener)", immediate, native?.ListenerP50_us ?? double.NaN, native?.ListenerP99_us ?? double.NaN);
                Row("RlRobotics, executor (waitset)", executor, native?.WaitsetP50_us ?? double.NaN, native?.WaitsetP99_us ?? double.NaN);
                if (native is not null)
                {
                    table.AddRow("ddsperf, listener (C) ×2", F(native.ListenerP50_us), F(native.ListenerP99_us), "", "", "", "");
                    table.AddRow("ddsperf, waitset (C) ×2", F(native.WaitsetP50_us), F(native.WaitsetP99_us), "", "", "", "");
                }
                console.Write(table);
                console.MarkupLine($"reliable throughput: [cyan]{F(rate, "0")}[/] msg/s, one datagram per message ({sent} published in {s:0.#} s, counted by the receiving process)");
                if (batched is { } b)
                    console.MarkupLine($"reliable throughput, write batching on (as ddsperf runs): [cyan]{F(b.Rate, "0")}[/] msg/s ({b.Sent} published)" +
                                       (native is null ? "" : $" · ddsperf pub/sub {F(native.Rate, "0")} msg/s, batched ({F(b.Rate / native.Rate, "0.00")}×)"));
                else if (native is not null)
                    console.MarkupLine($"ddsperf pub/sub: {F(native.Rate, "0")} msg/s with write batching on ({F(rate / native.Rate, "0.00")}× ours unbatched; --batching compares batched)");
                console.MarkupLine($"publish: [cyan]{F(perPublish, "0.##")}[/] bytes allocated per publish · {F(alone, "0.00")} µs per publish with no subscriber " +
                                   "(serialise, hand the CDR to Cyclone, which checks it against the type)");
                console.MarkupLine("[grey]ddsperf prints half the round trip, per second: the medians over its run are shown, doubled.[/]");
                if (native is null && !parse.GetValue(noNative)) console.MarkupLine("[grey]ddsperf not found (Debian package cyclonedds-tools): no native comparison.[/]");
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is DdsException or InvalidOperationException or DllNotFoundException)
            {
                error.WriteLine($"rlr bench ros2: {ex.Message}");
                return ExitCodes.TaskFailed;
            }
        });
        return command;
    }
}
