using System.Runtime.InteropServices;

namespace RlRobotics.Core.Concurrency;

/// <summary>
/// A lock-free single-producer/single-consumer ring of fixed-width records of doubles. The real-time loop
/// writes samples (never blocking: a full ring drops the newest and counts it); a telemetry or learning
/// thread reads them. Capacity is rounded up to a power of two.
/// </summary>
public sealed class SpscRing
{
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Cursors
    {
        // Head and tail on separate cache lines so producer and consumer do not false-share.
        [FieldOffset(64)] public long Head;
        [FieldOffset(128)] public long Tail;
    }

    private readonly double[] _buffer;
    private readonly long _mask;
    private Cursors _cursors;
    private long _dropped;

    public SpscRing(int capacity, int width)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity));
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width));
        var size = 1;
        while (size < capacity) size <<= 1;
        Capacity = size;
        Width = width;
        _mask = size - 1;
        _buffer = new double[(long)size * width];
    }

    public int Capacity { get; }

    /// <summary>Doubles per record.</summary>
    public int Width { get; }

    /// <summary>Records the producer could not write because the ring was full.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Records waiting to be read.</summary>
    public int Count => (int)(Volatile.Read(ref _cursors.Head) - Volatile.Read(ref _cursors.Tail));

    /// <summary>Producer: appends a record (its first <see cref="Width"/> values); false when full.</summary>
    public bool TryWrite(ReadOnlySpan<double> record)
    {
        var head = _cursors.Head;
        if (head - Volatile.Read(ref _cursors.Tail) >= Capacity)
        {
            _dropped++;
            return false;
        }
        record[..Width].CopyTo(_buffer.AsSpan((int)((head & _mask) * Width), Width));
        Volatile.Write(ref _cursors.Head, head + 1);
        return true;
    }

    /// <summary>Consumer: takes the oldest record into <paramref name="record"/>; false when empty.</summary>
    public bool TryRead(Span<double> record)
    {
        var tail = _cursors.Tail;
        if (tail >= Volatile.Read(ref _cursors.Head)) return false;
        _buffer.AsSpan((int)((tail & _mask) * Width), Width).CopyTo(record);
        Volatile.Write(ref _cursors.Tail, tail + 1);
        return true;
    }
}
