using RlRobotics.Ros2.Dds;
using RlRobotics.Ros2.Messages;
using RlRobotics.Ros2.Messages.Schema;

namespace RlRobotics.Ros2.Rcl;

/// <summary>
/// A ROS 2 node, shaped like ros2_dotnet's: <c>CreatePublisher&lt;T&gt;</c>, <c>CreateSubscription&lt;T&gt;</c>, an executor
/// (<see cref="SpinOnce"/>, <see cref="Spin"/>, <see cref="SpinInBackground"/>) that
/// runs callbacks on the spinning thread. Topic names resolve against the node's namespace.
/// </summary>
public sealed class Node : IDisposable
{
    readonly RosContext _context;
    readonly DdsWaitSet _waitSet;
    readonly List<SubscriptionBase> _subscriptions = new();
    readonly List<DdsWriter> _writers = new();
    readonly List<DdsReader> _readers = new();
    SubscriptionBase?[] _byToken = new SubscriptionBase?[16];
    int _disposed;

    internal Node(RosContext context, string name, string ns)
    {
        _context = context;
        Name = name;
        Namespace = ns;
        _waitSet = new DdsWaitSet(context.Participant);
    }

    public string Name { get; }
    public string Namespace { get; }
    public string FullyQualifiedName => Namespace == "/" ? "/" + Name : $"{Namespace}/{Name}";
    public RosContext Context => _context;

    /// <summary>Every subscription of this node (counters for diagnostics).</summary>
    public IReadOnlyList<ISubscriptionStatistics> Subscriptions { get { lock (_subscriptions) return [.. _subscriptions]; } }

    internal IReadOnlyList<DdsWriter> Writers { get { lock (_writers) return [.. _writers]; } }
    internal IReadOnlyList<DdsReader> Readers { get { lock (_readers) return [.. _readers]; } }

    public string ResolveName(string name) => TopicNames.Resolve(name, Namespace, Name);

    /// <summary>A publisher of <typeparamref name="T"/> on <paramref name="topic"/> (default QoS: keep last 10, reliable, volatile).</summary>
    public Publisher<T> CreatePublisher<T>(string topic, QosProfile? qos = null) where T : IRosMessage<T>, new() =>
        CreatePublisher<T>(topic, T.Schema, qos);

    /// <summary>A publisher of messages described by <paramref name="schema"/> (dynamic messages).</summary>
    public Publisher<T> CreatePublisher<T>(string topic, MessageSchema schema, QosProfile? qos = null) where T : IRosMessage
    {
        var full = ResolveName(topic);
        var writer = _context.Participant.CreateWriter(_context.Participant.Topic(TopicNames.Topic(full), schema), qos ?? QosProfile.DefaultProfile);
        Track(_writers, writer);
        return new Publisher<T>(writer, full, () => Untrack(_writers, writer));
    }

    /// <summary>A subscription delivering <typeparamref name="T"/> from <paramref name="topic"/> to <paramref name="callback"/>.</summary>
    public Subscription<T> CreateSubscription<T>(string topic, Action<T> callback, QosProfile? qos = null, bool reuseMessage = false,
        Delivery delivery = Delivery.Executor) where T : IRosMessage<T>, new() =>
        CreateSubscription(topic, T.Schema, callback, () => new T(), qos, reuseMessage, delivery);

    /// <summary>A subscription for messages described by <paramref name="schema"/>, created by <paramref name="create"/>.</summary>
    public Subscription<T> CreateSubscription<T>(string topic, MessageSchema schema, Action<T> callback, Func<T> create,
        QosProfile? qos = null, bool reuseMessage = false, Delivery delivery = Delivery.Executor) where T : IRosMessage
    {
        var full = ResolveName(topic);
        var reader = _context.Participant.CreateReader(_context.Participant.Topic(TopicNames.Topic(full), schema), qos ?? QosProfile.DefaultProfile);
        var subscription = new Subscription<T>(reader, full, callback, create, reuseMessage);
        Attach(subscription, delivery: delivery);
        return subscription;
    }

    /// <summary>
    /// A service server for <typeparamref name="TService"/> on <paramref name="name"/>: requests are handled on the thread that
    /// spins this node; <paramref name="handler"/> fills the response it is given (QoS: services default).
    /// </summary>
    public Service<TRequest, TResponse> CreateService<TService, TRequest, TResponse>(string name, Action<TRequest, TResponse> handler,
        QosProfile? qos = null)
        where TService : IRosService<TRequest, TResponse>
        where TRequest : IRosMessage<TRequest>, new()
        where TResponse : IRosMessage<TResponse>, new()
    {
        var full = ResolveName(name);
        var (requests, replies) = ServiceTopics(full, TRequest.Schema, TResponse.Schema);
        var reader = _context.Participant.CreateReader(requests, qos ?? QosProfile.ServicesDefaultProfile);
        var writer = _context.Participant.CreateWriter(replies, qos ?? QosProfile.ServicesDefaultProfile);
        var service = new Service<TRequest, TResponse>(reader, writer, full, handler);
        Track(_writers, writer);
        Attach(service, () => Untrack(_writers, writer));
        return service;
    }

