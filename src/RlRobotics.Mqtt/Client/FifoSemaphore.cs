namespace RlRobotics.Mqtt.Client;

/// <summary>
/// An async semaphore that grants waiters strictly in arrival order. SemaphoreSlim does not promise an order, and
/// MQTT does (messages of one publisher arrive in the order they were published), so the publish order gate, the
/// in-flight window and the write lock use this. The uncontended path completes synchronously and allocates nothing.
/// With <c>grantInline</c> the next waiter continues on the releasing thread (one thread-pool hop fewer; only for
/// waiters that never release the same semaphore on that path, or the chain could recurse).
/// </summary>
internal sealed class FifoSemaphore(int initialCount, bool grantInline = false)
{
    private readonly object _gate = new();
    private readonly Queue<Waiter> _waiters = new();
    private int _count = initialCount;

    /// <summary>Free slots now.</summary>
    public int CurrentCount { get { lock (_gate) return _count; } }

    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_count > 0 && _waiters.Count == 0)
            {
                _count--;
                return default;
            }
            cancellationToken.ThrowIfCancellationRequested();
            var waiter = new Waiter(grantInline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
            if (cancellationToken.CanBeCanceled) waiter.Registration = cancellationToken.Register(static w => ((Waiter)w!).Cancel(), waiter);
            return new ValueTask(waiter.Task);
        }
    }

    /// <summary>Synchronous wait with a timeout, for Dispose's best-effort goodbye; false when it timed out.</summary>
    public bool Wait(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            WaitAsync(cts.Token).AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Release()
    {
        Waiter? next = null;
        lock (_gate)
        {
            while (_waiters.TryDequeue(out var w))
            {
                if (w.TryClaim()) { next = w; break; }
            }
            if (next is null) { _count++; return; }
        }
        next.Registration.Dispose();
        next.TrySetResult();
    }

    private sealed class Waiter(TaskCreationOptions options) : TaskCompletionSource(options)
    {
        private int _state; // 0 waiting, 1 granted, 2 cancelled
        public CancellationTokenRegistration Registration;

        public bool TryClaim() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public void Cancel()
        {
            // A cancelled waiter stays queued; Release skips it.
            if (Interlocked.CompareExchange(ref _state, 2, 0) == 0) TrySetCanceled();
        }
    }
}
