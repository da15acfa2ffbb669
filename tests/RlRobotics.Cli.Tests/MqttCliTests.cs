using System.Text.Json;
using RlRobotics.Mqtt;
using RlRobotics.Mqtt.Fleet;
using RlRobotics.Mqtt.Tests.Rig;

namespace RlRobotics.Cli.Tests;

/// <summary>
/// <c>rlr mqtt pub|sub|sign</c> against the shared test mosquitto (TLS, password file, ACL), and their refusals of bad
/// input; <c>rlr train</c> reporting its progress over MQTT. The robot-facing <c>rlr mqtt cmd</c> is in <see cref="FleetLinkTests"/>.
/// </summary>
public sealed class MqttCliTests : IDisposable
{
    const string PasswordVariable = "RLR_CLI_TEST_MQTT_PASSWORD";
    readonly MosquittoBroker _broker = MosquittoBroker.Shared;
    readonly string _dir = Directory.CreateTempSubdirectory("rlr-mqtt-cli-").FullName;

    public MqttCliTests() => Environment.SetEnvironmentVariable(PasswordVariable, MosquittoBroker.Password);

    string[] Tls(string user = MosquittoBroker.User) =>
        ["--host", "localhost", "--port", _broker.TlsPort.ToString(), "--cafile", _broker.Pki.CaCertificate, "-u", user, "--password-env", PasswordVariable];

    static (int Code, string Out, string Err) Rlr(params string[] args) => RunCommandTests.Rlr(args);

    [Fact]
    public void Pub_retains_a_message_over_tls_and_sub_prints_it_with_its_topic()
    {
        var topic = $"test/cli/{Guid.NewGuid():N}";
        var (code, output, error) = Rlr(["mqtt", "pub", topic, "hello from rlr", "--retain", "-q", "1", "-v", .. Tls()]);
        Assert.True(code == ExitCodes.Success, error + output);
        Assert.Contains($"published 1 × 14 B to {topic} (QoS 1, retained)", output);

        (code, output, error) = Rlr(["mqtt", "sub", "test/cli/#", "-v", "-C", "1", "-W", "10", .. Tls()]);
        Assert.True(code == ExitCodes.Success, error + output);
        Assert.Contains($"{topic} hello from rlr", output);

        // mosquitto_sub agrees about what is retained there.
        var seen = Tool.Run("mosquitto_sub", $"-h localhost -p {_broker.TlsPort} --cafile {_broker.Pki.CaCertificate} -u {MosquittoBroker.User} " +
                                             $"-P {MosquittoBroker.Password} -t {topic} -C 1 -W 10");
        Assert.Equal("hello from rlr", seen.Trim());
    }

    [Fact]
    public void Sub_waits_for_count_and_fails_clearly_when_it_does_not_come()
    {
        var (code, _, error) = Rlr(["mqtt", "sub", $"test/silent/{Guid.NewGuid():N}", "-C", "1", "-W", "0.5", .. Tls()]);
        Assert.Equal(ExitCodes.TaskFailed, code);
        Assert.Contains("0 of 1 messages within 0.5 s", error);
    }

    [Fact]
    public void A_wrong_password_is_the_broker_refusing_us_not_a_hang()
    {
        Environment.SetEnvironmentVariable("RLR_CLI_TEST_WRONG", "not-the-password");
        var (code, _, error) = Rlr("mqtt", "pub", "test/x", "x", "--host", "localhost", "--port", _broker.TlsPort.ToString(),
            "--cafile", _broker.Pki.CaCertificate, "-u", MosquittoBroker.User, "--password-env", "RLR_CLI_TEST_WRONG");
        Assert.Equal(ExitCodes.TaskFailed, code);
        Assert.Contains("refused", error);
    }

    [Theory]
    [InlineData("a wildcard topic", "pub|test/#|x", "wildcard")]
    [InlineData("QoS 3", "pub|test/x|x|-q|3", "--qos must be 0, 1 or 2")]
    [InlineData("a certificate without its key", "pub|test/x|x|--cert|robots/cartpole.sim.yaml", "--cert needs --key")]
    [InlineData("a missing CA file", "pub|test/x|x|--cafile|/nonexistent/ca.pem", "--cafile: no such file")]
    [InlineData("an unset password variable", "pub|test/x|x|-u|robot|--password-env|RLR_NOT_SET_ANYWHERE", "RLR_NOT_SET_ANYWHERE is not set")]
    [InlineData("an unknown robot command", "sign|fly|--topic-root|rlr/x", "unknown command 'fly'")]
    [InlineData("a goal that is not a number", "sign|goal|cart/position=abc|--topic-root|rlr/x|--key-env|RLR_CLI_TEST_MQTT_PASSWORD", "expected a finite number")]
    [InlineData("a goal with no value", "sign|goal|--topic-root|rlr/x|--key-env|PATH", "goal needs name=value pairs")]
    [InlineData("a key too short", "sign|hold|--topic-root|rlr/x|--key-env|RLR_CLI_TEST_SHORT_KEY", "at least 32 hex digits")]
    [InlineData("a robot file without mqtt:", "sign|hold|--robot|robots/cartpole.sim.yaml", "has no mqtt: section")]
    public void Bad_input_is_refused_before_anything_connects(string what, string args, string expected)
    {
        Environment.SetEnvironmentVariable("RLR_CLI_TEST_SHORT_KEY", "abcd");
        var (code, output, error) = Rlr(["mqtt", .. args.Split('|')]);
        Assert.True(code == ExitCodes.BadInput, $"{what}: exit {code}\n{output}\n{error}");
        Assert.Contains(expected, error);
    }

