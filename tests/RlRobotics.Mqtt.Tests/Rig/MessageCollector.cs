namespace RlRobotics.Mqtt.Tests.Rig;

/// <summary>Collects received messages; tests await a condition on them with a real-time deadline.</summary>
public sealed class MessageCollector
{
    private readonly object _gate = new();
    private readonly List<MqttApplicationMessage> _messages = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Attach to a client's ApplicationMessageReceivedAsync.</summary>
    public Task Handle(MqttApplicationMessageReceivedEventArgs e)
    {
        lock (_gate)
        {
            _messages.Add(e.ApplicationMessage);
            _changed.TrySetResult();
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        return Task.CompletedTask;
    }

    /// <summary>A copy of what arrived so far.</summary>
    public MqttApplicationMessage[] Messages { get { lock (_gate) return [.. _messages]; } }

    /// <summary>Payloads as UTF-8, in arrival order.</summary>
    public string[] Payloads => [.. Messages.Select(m => m.ConvertPayloadToString())];

    /// <summary>Waits until <paramref name="condition"/> holds for the messages so far; throws with what arrived on timeout.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<MqttApplicationMessage>, bool> condition, double timeout_s = 10, string what = "condition")
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeout_s);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (condition(_messages)) return;
                changed = _changed.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"{what} not met within {timeout_s} s; received {_messages.Count}: {string.Join(", ", Payloads.Take(20))}");
            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    /// <summary>Waits for a message whose payload is <paramref name="payload"/> and returns it.</summary>
    public async Task<MqttApplicationMessage> WaitForPayloadAsync(string payload, double timeout_s = 10)
    {
        await WaitUntilAsync(ms => ms.Any(m => m.ConvertPayloadToString() == payload), timeout_s, $"payload '{payload}'");
        return Messages.First(m => m.ConvertPayloadToString() == payload);
    }
}
