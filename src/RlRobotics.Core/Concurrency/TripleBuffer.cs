namespace RlRobotics.Core.Concurrency;

/// <summary>
/// Wait-free hand-off of large preallocated values (plans, state snapshots) from one writer thread to one reader
/// thread: a double buffer with a third slot, so the writer never waits for the reader to finish and the reader
/// never sees a half-written value. The writer fills <see cref="WriteSlot"/> and calls <see cref="Publish"/>; the
/// reader calls <see cref="ReadLatest"/>, which swaps in the newest published slot if there is one. One atomic
/// exchange per side; nothing allocates.
/// </summary>
public sealed class TripleBuffer<T> where T : class
{
    private const int Fresh = 4;
    private readonly T[] _slots;
    private int _middle;       // slot index, | Fresh when it holds a value the reader has not taken
    private int _back = 1;     // owned by the writer
    private int _front = 2;    // owned by the reader
    private bool _anyRead;

    public TripleBuffer(Func<T> create) => _slots = new[] { create(), create(), create() };

    /// <summary>The slot the writer fills next (writer thread only).</summary>
    public T WriteSlot => _slots[_back];

    /// <summary>Makes <see cref="WriteSlot"/> the newest value and gives the writer another slot (writer thread only).</summary>
    public void Publish()
    {
        var old = Interlocked.Exchange(ref _middle, _back | Fresh);
        _back = old & ~Fresh;
    }

    /// <summary>The newest published value, or null before the first publish (reader thread only).</summary>
    public T? ReadLatest()
    {
        if ((Volatile.Read(ref _middle) & Fresh) != 0)
        {
            var old = Interlocked.Exchange(ref _middle, _front);
            _front = old & ~Fresh;
            _anyRead = true;
        }
        return _anyRead ? _slots[_front] : null;
    }
}