    /// <summary>
    /// A client of the <typeparamref name="TService"/> service <paramref name="name"/>. Replies are delivered while this node
    /// spins (<see cref="SpinInBackground"/>, or <see cref="SpinOnce"/> in a loop).
    /// </summary>
    public Client<TRequest, TResponse> CreateClient<TService, TRequest, TResponse>(string name, QosProfile? qos = null)
        where TService : IRosService<TRequest, TResponse>
        where TRequest : IRosMessage<TRequest>, new()
        where TResponse : IRosMessage<TResponse>, new()
    {
        var full = ResolveName(name);
        var (requests, replies) = ServiceTopics(full, TRequest.Schema, TResponse.Schema);
        var writer = _context.Participant.CreateWriter(requests, qos ?? QosProfile.ServicesDefaultProfile);
        var reader = _context.Participant.CreateReader(replies, qos ?? QosProfile.ServicesDefaultProfile);
        var client = new Client<TRequest, TResponse>(reader, writer, full);
        Track(_writers, writer);
        Attach(client, () => Untrack(_writers, writer));
        return client;
    }

    (DdsTopic Requests, DdsTopic Replies) ServiceTopics(string fullName, MessageSchema request, MessageSchema response) =>
        (_context.Participant.Topic(TopicNames.Request(fullName), ServiceWire.Of(request)),
         _context.Participant.Topic(TopicNames.Reply(fullName), ServiceWire.Of(response)));

    internal void Attach(SubscriptionBase subscription, Action? alsoOnDispose = null, Delivery delivery = Delivery.Executor)
    {
        lock (_subscriptions)
        {
            _subscriptions.Add(subscription);
            subscription.OnDispose = () =>
            {
                Detach(subscription);
                alsoOnDispose?.Invoke();
            };
            if (delivery == Delivery.Executor)
            {
                var token = Array.IndexOf(_byToken, null);
                if (token < 0)
                {
                    token = _byToken.Length;
                    Array.Resize(ref _byToken, _byToken.Length * 2);
                }
                _byToken[token] = subscription;
                _waitSet.Attach(subscription.Reader, token);
            }
        }
        Track(_readers, subscription.Reader);
        if (delivery == Delivery.Immediate)
            subscription.Reader.OnDataAvailable(() => subscription.Dispatch(),
                ex => subscription.RecordError($"callback on {subscription.TopicName} failed: {ex.GetType().Name}: {ex.Message}"));
    }

    void Detach(SubscriptionBase subscription)
    {
        lock (_subscriptions)
        {
            _waitSet.Detach(subscription.Reader);
            var token = Array.IndexOf(_byToken, subscription);
            if (token >= 0) _byToken[token] = null;
            _subscriptions.Remove(subscription);
        }
        Untrack(_readers, subscription.Reader);
    }

    internal void Track<TEntity>(List<TEntity> list, TEntity entity)
    {
        lock (list) list.Add(entity);
        _context.EntitiesChanged();
    }

    internal void Untrack<TEntity>(List<TEntity> list, TEntity entity)
    {
        lock (list) list.Remove(entity);
        if (Volatile.Read(ref _disposed) == 0) _context.EntitiesChanged();
    }

    /// <summary>Waits up to <paramref name="timeout"/> for data and runs the callbacks of what arrived; returns how many messages were delivered.</summary>
    public int SpinOnce(TimeSpan timeout)
    {
        Span<nint> tokens = stackalloc nint[32];
        var n = _waitSet.Wait(timeout, tokens);
        var delivered = 0;
        for (var i = 0; i < n; i++)
        {
            if (tokens[i] < 0) continue;
            SubscriptionBase? s;
            lock (_subscriptions) s = tokens[i] < _byToken.Length ? _byToken[tokens[i]] : null;
            if (s is not null) delivered += s.Dispatch();
        }
        return delivered;
    }

    /// <summary>Spins until cancelled.</summary>
    public void Spin(CancellationToken cancel)
    {
        using var wake = cancel.Register(_waitSet.Wake);
        while (!cancel.IsCancellationRequested) SpinOnce(TimeSpan.FromMilliseconds(100));
    }

    /// <summary>Spins on a background thread until the returned handle is disposed.</summary>
    public IDisposable SpinInBackground(string threadName = "ros2-executor")
    {
        var cts = new CancellationTokenSource();
        var thread = new Thread(() => Spin(cts.Token)) { IsBackground = true, Name = threadName };
        thread.Start();
        return new Stopper(() =>
        {
            cts.Cancel();
            thread.Join();
            cts.Dispose();
        });
    }

    sealed class Stopper(Action stop) : IDisposable
    {
        int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) stop(); }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        List<SubscriptionBase> subs;
        lock (_subscriptions) subs = [.. _subscriptions];
        foreach (var s in subs) s.Dispose();
        List<DdsWriter> writers;
        lock (_writers) writers = [.. _writers];
        foreach (var w in writers) w.Dispose();
        _waitSet.Dispose();
        _context.Remove(this);
    }
}