    [Fact]
    public void An_unreachable_broker_is_reported_with_its_address()
    {
        var port = MosquittoBroker.FreePort();
        var (code, _, error) = Rlr("mqtt", "pub", "test/x", "x", "--host", "127.0.0.1", "--port", port.ToString(), "--connect-timeout", "2");
        Assert.Equal(ExitCodes.TaskFailed, code);
        Assert.Contains($"127.0.0.1:{port}", error);
    }

    [Fact]
    public void Sign_prints_a_payload_the_robot_verifies_for_that_topic_only()
    {
        var key = Convert.FromHexString("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
        Environment.SetEnvironmentVariable("RLR_CLI_TEST_KEY", Convert.ToHexString(key));
        var (code, output, error) = Rlr("mqtt", "sign", "goal", "cart/position=0.25", "--topic-root", "rlr/cartpole", "--key-env", "RLR_CLI_TEST_KEY");
        Assert.True(code == ExitCodes.Success, error);
        Assert.Contains("rlr/cartpole/cmd/goal", error);
        var payload = System.Text.Encoding.UTF8.GetBytes(output.Trim());

        var verifier = new CommandVerifier(key, TimeSpan.FromSeconds(5), TimeProvider.System);
        var verdict = verifier.Verify("rlr/cartpole/cmd/goal", payload);
        Assert.Equal(CommandRefusal.None, verdict.Refusal);
        Assert.Equal(0.25, verdict.Body.GetProperty("goals").GetProperty("cart/position").GetDouble());
        Assert.Equal(CommandRefusal.BadSignature, new CommandVerifier(key, TimeSpan.FromSeconds(5), TimeProvider.System).Verify("rlr/cartpole/cmd/mode", payload).Refusal);
    }

    [Fact]
    public async Task Training_reports_each_iteration_on_the_learning_stream()
    {
        var collected = new List<JsonElement>();
        using var subscriber = new MqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            using var doc = JsonDocument.Parse(e.ApplicationMessage.ConvertPayloadToString());
            lock (collected) collected.Add(doc.RootElement.Clone());
            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(_broker.Options("learning-watcher").Build());
        await subscriber.SubscribeAsync("rlr/pendulum/telemetry/learning", MqttQualityOfServiceLevel.AtLeastOnce);

        var robot = Path.Combine(_dir, "pendulum.mqtt.yaml");
        File.WriteAllText(robot, File.ReadAllText(Path.Combine(RunCommandTests.Root(), "robots", "pendulum.sim.yaml")) + $"""

            mqtt:
              broker: localhost
              port: {_broker.TlsPort}
              tls: {"{"} ca_file: {_broker.Pki.CaCertificate} {"}"}
              username: {MosquittoBroker.User}
              password_env: {PasswordVariable}
            """);
        var (code, output, error) = Rlr("train", "ppo", "--robot", robot, "--steps", "4096", "--out", Path.Combine(_dir, "ppo"), "--eval-episodes", "1");
        Assert.True(code == ExitCodes.Success, error + output);
        Assert.Contains("learning progress on rlr/pendulum/telemetry/learning", output);
        var iterations = output.Split('\n').Count(l => l.TrimStart().StartsWith("iter "));

        // Training waits (up to 3 s) for its reports to be acknowledged before it exits; delivery to us follows.
        for (var i = 0; i < 200 && Count() < iterations; i++) await Task.Delay(20);
        JsonElement[] got;
        lock (collected) got = [.. collected];
        Assert.True(got.Length >= iterations && iterations >= 1, $"{got.Length} learning messages for {iterations} iterations\n{output}");
        Assert.Equal(Enumerable.Range(1, got.Length).Select(i => (long)i), got.Select(m => m.GetProperty("seq").GetInt64()));
        var last = got[^1];
        Assert.Equal("ppo", last.GetProperty("run").GetString());
        Assert.Equal(last.GetProperty("iterations").GetDouble(), last.GetProperty("iteration").GetDouble());
        Assert.True(last.GetProperty("steps").GetDouble() >= 4096);
        Assert.True(last.TryGetProperty("return", out _) && last.TryGetProperty("kl", out _));

        int Count() { lock (collected) return collected.Count; }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
