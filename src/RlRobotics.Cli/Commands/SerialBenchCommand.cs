using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RlRobotics.Cli.Bench;
using RlRobotics.Serial.Dynamixel;
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr bench serial</c>: the round trip of one control cycle on a Dynamixel bus over a pseudo-terminal.</summary>
internal static class SerialBenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var cycles = new Option<int>("--cycles") { Description = "Cycles to time (after 1000 warm-up cycles)", DefaultValueFactory = _ => 20_000 };
        cycles.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && v is < 100 or > 10_000_000) r.AddError($"--cycles: expected 100 … 10000000, got {v}"); });
        var servos = new Option<int>("--servos") { Description = "Servos on the bus", DefaultValueFactory = _ => 6 };
        servos.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && v is < 1 or > 40) r.AddError($"--servos: expected 1 … 40, got {v}"); });
        var command = new Command("serial",
            "Sync read (current, velocity, position) + sync write (goal position) of N XM430s through termios to the servo-chain double on a pty: round trip p50/p99, bytes allocated")
        {
            cycles, servos,
        };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(cycles);
            var count = parse.GetValue(servos);
            var console = RunCommand.Console(output);
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("read", "p50", "p99", "p99.9", "max", "B/cycle", "failed", "retries", "wire");
            foreach (var read in new[] { ReadMethod.Sync, ReadMethod.FastSync })
            {
                SerialRoundTrip rig;
                try { rig = new SerialRoundTrip(count, read); }
                catch (InvalidOperationException ex)
                {
                    error.WriteLine($"rlr bench serial: {ex.Message}");
                    return ExitCodes.TaskFailed;
                }
                using (rig)
                {
                    for (var i = 0; i < 1000; i++) rig.Cycle();
                    var times = new long[n];
                    var failed = 0;
                    var retries = rig.Bus.Statistics.Retries;
                    var before = GC.GetAllocatedBytesForCurrentThread();
                    for (var i = 0; i < n; i++)
                    {
                        var t0 = Stopwatch.GetTimestamp();
                        if (!rig.Cycle()) failed++;
                        times[i] = Stopwatch.GetTimestamp() - t0;
                    }
                    var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    Array.Sort(times);
                    string Us(double q) => (times[Math.Min(n - 1, (int)(q * n))] * 1e6 / Stopwatch.Frequency).ToString("0", CultureInfo.InvariantCulture);
                    table.AddRow(read == ReadMethod.Sync ? "sync" : "fast sync", Us(0.5), Us(0.99), Us(0.999), Us(1.0 - 1e-12),
                        ((double)allocated / n).ToString("0.###", CultureInfo.InvariantCulture), $"{failed}", $"{rig.Bus.Statistics.Retries - retries}",
                        $"{rig.WireBytes(read) * 10}");
                }
            }
            console.MarkupLine($"serial round trip, µs: {count} servos · {n} cycles · termios ↔ socat pty ↔ servo-chain double (one process, {Environment.ProcessorCount} CPUs)");
            console.Write(table);
            console.MarkupLine("[grey]A pty has no baud rate: 'wire' is what the same bytes take on a real 1 Mbit/s line, before USB latency.[/]");
            return ExitCodes.Success;
        });
        return command;
    }
}
