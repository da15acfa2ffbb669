using Polly;
using Polly.Retry;
using RlRobotics.Mqtt.Topics;

namespace RlRobotics.Mqtt.Managed;

/// <summary>
/// Keeps an <see cref="MqttClient"/> connected and feeds it from a bounded queue, so callers never wait on the network.
/// <list type="bullet">
/// <item>Reconnects with Polly retry: exponential backoff with jitter between the options' minimum and maximum delay.</item>
/// <item>Re-subscribes after a connect that did not resume a session.</item>
/// <item><see cref="Enqueue"/> returns at once. Drop policy: when <see cref="ManagedMqttClientOptions.MaxPendingMessages"/>
/// are waiting, the oldest waiting message is dropped (counted in <see cref="ManagedMqttClientStatistics.Dropped"/>) to make
/// room; QoS 0 messages offered while disconnected are dropped at once (at-most-once: stale telemetry is not worth
/// keeping). Messages already handed to the connection (in flight) are never dropped: with a persistent session they
/// are resent with DUP on reconnect; with a clean session they go back to the head of the queue.</item>
/// <item>Up to <see cref="MqttClientOptions.MaximumInFlight"/> QoS 1/2 messages are in flight at once; acknowledgements are not awaited one by one.</item>
/// </list>
/// </summary>
public sealed class ManagedMqttClient : IAsyncDisposable, IDisposable
{
    private readonly ManagedMqttClientOptions _options;
    private readonly MqttClient _client = new();
    private readonly object _gate = new();
    private readonly LinkedList<MqttApplicationMessage> _queue = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly Dictionary<string, MqttQualityOfServiceLevel> _subscriptions = [];
    private readonly TimeProvider _time;
    private TaskCompletionSource _connected = NewSignal();
    private TaskCompletionSource _disconnected = NewSignal();
    private CancellationTokenSource? _stop;
    private Task _connectLoop = Task.CompletedTask, _sendLoop = Task.CompletedTask;
    private long _enqueued, _delivered, _dropped, _reconnects, _connectFailures, _connections;

    /// <summary>Creates the client; nothing connects before <see cref="StartAsync"/>.</summary>
    public ManagedMqttClient(ManagedMqttClientOptions options)
    {
        options.Validate();
        _options = options;
        _time = options.TimeProvider ?? options.ClientOptions.TimeProvider;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    /// <summary>A message arrived on a subscription (see <see cref="IMqttClient.ApplicationMessageReceivedAsync"/>).</summary>
    public event Func<MqttApplicationMessageReceivedEventArgs, Task>? ApplicationMessageReceivedAsync
    {
        add => _client.ApplicationMessageReceivedAsync += value;
        remove => _client.ApplicationMessageReceivedAsync -= value;
    }

    /// <summary>A connection was established.</summary>
    public event Func<MqttClientConnectedEventArgs, Task>? ConnectedAsync
    {
        add => _client.ConnectedAsync += value;
        remove => _client.ConnectedAsync -= value;
    }

    /// <summary>A connection ended (the client will reconnect unless stopped).</summary>
    public event Func<MqttClientDisconnectedEventArgs, Task>? DisconnectedAsync
    {
        add => _client.DisconnectedAsync += value;
        remove => _client.DisconnectedAsync -= value;
    }

    /// <summary>True while connected.</summary>
    public bool IsConnected => _client.IsConnected;

    /// <summary>The underlying client (for inspection; do not connect or disconnect it yourself).</summary>
    public MqttClient InternalClient => _client;

    /// <summary>The last failed connection attempt's error, or null.</summary>
    public Exception? LastConnectError { get; private set; }

    /// <summary>The counters now.</summary>
    public ManagedMqttClientStatistics Statistics
    {
        get
        {
            int pending;
            lock (_gate) pending = _queue.Count;
            return new ManagedMqttClientStatistics
            {
                Enqueued = Interlocked.Read(ref _enqueued), Delivered = Interlocked.Read(ref _delivered), Dropped = Interlocked.Read(ref _dropped),
                Reconnects = Interlocked.Read(ref _reconnects), ConnectFailures = Interlocked.Read(ref _connectFailures),
                ProtocolErrors = _client.ProtocolErrors, Pending = pending, InFlight = _client.InFlightCount,
            };
        }
    }

    /// <summary>Starts connecting (in the background) and sending; returns at once.</summary>
    public Task StartAsync()
    {
        lock (_gate)
        {
            if (_stop is not null) throw new InvalidOperationException("the managed client is already started");
            _stop = new CancellationTokenSource();
        }
        var token = _stop.Token;
        _connectLoop = Task.Run(() => ConnectLoopAsync(token), CancellationToken.None);
        _sendLoop = Task.Run(() => SendLoopAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops reconnecting and sending, then disconnects cleanly. Waiting messages stay queued.</summary>
    public async Task StopAsync()
    {
        CancellationTokenSource? stop;
        lock (_gate) { stop = _stop; _stop = null; }
        if (stop is null) return;
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_connectLoop, _sendLoop).ConfigureAwait(false);
        await _client.DisconnectAsync().ConfigureAwait(false);
        stop.Dispose();
    }

    /// <summary>
    /// Queues a message and returns at once (never waits on the network). False when it was dropped at once (QoS 0
    /// while disconnected); accepting it may drop the oldest waiting message (see the class remarks).
    /// </summary>
    /// <exception cref="ArgumentException">The topic is not a valid topic name.</exception>
    public bool Enqueue(MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        MqttTopicFilter.ValidateTopicName(message.Topic);
        lock (_gate)
        {
            if (message.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce && !_client.IsConnected)
            {
                Interlocked.Increment(ref _dropped);
                return false;
            }
            if (_queue.Count >= _options.MaxPendingMessages)
            {
                _queue.RemoveFirst();
                Interlocked.Increment(ref _dropped);
            }
            _queue.AddLast(message);
            Interlocked.Increment(ref _enqueued);
        }
        _available.Release();
        return true;
    }

    /// <summary>
    /// Adds subscriptions, kept across reconnects. When connected they are sent now and the SUBACK is returned;
    /// otherwise they are sent on the next connect and the result is null.
    /// </summary>
    public async Task<MqttClientSubscribeResult?> SubscribeAsync(string topic, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, CancellationToken cancellationToken = default)
    {
        MqttTopicFilter.ValidateFilter(topic);
        lock (_gate) _subscriptions[topic] = qos;
        if (!_client.IsConnected) return null;
        try { return await _client.SubscribeAsync(topic, qos, cancellationToken).ConfigureAwait(false); }
        catch (MqttClientDisconnectedException) { return null; } // sent after the reconnect
    }

    private async Task ConnectLoopAsync(CancellationToken stop)
    {
        var retry = new ResiliencePipelineBuilder { TimeProvider = _time }.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException || !stop.IsCancellationRequested),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _options.MinReconnectDelay,
            MaxDelay = _options.MaxReconnectDelay,
            OnRetry = args =>
            {
                Interlocked.Increment(ref _connectFailures);
                LastConnectError = args.Outcome.Exception;
                return default;
            },
        }).Build();

