namespace RlRobotics.Control.Planning;

/// <summary>
/// A fixed pool of threads that runs <c>body(worker, start, end)</c> over the chunks of an index range; the
/// calling thread works too. Chunks are handed out through one atomic counter. Allocation-free per run: the body
/// is bound once, and the hand-off uses a semaphore and a countdown event. With one thread, everything runs inline.
/// </summary>
public sealed class RolloutWorkers : IDisposable
{
    private readonly Action<int, int, int> _body;
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim _start = new(0);
    private readonly CountdownEvent _done = new(1);
    private int _count, _chunk, _next;
    private volatile bool _disposed;
    private Exception? _fault;

    /// <param name="threads">Threads in all, the caller included (at least 1).</param>
    /// <param name="body">Work on indices [start, end) by worker <c>worker</c> (0 = the caller), which owns its own scratch.</param>
    /// <param name="name">Thread name prefix.</param>
    public RolloutWorkers(int threads, Action<int, int, int> body, string name = "rlr-rollout")
    {
        Threads = Math.Max(1, threads);
        _body = body;
        _threads = new Thread[Threads - 1];
        for (var i = 0; i < _threads.Length; i++)
        {
            var worker = i + 1;
            _threads[i] = new Thread(() => Work(worker)) { IsBackground = true, Name = $"{name}-{worker}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads in all, the caller included.</summary>
    public int Threads { get; }

    /// <summary>Runs the body over [0, count) in chunks of <paramref name="chunk"/> and returns when all are done.</summary>
    public void Run(int count, int chunk)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (count <= 0) return;
        if (_threads.Length == 0 || count <= chunk)
        {
            _body(0, 0, count);
            return;
        }
        _count = count;
        _chunk = Math.Max(1, chunk);
        _fault = null;
        Volatile.Write(ref _next, 0);
        _done.Reset(_threads.Length);
        _start.Release(_threads.Length);
        Drain(0);
        _done.Wait();
        if (_fault is { } fault) throw new InvalidOperationException("a rollout worker failed", fault);
    }

    private void Drain(int worker)
    {
        while (true)
        {
            var start = Interlocked.Add(ref _next, _chunk) - _chunk;
            if (start >= _count) return;
            _body(worker, start, Math.Min(_count, start + _chunk));
        }
    }

    private void Work(int worker)
    {
        while (true)
        {
            _start.Wait();
            if (_disposed) return;
            try { Drain(worker); }
            catch (Exception ex) { _fault = ex; }
            finally { _done.Signal(); }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_threads.Length > 0) _start.Release(_threads.Length); // a one-thread pool has no one to wake
        foreach (var t in _threads) t.Join();
        _start.Dispose();
        _done.Dispose();
    }
}
