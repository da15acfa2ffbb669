using System.CommandLine;
using System.Globalization;
using RlRobotics.Cli.Bench;
using RlRobotics.Mqtt;
using RlRobotics.Mqtt.Broker;
using Spectre.Console;

namespace RlRobotics.Cli.Commands;

/// <summary><c>rlr bench mqtt</c>: publish throughput next to mosquitto_pub, and a signed command's way to the safety filter.</summary>
internal static class MqttBenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var messages = new Option<int>("--messages") { Description = "Messages per throughput run", DefaultValueFactory = _ => 100_000 };
        messages.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && v is < 100 or > 10_000_000) r.AddError($"--messages: expected 100 … 10000000, got {v}"); });
        var size = new Option<int>("--payload") { Description = "Payload bytes", DefaultValueFactory = _ => 100 };
        size.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && v is < 1 or > 65_536) r.AddError($"--payload: expected 1 … 65536 bytes, got {v}"); });
        var commands = new Option<int>("--commands") { Description = "Signed commands to time (0: skip the latency run)", DefaultValueFactory = _ => 500 };
        commands.Validators.Add(r => { if (CliOptions.TryValue<int>(r, out var v) && v is < 0 or > 100_000) r.AddError($"--commands: expected 0 … 100000, got {v}"); });
        var command = new Command("mqtt",
            "MQTT against a mosquitto started on loopback: QoS 0 and QoS 1 publish throughput of our client next to mosquitto_pub, " +
            "and the latency of a signed command from mosquitto_pub to the safety filter of a running node (cart-pole, 1 kHz)")
        {
            messages, size, commands,
        };
        command.SetAction(parse =>
        {
            try
            {
                using var broker = MosquittoProcess.StartLocal();
                var (n, bytes) = (parse.GetValue(messages), parse.GetValue(size));
                var rows = new List<MqttBench.Throughput>();
                foreach (var qos in new[] { 0, 1 })
                {
                    rows.Add(MqttBench.Ours(broker.Port, qos, n, bytes));
                    if (MqttBench.MosquittoPub(broker.Port, qos, n, bytes, lines: false) is { } repeat) rows.Add(repeat);
                    if (MqttBench.MosquittoPub(broker.Port, qos, n, bytes, lines: true) is { } lines) rows.Add(lines);
                }
                var latency = parse.GetValue(commands) > 0 ? MqttBench.CommandLatency(broker.Port, parse.GetValue(commands), output) : null;

                static string F(double v, string format = "0") => double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);
                var console = RunCommand.Console(output);
                console.MarkupLine($"MQTT publish throughput: {n} messages × {bytes} B · mosquitto on loopback · from the publisher's start (connect included) " +
                                   $"to the last message at one subscriber ({Environment.ProcessorCount} CPUs)");
                var table = new Table().Border(TableBorder.Rounded).AddColumns("publisher", "QoS", "msg/s", "received", "ours ×");
                foreach (var r in rows)
                {
                    var ours = rows.First(o => o.Qos == r.Qos);
                    table.AddRow(r.Who, r.Qos.ToString(CultureInfo.InvariantCulture), F(r.Rate), $"{r.Received}/{r.Sent}", r == ours ? "" : F(ours.Rate / r.Rate, "0.00") + "×");
                }
                console.Write(table);
                console.MarkupLine("[grey]QoS 1: our client keeps up to 100 messages in flight; mosquitto_pub --repeat sends each after the last one's PUBACK, -l streams its input (libmosquitto's in-flight window).[/]");
                if (latency is { } l)
                {
                    static double Q(double[] v, double q) => v.Length == 0 ? double.NaN : v[Math.Min(v.Length - 1, (int)(q * v.Length))];
                    console.MarkupLine($"signed command (mode hold/run) from mosquitto_pub -l -q 1 to the safety filter, {l.ToFilter_us.Length} commands:");
                    var t = new Table().Border(TableBorder.Rounded).AddColumns("to", "p50 µs", "p99 µs", "max µs");
                    t.AddRow("the filter's request (verified, handed over)", F(Q(l.ToRequest_us, 0.5)), F(Q(l.ToRequest_us, 0.99)), F(Q(l.ToRequest_us, 1)));
                    t.AddRow("the cycle that applies it (1 kHz loop)", F(Q(l.ToFilter_us, 0.5)), F(Q(l.ToFilter_us, 0.99)), F(Q(l.ToFilter_us, 1)));
                    console.Write(t);
                    if (l.Refused > 0) console.MarkupLine($"[red]{l.Refused} commands refused[/]");
                }
                foreach (var r in rows.Where(r => r.Received < r.Sent && !r.Who.StartsWith("rlr")))
                    console.MarkupLine($"[grey]{r.Who}, QoS {r.Qos}: {r.Received} of {r.Sent} arrived (it exits at the end of its input with messages still queued); its rate counts what arrived.[/]");
                var lost = rows.Where(r => r.Qos == 1 && r.Received < r.Sent && r.Who.StartsWith("rlr")).ToList();
                foreach (var r in lost) error.WriteLine($"rlr bench mqtt: {r.Who} QoS 1: {r.Received} of {r.Sent} arrived");
                return lost.Count == 0 && latency is not { Refused: > 0 } ? ExitCodes.Success : ExitCodes.TaskFailed;
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or MqttCommunicationException)
            {
                error.WriteLine($"rlr bench mqtt: {ex.Message}");
                return ExitCodes.TaskFailed;
            }
        });
        return command;
    }
}