        try
        {
            while (!stop.IsCancellationRequested)
            {
                await retry.ExecuteAsync(ConnectOnceAsync, stop).ConfigureAwait(false);
                await _disconnected.Task.WaitAsync(stop).ConfigureAwait(false);
                // A connection that drops at once must not turn into a tight reconnect loop.
                await Task.Delay(_options.MinReconnectDelay, _time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async ValueTask ConnectOnceAsync(CancellationToken stop)
    {
        lock (_gate) if (_disconnected.Task.IsCompleted) _disconnected = NewSignal();
        var result = await _client.ConnectAsync(_options.ClientOptions, stop).ConfigureAwait(false);
        try
        {
            if (!result.IsSessionPresent)
            {
                KeyValuePair<string, MqttQualityOfServiceLevel>[] subscriptions;
                lock (_gate) subscriptions = [.. _subscriptions];
                if (subscriptions.Length > 0)
                {
                    var request = new MqttClientSubscribeOptions();
                    request.TopicFilters.AddRange(subscriptions.Select(s => new MqttSubscription(s.Key, s.Value)));
                    await _client.SubscribeAsync(request, stop).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            await _client.DisconnectAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        if (Interlocked.Increment(ref _connections) > 1) Interlocked.Increment(ref _reconnects);
        _connected.TrySetResult();
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs args)
    {
        lock (_gate)
        {
            if (_connected.Task.IsCompleted && !_client.IsConnected) _connected = NewSignal();
            _disconnected.TrySetResult();
        }
        return Task.CompletedTask;
    }

    private async Task SendLoopAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await _available.WaitAsync(stop).ConfigureAwait(false);
                Task connected;
                lock (_gate) connected = _connected.Task;
                await connected.WaitAsync(stop).ConfigureAwait(false);
                MqttApplicationMessage message;
                lock (_gate)
                {
                    if (_queue.First is null) continue; // its permit outlived a dropped message
                    message = _queue.First.Value;
                    _queue.RemoveFirst();
                }
                try
                {
                    if (message.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce)
                    {
                        await _client.PublishAsync(message, stop).ConfigureAwait(false);
                        Interlocked.Increment(ref _delivered);
                    }
                    else
                    {
                        var acknowledged = await _client.StartPublishAsync(message, stop).ConfigureAwait(false);
                        _ = acknowledged.ContinueWith(static (t, state) => ((ManagedMqttClient)((object[])state!)[0]).OnAcknowledged(t, (MqttApplicationMessage)((object[])state!)[1]),
                            new object[] { this, message }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    }
                }
                catch (MqttClientDisconnectedException)
                {
                    if (message.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce) Requeue(message);
                    else Interlocked.Increment(ref _dropped);
                    // Wait for the reconnect rather than spinning on a dead connection.
                    lock (_gate) if (_connected.Task.IsCompleted && !_client.IsConnected) _connected = NewSignal();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private void OnAcknowledged(Task<MqttClientPublishResult> acknowledged, MqttApplicationMessage message)
    {
        if (acknowledged.IsCompletedSuccessfully) Interlocked.Increment(ref _delivered);
        else if (acknowledged.Exception?.InnerException is MqttClientDisconnectedException) Requeue(message); // clean session: the broker forgot it
        // else: disposed before the acknowledgement came; nothing is left to send it on.
    }

    /// <summary>Puts a message that the connection lost back at the head of the queue (not counted again as enqueued).</summary>
    private void Requeue(MqttApplicationMessage message)
    {
        lock (_gate)
        {
            if (_queue.Count >= _options.MaxPendingMessages)
            {
                _queue.RemoveFirst();
                Interlocked.Increment(ref _dropped);
            }
            _queue.AddFirst(message);
        }
        _available.Release();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Stops and disconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _client.Dispose();
    }

    /// <summary>Stops and disconnects (blocking).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
