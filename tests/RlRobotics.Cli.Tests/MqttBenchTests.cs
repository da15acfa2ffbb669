using System.Text.RegularExpressions;

namespace RlRobotics.Cli.Tests;

/// <summary>
/// <c>rlr bench mqtt</c> end to end at a small size: it starts its own broker, runs every row and the command-latency
/// run on a live 1 kHz node, and fails if our client lost a QoS 1 message. The figures are the benchmark's business.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class MqttBenchTests
{
    [Fact]
    public void The_mqtt_bench_runs_every_row_and_times_signed_commands_to_the_filter()
    {
        var (code, output, error) = RunCommandTests.Rlr("bench", "mqtt", "--messages", "500", "--commands", "10");
        var text = Regex.Replace(output, @"\s+", " ");
        Assert.True(code == ExitCodes.Success, $"exit {code}\n{output}\n{error}");
        Assert.Matches(@"rlr \(MqttClient\) │ 0 │ \d+ │ 500/500", text);
        Assert.Matches(@"rlr \(MqttClient\) │ 1 │ \d+ │ 500/500", text);
        Assert.Matches(@"mosquitto_pub --repeat │ 1 │ \d+ │ 500/500 │ [0-9.]+×", text);
        Assert.Contains("10 commands", text);
        Assert.Matches(@"the cycle that applies it \(1 kHz loop\) │ \d+ │ \d+ │ \d+", text);
    }
}
